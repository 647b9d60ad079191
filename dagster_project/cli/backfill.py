"""Backfill a range of landing export days from the command line.

python -m dagster_project.cli.backfill --start 2026-10-01 --end 2026-10-07
    two Dagster runs recorded in DAGSTER_HOME: the extraction of those days over the partition
    range in one run, then every dbt model, model fit and check.
python -m dagster_project.cli.backfill --start 2026-10-01 --end 2026-10-07 --direct
    the same without Dagster: load the days into raw, then ``dbt build`` with
    ``run_date`` = end and a lookback reaching the start, so re-exported old days are merged
    again into the incremental facts.
python -m dagster_project.cli.backfill --landing-range
    prints ``<first>...<last>`` export day found in the landing folder (``make run`` uses it).
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

from dagster_project.lib.data_layout import REPO_ROOT, DataLayout
from dagster_project.lib.export_days import (
    DEFAULT_LOOKBACK_DAYS,
    days_between,
    dbt_vars_for_days,
    landing_range,
)
from dagster_project.lib.landing import load_all
from dagster_project.lib.landing_files import LandingFileError

logger = logging.getLogger("dagster_project.backfill")
DEFINITIONS_MODULE = "dagster_project.definitions"
RAW_SELECTION = 'key:"raw/*"'


def dagster_commands(first: date, last: date) -> list[list[str]]:
    """Dagster CLI calls for the range: the extraction over the partition range in one run, then
    every unpartitioned asset (dbt, model fits, checks) once. The CLI takes a partition range only
    when every selected asset runs a range in one run, which the dbt assets do not declare."""
    dagster = str(Path(sys.executable).with_name("dagster"))
    base = [dagster, "asset", "materialize", "-m", DEFINITIONS_MODULE, "--select"]
    return [
        [*base, RAW_SELECTION, "--partition-range", f"{first.isoformat()}...{last.isoformat()}"],
        [*base, f"not {RAW_SELECTION}"],
    ]


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
    parser.add_argument(
        "--landing-range", action="store_true", help="print the landing folder's export days"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    if arguments.landing_range:
        found = landing_range(DataLayout.from_env().landing)
        if found is None:
            logger.error("no landing files under %s", DataLayout.from_env().landing)
            return 1
        sys.stdout.write(f"{found[0].isoformat()}...{found[1].isoformat()}\n")
        return 0
    if arguments.start is None or arguments.end is None or arguments.start > arguments.end:
        parser.error("--start and --end (start <= end) are required")
    if arguments.direct:
        return run_direct(arguments.start, arguments.end, arguments.lookback_days)
    for command in dagster_commands(arguments.start, arguments.end):
        returncode = subprocess.run(command, cwd=REPO_ROOT).returncode
        if returncode != 0:
            return returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
