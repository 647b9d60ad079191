"""Every dbt model, seed and test as Dagster assets and asset checks.

The dbt project is split in two around the Python model-fitting assets: everything that does not
read the fitted models' outputs builds first; the prediction marts (``source:models+``) build after
the models have been fitted, in the same run. A run over export days (the nightly partition or a
backfill range) passes them to dbt as ``run_date`` / ``lookback_days``, so the incremental models
merge exactly those days plus the lookback. ``CVW_DBT_FULL_REFRESH=1`` rebuilds them from every
raw day instead (``make run`` sets it, since it regenerates the demo data).
"""

import contextlib
import io
import os
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetMaterialization, Output
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.defs.console import CONSOLE_TAG, PROGRESS_CONSOLE, PROGRESS_EXTRA
from dagster_project.defs.dbt.translator import WarehouseTranslator
from dagster_project.defs.ingest.partitions import dbt_vars_args
from dagster_project.resources import dbt_project

MODEL_OUTPUTS = "source:models+"
FULL_REFRESH_ENV = "CVW_DBT_FULL_REFRESH"
# A progress line each time another tenth of the build's models is done, in builds of at least
# PROGRESS_MIN_MODELS models (a smaller build takes seconds).
PROGRESS_STEPS = 10
PROGRESS_MIN_MODELS = 20


def dbt_build_args(tags: Mapping[str, str]) -> list[str]:
    """``dbt build`` arguments of a run: the export days its tags name, and ``--full-refresh``
    when CVW_DBT_FULL_REFRESH is 1/true/yes."""
    full_refresh = os.environ.get(FULL_REFRESH_ENV, "").strip().lower() in {"1", "true", "yes"}
    return ["build", *dbt_vars_args(tags), *(["--full-refresh"] if full_refresh else [])]


def build_with_progress(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """``dbt build`` with a line per tenth of the models done.

    Under the launcher's console (run tag ``cvw/console=progress``) dbt's own log, which
    dagster-dbt echoes to stdout line by line, stays in dbt's log file under ``target/``
    instead of the console.
    """
    total = len(context.selected_asset_keys)
    done = 0
    quiet = context.run.tags.get(CONSOLE_TAG) == PROGRESS_CONSOLE
    echo = contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext()
    with echo as captured:
        for event in dbt.cli(dbt_build_args(context.run.tags), context=context).stream():
            if isinstance(captured, io.StringIO):
                captured.seek(0)
                captured.truncate()
            if isinstance(event, Output | AssetMaterialization):
                done += 1
                tenth = done * PROGRESS_STEPS // max(total, 1)
                if total >= PROGRESS_MIN_MODELS and tenth > (done - 1) * PROGRESS_STEPS // total:
                    context.log.info(
                        f"dbt: {done} of {total} models built", extra={PROGRESS_EXTRA: True}
                    )
            yield event


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
    exclude=MODEL_OUTPUTS,
    name="warehouse_dbt_models",
)
def warehouse_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    yield from build_with_progress(context, dbt)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
    select=MODEL_OUTPUTS,
    name="prediction_dbt_models",
)
def prediction_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    yield from build_with_progress(context, dbt)
