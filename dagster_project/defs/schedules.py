"""The nightly run: every asset for yesterday's export day, at 02:00 China time, with retries."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    Backoff,
    RetryPolicy,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

from dagster_project.defs.ingest.partitions import daily_partitions

# A step failing on a passing cause (a file still being copied, a lock held by a reader) is
# retried with growing pauses; every step is safe to repeat because loads and merges are keyed.
STEP_RETRY = RetryPolicy(max_retries=2, delay=120, backoff=Backoff.EXPONENTIAL)
# Whole-run retries (from the failed step) need `run_retries: {enabled: true}` in dagster.yaml.
RUN_RETRY_TAGS = {"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"}

nightly_job = define_asset_job(
    name="nightly_warehouse",
    selection=AssetSelection.all(),
    partitions_def=daily_partitions,
    op_retry_policy=STEP_RETRY,
    tags=RUN_RETRY_TAGS,
    description=(
        "Extract one landing export day, build every dbt model (incremental facts merge the day "
        "plus the lookback) and run every check."
    ),
)

# The latest complete partition at 02:00 is the previous export day.
nightly_schedule = build_schedule_from_partitioned_job(
    nightly_job,
    name="nightly_warehouse_0200_shanghai",
    hour_of_day=2,
    minute_of_hour=0,
    description="Nightly load of yesterday's landing exports at 02:00 Asia/Shanghai.",
)
