"""Daily partitions of the extraction: one partition per landing export day, China time.

A run names its export days with Dagster's partition tags; the helpers here turn those tags into
the load dates of the extraction and the ``run_date`` / ``lookback_days`` vars of dbt, so an
unpartitioned asset in a partitioned run (the dbt build) still knows which night it is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date, timedelta

from dagster import BackfillPolicy, DailyPartitionsDefinition

# Export days are China Standard Time; the nightly schedule fires at 02:00 in the same zone.
PARTITION_TIMEZONE = "Asia/Shanghai"
# Days before the processed export day that dbt re-reads for late or re-exported rows.
DEFAULT_LOOKBACK_DAYS = 3

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

daily_partitions = DailyPartitionsDefinition(
    start_date=os.environ.get("CVW_PARTITIONS_START", "2025-01-01"),
    timezone=PARTITION_TIMEZONE,
)

# One writer: a range of days is one run, so a backfill never has two runs writing one file.
single_run_backfill = BackfillPolicy.single_run()


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``, both included."""
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def partition_days(tags: Mapping[str, str]) -> tuple[date, date] | None:
    """First and last export day named by a run's tags; None for an unpartitioned run."""
    if PARTITION_TAG in tags:
        day = date.fromisoformat(tags[PARTITION_TAG])
        return day, day
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags[RANGE_END_TAG])
    return None


def dbt_vars_for_days(
    days: tuple[date, date] | None, lookback_days: int = DEFAULT_LOOKBACK_DAYS
) -> dict[str, str | int]:
    """dbt vars of a run over ``days``: the last day, and a lookback reaching the first day.

    An unpartitioned run passes no run_date, so the incremental models start from their own
    watermark.
    """
    if days is None:
        return {"lookback_days": lookback_days}
    first, last = days
    return {"run_date": last.isoformat(), "lookback_days": (last - first).days + lookback_days}


def dbt_vars_args(tags: Mapping[str, str]) -> list[str]:
    """``--vars`` arguments for ``dbt build`` in a run with these tags."""
    return ["--vars", json.dumps(dbt_vars_for_days(partition_days(tags)))]
