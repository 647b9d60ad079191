"""Nightly incremental run time next to the full build, at a benchmark scale (default: small).

    python benchmarks/bench_incremental.py [--scale small|medium|large --data-dir /tmp/...]

Generates the landing files of the scale (the customers and activity of ``benchmarks/bench.py``),
loads every day but the last and builds the warehouse from scratch (the full build), then loads
the last export day and runs the nightly build with ``run_date`` = that day: the incremental
models (the staging of the largest raw sources, the facts and ``fct_attribution``) merge the day
plus the lookback, the marts on whole history are rebuilt. Times are printed twice: the
incremental models alone, and the whole dbt project (without the prediction marts, which need the
model fits), then the slowest models of the nightly run. Target: the nightly run of the incremental
models takes at most 10% of their full build. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.measurement import dbt_timings  # noqa: E402
from benchmarks.scales import SCALES  # noqa: E402
from dagster_project.lib.demo.context import Activity  # noqa: E402
from dagster_project.lib.demo.generator import generate  # noqa: E402
from dagster_project.lib.landing import load_all  # noqa: E402

DBT = Path(sys.executable).with_name("dbt")
# The incremental models: the staging of the largest raw sources, the facts and the attribution.
INCREMENTAL = ["--select", "config.materialized:incremental"]
PROJECT = ["--exclude", "source:models+", "resource_type:test", "resource_type:unit_test"]


@dataclass
class Build:
    seconds: float
    model_seconds: dict[str, float]


def dbt(data_dir: Path, arguments: Sequence[str]) -> Build:
    """Seconds dbt spent running one ``dbt build`` (its run_results.json ``elapsed_time``), and
    each model's own time: start-up and project parsing are left out, since they cost the same
    for both builds."""
    env = {key: value for key, value in os.environ.items() if key != "CVW_DUCKDB_PATH"}
    env.update(CVW_DATA_DIR=str(data_dir), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    command = [
        str(DBT),
        "build",
        "--profiles-dir",
        str(REPO_ROOT),
        "--project-dir",
        str(REPO_ROOT),
        "--target-path",
        str(data_dir / "target"),
        "--log-path",
        str(data_dir / "logs"),
        *arguments,
    ]
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:])
        raise SystemExit(f"dbt failed: {' '.join(arguments)}")
    run_results = json.loads((data_dir / "target" / "run_results.json").read_text())
    model_seconds = {
        name: seconds
        for layer, name, seconds in dbt_timings(data_dir / "target")
        if layer not in ("seeds", "tests")
    }
    return Build(float(run_results["elapsed_time"]), model_seconds)


def timed(label: str, seconds: float, reference: float | None = None) -> None:
    share = f"  ({seconds / reference:6.1%} of the full build)" if reference else ""
    sys.stdout.write(f"  {label:<44} {seconds:8.1f} s{share}\n")


def slowest_models(nightly: Build, full: Build, count: int = 8) -> None:
    sys.stdout.write("  slowest models of the nightly run (nightly / full build):\n")
    ranked = sorted(nightly.model_seconds.items(), key=lambda item: -item[1])[:count]
    for model, seconds in ranked:
        sys.stdout.write(f"    {model:<42} {seconds:6.1f} s / {full.model_seconds[model]:6.1f} s\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 10, 31))
    parser.add_argument("--lookback-days", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/cvw_bench_incremental"))
    arguments = parser.parse_args(argv)

    data_dir: Path = arguments.data_dir
    shutil.rmtree(data_dir, ignore_errors=True)
    scale = SCALES[arguments.scale]
    generate(
        data_dir / "landing",
        seed=arguments.seed,
        customers=scale.customers,
        days=scale.days,
        end_date=arguments.end_date,
        activity=Activity(scale.orders_scale, scale.events_scale, scale.clicks_scale),
    )
    last_day = arguments.end_date
    history = [last_day - timedelta(days=offset) for offset in range(1, scale.days)]
    load_all(data_dir / "landing", data_dir / "raw", history)
    nightly_vars = [
        "--vars",
        f"{{run_date: '{last_day}', lookback_days: {arguments.lookback_days}}}",
    ]
    incremental = [*INCREMENTAL, "--exclude", "resource_type:test", "resource_type:unit_test"]

    full_project = dbt(data_dir, [*PROJECT, "--full-refresh"])
    # Everything they read is in place now, so this times the incremental models alone.
    full_incremental = dbt(data_dir, [*incremental, "--full-refresh"])

    started = time.perf_counter()
    load_all(data_dir / "landing", data_dir / "raw", [last_day])
    extraction = time.perf_counter() - started
    nightly_incremental = dbt(data_dir, [*incremental, *nightly_vars])
    nightly_project = dbt(data_dir, [*PROJECT, *nightly_vars])

    sys.stdout.write(
        f"scale={arguments.scale} customers={scale.customers:,} days={scale.days} "
        f"nightly day={last_day} lookback={arguments.lookback_days}\n"
    )
    models = f"{len(full_incremental.model_seconds)} incremental models"
    timed(f"{models}, full build", full_incremental.seconds)
    timed(f"{models}, nightly run", nightly_incremental.seconds, full_incremental.seconds)
    timed("whole dbt project, full build", full_project.seconds)
    timed("whole dbt project, nightly run", nightly_project.seconds, full_project.seconds)
    timed("extraction of the night's landing files", extraction)
    slowest_models(nightly_project, full_project)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
