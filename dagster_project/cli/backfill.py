"""Backfill a range of landing export days from the command line.

python -m dagster_project.cli.backfill --start 2026-10-01 --end 2026-10-07
    one Dagster run recorded in DAGSTER_HOME (``make backfill``; cli/launch.py): the extraction
    of those days, then every dbt model with ``run_date`` = end and a lookback reaching the
    start, the model fits, every check, the snapshot and the reports.
python -m dagster_project.cli.backfill --start 2026-10-01 --end 2026-10-07 --direct
    the load and ``dbt build`` of the same days without Dagster (no fits, checks or snapshot).
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from dagster_project.cli import launch
from dagster_project.lib.data_layout import REPO_ROOT, DataLayout
from dagster_project.lib.export_days import (
    DEFAULT_LOOKBACK_DAYS,
    days_between,
    dbt_vars_for_days,
)
from dagster_project.lib.landing import load_all
from dagster_project.lib.landing_files import LandingFileError

logger = logging.getLogger("dagster_project.backfill")


def dbt_command(first: date, last: date, lookback_days: int) -> list[str]:
    """``dbt build`` of the range: vars name the last day and reach back to the first."""
    dbt_vars = dbt_vars_for_days((first, last), lookback_days)
    return [
        str(Path(sys.executable).with_name("dbt")),
        "build",
        "--profiles-dir",
        str(REPO_ROOT),
        "--project-dir",
        str(REPO_ROOT),
        "--vars",
        json.dumps(dbt_vars),
    ]


def run_direct(first: date, last: date, lookback_days: int) -> int:
    """Load the days into raw and build dbt with the range's vars, without Dagster."""
    layout = DataLayout.from_env()
    try:
        load_all(layout.landing, layout.raw, days_between(first, last))
    except LandingFileError as error:
        logger.error("load failed: %s", error)
        return 1
    return subprocess.run(dbt_command(first, last, lookback_days), cwd=REPO_ROOT).returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Backfill landing export days (China time).")
    parser.add_argument("--start", type=date.fromisoformat, help="first export day, YYYY-MM-DD")
    parser.add_argument("--end", type=date.fromisoformat, help="last export day, YYYY-MM-DD")
    parser.add_argument(
        "--lookback-days",
        type=int,
        default=DEFAULT_LOOKBACK_DAYS,
        help="extra days before --start that dbt re-reads (default %(default)s)",
    )
    parser.add_argument("--direct", action="store_true", help="run the load and dbt directly")
    parser.add_argument("--log-level", default="INFO", help="DEBUG adds Dagster's event log")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    if arguments.start is None or arguments.end is None or arguments.start > arguments.end:
        parser.error("--start and --end (start <= end) are required")
    if arguments.direct:
        return run_direct(arguments.start, arguments.end, arguments.lookback_days)
    return launch.main(
        [
            "--start",
            arguments.start.isoformat(),
            "--end",
            arguments.end.isoformat(),
            "--log-level",
            arguments.log_level,
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
