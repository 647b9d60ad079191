"""Assembles the warehouse's Dagster definitions; the work lives in the modules imported here."""

import os

from dagster import (
    Definitions,
    ExecutorDefinition,
    colored_console_logger,
    in_process_executor,
    multiprocess_executor,
)

from dagster_project.defs.console import progress_logger
from dagster_project.defs.dbt.assets import prediction_dbt_models, warehouse_dbt_models
from dagster_project.defs.ingest.assets import raw_assets
from dagster_project.defs.models.assets import model_assets
from dagster_project.defs.publish.assets import warehouse_snapshot
from dagster_project.defs.quality.checks import build_suite_checks
from dagster_project.defs.report.assets import warehouse_report
from dagster_project.defs.schedules import nightly_job, nightly_schedule
from dagster_project.defs.sensors import extraction_job, new_landing_files
from dagster_project.resources import build_resources


def _executor() -> ExecutorDefinition:
    """In-process by default: most steps take under a second, so a process per step costs more
    than the work on a small machine. ``CVW_EXECUTOR=multiprocess`` runs steps in parallel."""
    if os.environ.get("CVW_EXECUTOR", "in_process") == "multiprocess":
        return multiprocess_executor
    return in_process_executor


defs = Definitions(
    assets=[
        *raw_assets,
        warehouse_dbt_models,
        *model_assets,
        prediction_dbt_models,
        warehouse_snapshot,
        warehouse_report,
    ],
    asset_checks=build_suite_checks(),
    jobs=[nightly_job, extraction_job],
    schedules=[nightly_schedule],
    sensors=[new_landing_files],
    resources=build_resources(),
    executor=_executor(),
    # Dagster's console logger stays the default; the launcher selects the progress console.
    loggers={"console": colored_console_logger, "progress": progress_logger},
)
