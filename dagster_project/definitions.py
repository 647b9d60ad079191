"""Assembles the warehouse's Dagster definitions; the work lives in the modules imported here."""

from __future__ import annotations

from dagster import Definitions

from dagster_project.defs.dbt.assets import prediction_dbt_models, warehouse_dbt_models
from dagster_project.defs.ingest.assets import raw_assets
from dagster_project.defs.models.assets import model_assets
from dagster_project.defs.quality.checks import build_suite_checks
from dagster_project.defs.schedules import nightly_job, nightly_schedule
from dagster_project.resources import build_resources

defs = Definitions(
    assets=[*raw_assets, warehouse_dbt_models, *model_assets, prediction_dbt_models],
    asset_checks=build_suite_checks(),
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    resources=build_resources(),
)
