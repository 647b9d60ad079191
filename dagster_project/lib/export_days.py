"""Export days: the landing folder's range of days and the dbt vars of a run over some days.

The extraction is partitioned by landing export day (China time). The arithmetic on those days
lives here, free of Dagster, so the Dagster partitions and the backfill command line share it.
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

from dagster_project.lib.contract import SOURCES
from dagster_project.lib.data_layout import DataLayout
from dagster_project.lib.landing_files import landing_dates, landing_dir
from dagster_project.lib.project_vars import project_var, run_var_overrides

# Export days are China Standard Time; the nightly schedule fires at 02:00 in the same zone.
PARTITION_TIMEZONE = "Asia/Shanghai"
# Days before the processed export day that dbt re-reads for late or re-exported rows: the
# `lookback_days` var of dbt_project.yml, so a run that passes it keeps the project's value.
DEFAULT_LOOKBACK_DAYS = int(project_var("lookback_days"))
PARTITIONS_START_ENV = "CVW_PARTITIONS_START"
# The first partition when the landing folder holds no export yet.
DEFAULT_PARTITIONS_START = "2025-01-01"
_EXPORT_DAY = re.compile(r"_(\d{4}-\d{2}-\d{2})\.csv")


def partitions_start(landing_root: Path | None = None) -> str:
    """First export day of the partitions: ``CVW_PARTITIONS_START`` when set, else the earliest
    export day in the landing folder (``landing_root``, default the configured one), else
    2025-01-01 for an empty folder.

    The definitions compute this on every load, so it reads file names only: a misnamed file is
    skipped here and refused, with its name, by the extraction.
    """
    configured = os.environ.get(PARTITIONS_START_ENV, "").strip()
    if configured:
        return configured
    earliest = earliest_export_day(
        DataLayout.from_env().landing if landing_root is None else landing_root
    )
    return earliest.isoformat() if earliest is not None else DEFAULT_PARTITIONS_START


def earliest_export_day(landing_root: Path) -> date | None:
    """The earliest export day in the names of the landing files; None when there is none."""
    earliest: date | None = None
    for source in SOURCES:
        directory = landing_dir(source, landing_root)
        if not directory.is_dir():
            continue
        with os.scandir(directory) as entries:
            names = [entry.name for entry in entries if entry.is_file()]
        for name in names:
            match = _EXPORT_DAY.fullmatch(name.removeprefix(source.table))
            if match is None:
                continue
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                continue
            if earliest is None or day < earliest:
                earliest = day
    return earliest


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``, both included."""
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def dbt_vars_for_days(
    days: tuple[date, date] | None, lookback_days: int = DEFAULT_LOOKBACK_DAYS
) -> dict[str, object]:
    """dbt vars of a run over ``days``: the last day, and a lookback reaching the first day, on
    top of the vars the run overrides from the environment (lib/project_vars.py).

    An unpartitioned run passes no run_date, so the incremental models start from their own
    watermark.
    """
    overrides: dict[str, object] = dict(run_var_overrides())
    if days is None:
        return {**overrides, "lookback_days": lookback_days}
    first, last = days
    return {
        **overrides,
        "run_date": last.isoformat(),
        "lookback_days": (last - first).days + lookback_days,
    }


def landing_range(landing_root: Path) -> tuple[date, date] | None:
    """First and last export day of any landing file; None when the landing folder is empty."""
    days = sorted({day for source in SOURCES for day in landing_dates(source, landing_root)})
    return (days[0], days[-1]) if days else None
