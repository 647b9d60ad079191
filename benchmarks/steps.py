"""The steps ``bench.py --step NAME`` runs inside their own measured subprocess."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from benchmarks.comparison import run_pandas
from benchmarks.floor import run_floor

BENCH_SCRIPT = Path(__file__).resolve().parent / "bench.py"


def python_step(step: str, data_dir: Path, work: Path) -> list[str]:
    return [sys.executable, str(BENCH_SCRIPT), "--step", step,
            "--data-dir", str(data_dir), "--work", str(work)]  # fmt: skip


def step_fit(data_dir: Path, work: Path) -> None:
    """Materialize the model-fitting assets exactly as Dagster runs them between the dbt runs."""
    from dagster import materialize

    from dagster_project.defs.models.assets import (
        churn_model_asset,
        clv_model,
        clv_validation_asset,
    )
    from dagster_project.resources import WarehouseResource

    warehouse = WarehouseResource(data_dir=str(data_dir))
    started = time.perf_counter()
    result = materialize(
        [clv_model, clv_validation_asset, churn_model_asset],
        resources={"warehouse": warehouse},
    )
    seconds = time.perf_counter() - started
    if not result.success:
        raise SystemExit("model fitting failed")
    customers = len(warehouse.read_table("intermediate.int_customer_purchase_summary"))
    write_result(work / "fit.json", {"seconds": seconds, "rows": customers})


def step_gx(data_dir: Path, work: Path) -> None:
    """Validate every stored suite against its asset, as the blocking asset checks do."""
    import duckdb

    from dagster_project.defs.quality.checks import (
        asset_key_for_suite,
        read_asset_frame,
        suite_names,
    )
    from dagster_project.lib.gx_validation import validate_dataframe
    from dagster_project.resources import WarehouseResource

    warehouse = WarehouseResource(data_dir=str(data_dir))
    rows, seconds, failed, missing = 0, 0.0, [], []
    for name in suite_names():
        try:
            frame = read_asset_frame(warehouse, asset_key_for_suite(name))
        except duckdb.CatalogException:
            # A suite may land before the model it checks; the benchmark times what exists.
            missing.append(name)
            continue
        started = time.perf_counter()
        outcome = validate_dataframe(frame, name)
        seconds += time.perf_counter() - started
        rows += outcome.row_count
        if outcome.has_error_failure:
            failed.append(name)
    write_result(
        work / "gx.json", {"seconds": seconds, "rows": rows, "failed": failed, "missing": missing}
    )


def step_floor(data_dir: Path, work: Path) -> None:
    seconds = run_floor(data_dir, work / "floor")
    write_result(work / "floor.json", {"seconds": seconds})


def step_pandas(data_dir: Path, work: Path) -> None:
    seconds = run_pandas(data_dir, work / "pandas")
    write_result(work / "pandas.json", {"seconds": seconds})


STEPS = {"fit": step_fit, "gx": step_gx, "floor": step_floor, "pandas": step_pandas}


def write_result(path: Path, values: dict[str, object]) -> None:
    path.write_text(json.dumps(values))


def read_result(path: Path) -> dict[str, object]:
    return json.loads(path.read_text())
