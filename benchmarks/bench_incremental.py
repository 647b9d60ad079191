"""Nightly incremental run time next to the full build, at the demo's default scale.

    python benchmarks/bench_incremental.py [--customers 2000 --days 365 --data-dir /tmp/...]

Generates the demo landing files, loads every day but the last and builds the warehouse from
scratch (the full build), then loads the last export day and runs the nightly build with
``run_date`` = that day: the incremental facts merge the day plus the lookback, the marts on whole
history are rebuilt. Times are printed twice: the incremental facts alone, and the whole dbt
project (without the prediction marts, which need the model fits). Target: the nightly facts take
at most 10% of their full build. Figures only; nothing is asserted.
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
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from dagster_project.lib.demo_data import generate  # noqa: E402
from dagster_project.lib.landing import load_all  # noqa: E402

DBT = Path(sys.executable).with_name("dbt")
FACTS = ["fct_orders", "fct_miniprogram_events", "fct_ad_clicks"]
PROJECT = ["--exclude", "source:models+", "resource_type:test", "resource_type:unit_test"]


def dbt(data_dir: Path, arguments: Sequence[str]) -> float:
    """Seconds dbt spent running one ``dbt build`` (its run_results.json ``elapsed_time``):
    start-up and project parsing are left out, since they cost the same for both builds."""
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
    return float(run_results["elapsed_time"])


def timed(label: str, seconds: float, reference: float | None = None) -> None:
    share = f"  ({seconds / reference:6.1%} of the full build)" if reference else ""
    sys.stdout.write(f"  {label:<44} {seconds:8.1f} s{share}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 10, 31))
    parser.add_argument("--lookback-days", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/cvw_bench_incremental"))
    arguments = parser.parse_args(argv)

    data_dir: Path = arguments.data_dir
    shutil.rmtree(data_dir, ignore_errors=True)
    generate(
        data_dir / "landing",
        seed=arguments.seed,
        customers=arguments.customers,
        days=arguments.days,
        end_date=arguments.end_date,
    )
    last_day = arguments.end_date
    history = [last_day - timedelta(days=offset) for offset in range(1, arguments.days)]
    load_all(data_dir / "landing", data_dir / "raw", history)
    nightly_vars = [
        "--vars",
        f"{{run_date: '{last_day}', lookback_days: {arguments.lookback_days}}}",
    ]
    facts = ["--select", *FACTS, "--exclude", "resource_type:test", "resource_type:unit_test"]

    full_project = dbt(data_dir, [*PROJECT, "--full-refresh"])
    # Staging and intermediates are in place now, so this times the facts alone.
    full_facts = dbt(data_dir, [*facts, "--full-refresh"])

    started = time.perf_counter()
    load_all(data_dir / "landing", data_dir / "raw", [last_day])
    extraction = time.perf_counter() - started
    nightly_facts = dbt(data_dir, [*facts, *nightly_vars])
    nightly_project = dbt(data_dir, [*PROJECT, *nightly_vars])

    sys.stdout.write(
        f"customers={arguments.customers} days={arguments.days} nightly day={last_day} "
        f"lookback={arguments.lookback_days}\n"
    )
    timed("incremental facts, full build", full_facts)
    timed("incremental facts, nightly run", nightly_facts, full_facts)
    timed("whole dbt project, full build", full_project)
    timed("whole dbt project, nightly run", nightly_project, full_project)
    timed("extraction of the night's landing files", extraction)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
