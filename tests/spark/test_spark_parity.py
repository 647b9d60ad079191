"""The dbt project builds on Spark (dbt-spark, local session) and every mart equals DuckDB's.

Both engines build from the same raw Parquet and the same model-fitting outputs, in separate
folders. Every table under ``dbt_models/marts`` (found in the manifest, so new marts are
compared without editing this file) must have the same columns, the same kind of values and the
same rows: numbers equal within float tolerance, dates and timestamps equal, after sorting both
sides by every column. A mart materialized as a view (the per-grain views of channel_roi) has no
files to read without a Spark session: it must build on Spark, and its rows are those of the
table it selects from, which is compared.
"""

from __future__ import annotations

import decimal
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from dagster import materialize
from warehouse_helpers import dbt_build

from dagster_project.defs.models.assets import model_assets
from dagster_project.lib.demo.generator import generate
from dagster_project.lib.landing import load_all
from dagster_project.resources import WarehouseResource

# Fewer days than the main suite's demo: Spark lists one raw file per export day and table, and
# four months still give several monthly cohorts and repeat buyers for the model fits.
DEMO_SEED = 7
DEMO_CUSTOMERS = 300
DEMO_DAYS = 120
DEMO_END_DATE = date(2026, 10, 31)
PREDICTION_MODELS = "source:models+"
# Every model and seed, in one `dbt build`. The data tests (about 800) run on DuckDB in
# `make test`; on Spark each is a job of a few seconds, which would take the run past CI's budget,
# and the mart comparison below already checks what they would.
SPARK_BUILD = [
    "--exclude-resource-type",
    "test",
    "--exclude-resource-type",
    "unit_test",
    "--threads",
    "2",
]
RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ParityBuild:
    data_dir: Path
    duckdb_target: Path
    spark_dir: Path
    spark_cwd: Path
    marts: tuple[str, ...]
    views: tuple[str, ...]


def _marts(manifest_path: Path, *, views: bool = False) -> tuple[str, ...]:
    """Every model whose file is under dbt_models/marts, by name: the tables, or the views."""
    manifest = json.loads(manifest_path.read_text())
    return tuple(
        sorted(
            node["name"]
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and node["fqn"][1] == "marts"
            and (node["config"]["materialized"] == "view") == views
        )
    )


@pytest.fixture(scope="module")
def parity_build(tmp_path_factory: pytest.TempPathFactory) -> ParityBuild:
    data_dir = tmp_path_factory.mktemp("parity")
    generate(
        data_dir / "landing",
        seed=DEMO_SEED,
        customers=DEMO_CUSTOMERS,
        days=DEMO_DAYS,
        end_date=DEMO_END_DATE,
    )
    load_all(data_dir / "landing", data_dir / "raw")

    # DuckDB in the order the pipeline runs: warehouse models, model fitting, prediction marts.
    duckdb_target = data_dir / "target_duckdb"
    dbt_build(data_dir, "--exclude", PREDICTION_MODELS, target_path=duckdb_target)
    fitted = materialize(
        model_assets, resources={"warehouse": WarehouseResource(data_dir=str(data_dir))}
    )
    assert fitted.success
    dbt_build(data_dir, "--select", PREDICTION_MODELS, target_path=duckdb_target)
    # The manifest of a selective build still lists every node.
    marts = _marts(duckdb_target / "manifest.json")

    # Spark reads the same raw and model-output files and writes only under data_dir/spark. It
    # runs from an empty folder so anything Spark drops into its working directory shows.
    spark_cwd = data_dir / "spark_cwd"
    spark_cwd.mkdir()
    dbt_build(
        data_dir, *SPARK_BUILD, target="spark", target_path=data_dir / "target_spark", cwd=spark_cwd
    )
    views = _marts(duckdb_target / "manifest.json", views=True)
    return ParityBuild(data_dir, duckdb_target, data_dir / "spark", spark_cwd, marts, views)


def _read_duckdb(build: ParityBuild, mart: str) -> pd.DataFrame:
    with duckdb.connect(str(build.data_dir / "warehouse.duckdb"), read_only=True) as connection:
        return connection.sql(f"select * from marts.{mart}").to_arrow_table().to_pandas()


def _read_spark(build: ParityBuild, mart: str) -> pd.DataFrame:
    """A Spark table's Parquet files, read without Spark so the comparison needs no JVM."""
    folder = build.spark_dir / "warehouse" / "marts.db" / mart
    assert folder.is_dir(), f"Spark did not write marts.{mart} under {folder}"
    files = sorted(str(path) for path in folder.glob("*.parquet"))
    assert files, f"no Parquet files for marts.{mart}"
    with duckdb.connect() as connection:
        relation = connection.read_parquet(files)
        return relation.to_arrow_table().to_pandas()


def _kind(series: pd.Series) -> str:
    """The family of a column's values; engines may pick different widths within one family."""
    values = series.dropna()
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "timestamp"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    if values.empty:
        return "unknown"
    first = values.iloc[0]
    if isinstance(first, bool | np.bool_):
        return "boolean"
    if isinstance(first, decimal.Decimal | int | float):
        return "number"
    if isinstance(first, pd.Timestamp):
        return "timestamp"
    if isinstance(first, date):
        return "date"
    return "string"


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparable values: numbers as float, dates and timestamps as naive timestamps."""
    columns = {}
    for name in frame.columns:
        series = frame[name]
        kind = _kind(series)
        if kind == "number":
            columns[name] = pd.to_numeric(
                series.map(lambda value: None if value is None else float(value)), errors="raise"
            ).astype("float64")
        elif kind in ("timestamp", "date"):
            converted = pd.to_datetime(series)
            if converted.dt.tz is not None:
                converted = converted.dt.tz_convert("UTC").dt.tz_localize(None)
            columns[name] = converted.astype("datetime64[us]")
        elif kind == "boolean":
            columns[name] = series.astype("boolean")
        else:
            columns[name] = series.astype("string")
    return pd.DataFrame(columns, index=frame.index)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by every column, exact columns first; floats are rounded for ordering only,
    so a last-digit difference cannot swap two rows."""
    exact = [name for name in frame.columns if frame[name].dtype != "float64"]
    floats = [name for name in frame.columns if frame[name].dtype == "float64"]
    keys = frame[exact].copy()
    for name in floats:
        keys[name] = frame[name].round(6)
    order = keys.sort_values(list(keys.columns), na_position="first", kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def _differences(mart: str, duck: pd.DataFrame, spark: pd.DataFrame) -> list[str]:
    if list(duck.columns) != list(spark.columns):
        return [f"{mart}: columns differ: {list(duck.columns)} vs {list(spark.columns)}"]
    problems = []
    for name in duck.columns:
        duck_kind, spark_kind = _kind(duck[name]), _kind(spark[name])
        if "unknown" not in (duck_kind, spark_kind) and duck_kind != spark_kind:
            problems.append(f"{mart}.{name}: {duck_kind} on DuckDB, {spark_kind} on Spark")
    if problems:
        return problems
    if len(duck) != len(spark):
        return [f"{mart}: {len(duck)} rows on DuckDB, {len(spark)} on Spark"]
    duck_rows, spark_rows = _sorted(_normalised(duck)), _sorted(_normalised(spark))
    for name in duck_rows.columns:
        left, right = duck_rows[name], spark_rows[name]
        if left.dtype == "float64":
            equal = np.isclose(
                left.to_numpy(dtype="float64", na_value=np.nan),
                right.to_numpy(dtype="float64", na_value=np.nan),
                rtol=RELATIVE_TOLERANCE,
                atol=ABSOLUTE_TOLERANCE,
                equal_nan=True,
            )
        else:
            both_null = left.isna().to_numpy() & right.isna().to_numpy()
            same = (left == right).fillna(False).to_numpy(dtype=bool)
            equal = both_null | same
        if not equal.all():
            first = int(np.flatnonzero(~equal)[0])
            # Values of the first differing row only, never whole rows (marts hold identifiers).
            problems.append(
                f"{mart}.{name}: {int((~equal).sum())} of {len(equal)} rows differ, e.g. "
                f"{left.iloc[first]!r} vs {right.iloc[first]!r}"
            )
    return problems


def test_every_mart_is_found_in_the_manifest(parity_build: ParityBuild) -> None:
    assert {"dim_customers", "fct_orders", "customer_rfm", "cohort_retention"} <= set(
        parity_build.marts
    )


def test_every_mart_has_the_same_rows_on_spark_as_on_duckdb(parity_build: ParityBuild) -> None:
    problems = []
    empty = []
    for mart in parity_build.marts:
        duck = _read_duckdb(parity_build, mart)
        if duck.empty:
            empty.append(mart)
        problems.extend(_differences(mart, duck, _read_spark(parity_build, mart)))
    assert not problems, "\n".join(problems)
    # An empty mart compares equal trivially; the demo data must exercise the core marts.
    assert not {"dim_customers", "fct_orders", "customer_rfm"} & set(empty), empty


def test_every_mart_view_builds_on_spark(parity_build: ParityBuild) -> None:
    assert "channel_roi_weekly" in parity_build.views
    run_results = parity_build.data_dir / "target_spark" / "run_results.json"
    results = json.loads(run_results.read_text())["results"]
    status = {result["unique_id"].rsplit(".", 1)[-1]: result["status"] for result in results}
    assert {view: status.get(view) for view in parity_build.views} == {
        view: "success" for view in parity_build.views
    }


def test_spark_writes_nothing_into_its_working_directory(parity_build: ParityBuild) -> None:
    assert sorted(path.name for path in parity_build.spark_cwd.iterdir()) == []
    assert (parity_build.spark_dir / "metastore_db").is_dir()


def test_the_comparison_catches_a_changed_value_and_a_missing_row() -> None:
    duck = pd.DataFrame(
        {
            "customer_key": ["a", "b"],
            "amount_cents": [100, 200],
            "score": [0.5, 0.25],
            "seen_on": [date(2026, 1, 1), date(2026, 1, 2)],
        }
    )
    assert _differences("m", duck, duck.iloc[::-1].reset_index(drop=True)) == []
    nudged = duck.assign(score=[0.5, 0.25 + 1e-12])
    assert _differences("m", duck, nudged) == []
    changed = duck.assign(seen_on=[date(2026, 1, 1), date(2026, 1, 3)])
    assert _differences("m", duck, changed) == [
        "m.seen_on: 1 of 2 rows differ, e.g. "
        "Timestamp('2026-01-02 00:00:00') vs Timestamp('2026-01-03 00:00:00')"
    ]
    assert _differences("m", duck, duck.iloc[:1]) == ["m: 2 rows on DuckDB, 1 on Spark"]
    as_text = duck.assign(amount_cents=["100", "200"])
    assert _differences("m", duck, as_text) == ["m.amount_cents: number on DuckDB, string on Spark"]
