"""The nightly run: every asset, at 02:00 China time."""

from __future__ import annotations

from dagster import AssetSelection, ScheduleDefinition, define_asset_job

nightly_job = define_asset_job(
    name="nightly_warehouse",
    selection=AssetSelection.all(),
    description="Extract every landing source, build every dbt model and run every check.",
)

nightly_schedule = ScheduleDefinition(
    name="nightly_warehouse_0200_shanghai",
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
)
