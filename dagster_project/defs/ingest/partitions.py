"""Daily partitions of the extraction: one partition per landing export day, China time.

They start at the earliest export day in the landing folder when the definitions load (or at
``CVW_PARTITIONS_START``): lib/export_days.partitions_start. History of any age has partitions.

A run names its export days with Dagster's partition tags; the helpers here turn those tags into
the load dates of the extraction and the ``run_date`` / ``lookback_days`` vars of dbt, so an
unpartitioned asset in a partitioned run (the dbt build) still knows which night it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from dagster import BackfillPolicy, DailyPartitionsDefinition

from dagster_project.lib.export_days import (
    PARTITION_TIMEZONE,
    dbt_vars_for_days,
    partitions_start,
)

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

daily_partitions = DailyPartitionsDefinition(
    start_date=partitions_start(),
    timezone=PARTITION_TIMEZONE,
)

# One writer: a range of days is one run, so a backfill never has two runs writing one file.
single_run_backfill = BackfillPolicy.single_run()


def partition_days(tags: Mapping[str, str]) -> tuple[date, date] | None:
    """First and last export day named by a run's tags; None for an unpartitioned run."""
    if PARTITION_TAG in tags:
        day = date.fromisoformat(tags[PARTITION_TAG])
        return day, day
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags[RANGE_END_TAG])
    return None


def dbt_vars_args(tags: Mapping[str, str]) -> list[str]:
    """``--vars`` arguments for ``dbt build`` in a run with these tags."""
    return ["--vars", json.dumps(dbt_vars_for_days(partition_days(tags)))]
