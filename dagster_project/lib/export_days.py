"""Export days: the landing folder's range of days and the dbt vars of a run over some days.

The extraction is partitioned by landing export day (China time). The arithmetic on those days
lives here, free of Dagster, so the Dagster partitions and the backfill command line share it.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from dagster_project.lib.contract import SOURCES
from dagster_project.lib.landing_files import landing_dates
from dagster_project.lib.project_vars import project_var, run_var_overrides

# Export days are China Standard Time; the nightly schedule fires at 02:00 in the same zone.
PARTITION_TIMEZONE = "Asia/Shanghai"
# Days before the processed export day that dbt re-reads for late or re-exported rows: the
# `lookback_days` var of dbt_project.yml, so a run that passes it keeps the project's value.
DEFAULT_LOOKBACK_DAYS = int(project_var("lookback_days"))
DEFAULT_PARTITIONS_START = "2025-01-01"


def partitions_start() -> str:
    """First export day of the partitions: ``CVW_PARTITIONS_START`` or 2025-01-01."""
    return os.environ.get("CVW_PARTITIONS_START", DEFAULT_PARTITIONS_START)


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
