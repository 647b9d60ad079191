"""Launch a night of the warehouse as one Dagster run, with a console a person reads.

python -m dagster_project.cli.launch
    every export day of the landing folder: extraction over the whole range, every dbt model,
    model fit, check, the published snapshot and the reports, in one run (``make load``).
python -m dagster_project.cli.launch --start 2026-10-01 --end 2026-10-07
    those export days only (``make backfill``, ``make nightly``): the range reaches dbt as
    ``run_date`` = end and a lookback reaching the start, so the incremental models merge them.
--log-level DEBUG (``make ... LOG_LEVEL=DEBUG``)
    Dagster's own event log on the console as well.

The run is recorded in ``DAGSTER_HOME`` like a run from the UI or the schedule, so the UI and
``make summary`` see it. Exit status: 0 when the run succeeded, 1 otherwise (a failed step, or a
failed error-level check, which skips what depends on it).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from datetime import date

from dagster_project.lib.data_layout import DataLayout
from dagster_project.lib.export_days import days_between, landing_range

logger = logging.getLogger("dagster_project.launch")
# Dagster settings for a run over a range of export days, which would otherwise write one
# "planned" event per asset and day before the first step (5,000 for a year of 14 sources, a
# minute and a half of a small machine's time): one planned event per asset instead. A failed
# run then marks no partition as failed; the run's own status says it.
RANGE_RUN_SETTINGS = {"DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "1"}


def say(line: str) -> None:
    sys.stdout.write(f"{time.strftime('%H:%M:%S')}  {line}\n")
    sys.stdout.flush()


def export_days(start: date | None, end: date | None) -> tuple[date, date] | None:
    """The run's export days: the arguments, else the landing folder's first and last day."""
    if start is not None and end is not None:
        return start, end
    return landing_range(DataLayout.from_env().landing)


def run_config(log_level: str) -> dict[str, object]:
    loggers: dict[str, object] = {"progress": {}}
    if log_level.upper() == "DEBUG":
        loggers["console"] = {"config": {"log_level": "DEBUG"}}
    return {"loggers": loggers}


def launch(first: date, last: date, log_level: str) -> int:
    """One run over every asset with the days as its partition range; 0 when it succeeded."""
    say("loading the pipeline definitions (dbt manifest, assets, checks)")
    for name, value in RANGE_RUN_SETTINGS.items():
        os.environ.setdefault(name, value)
    # The project's modules log through Python logging as well as through the run; with a handler
    # in place Python does not also print their warnings on stderr, so each shows once.
    logging.getLogger("dagster_project").addHandler(logging.NullHandler())
    # Imported here: loading the definitions takes seconds, and the first line above should not.
    from dagster import DagsterInstance

    from dagster_project.definitions import defs
    from dagster_project.defs.console import CONSOLE_TAG, PROGRESS_CONSOLE
    from dagster_project.defs.ingest.partitions import RANGE_END_TAG, RANGE_START_TAG

    job = defs.resolve_implicit_global_asset_job_def()
    tags = {
        RANGE_START_TAG: first.isoformat(),
        RANGE_END_TAG: last.isoformat(),
        CONSOLE_TAG: PROGRESS_CONSOLE,
    }
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            run_config=run_config(log_level),
            instance=instance,
            tags=tags,
            raise_on_error=False,
        )
    say(f"run {result.run_id}: {'SUCCESS' if result.success else 'FAILURE'}")
    return 0 if result.success else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the warehouse over landing export days.")
    parser.add_argument("--start", type=date.fromisoformat, help="first export day, YYYY-MM-DD")
    parser.add_argument("--end", type=date.fromisoformat, help="last export day, YYYY-MM-DD")
    parser.add_argument("--log-level", default="INFO", help="DEBUG adds Dagster's event log")
    arguments = parser.parse_args(argv)
    if (arguments.start is None) != (arguments.end is None):
        parser.error("--start and --end go together")
    if arguments.start is not None and arguments.start > arguments.end:
        parser.error("--start must not be after --end")
    days = export_days(arguments.start, arguments.end)
    landing = DataLayout.from_env().landing
    if days is None:
        say(f"no landing files under {landing}: see docs/sources.md for the layout")
        return 1
    first, last = days
    count = len(days_between(first, last))
    say(f"night over export days {first}..{last} ({count} days) from {landing}")
    return launch(first, last, arguments.log_level)


if __name__ == "__main__":
    raise SystemExit(main())
