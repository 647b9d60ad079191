"""Every dbt model, seed and test as Dagster assets and asset checks.

The dbt project is split in two around the Python model-fitting assets: everything that does not
read the fitted models' outputs builds first; the prediction marts (``source:models+``) build after
the models have been fitted, in the same run. A run over export days (the nightly partition or a
backfill range) passes them to dbt as ``run_date`` / ``lookback_days``, so the incremental models
merge exactly those days plus the lookback. ``CVW_DBT_FULL_REFRESH=1`` rebuilds them from every
raw day instead (``make run`` sets it, since it regenerates the demo data).
"""

import os
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.defs.dbt.translator import WarehouseTranslator
from dagster_project.defs.ingest.partitions import dbt_vars_args
from dagster_project.resources import dbt_project

MODEL_OUTPUTS = "source:models+"
FULL_REFRESH_ENV = "CVW_DBT_FULL_REFRESH"


def dbt_build_args(tags: Mapping[str, str]) -> list[str]:
    """``dbt build`` arguments of a run: the export days its tags name, and ``--full-refresh``
    when CVW_DBT_FULL_REFRESH is 1/true/yes."""
    full_refresh = os.environ.get(FULL_REFRESH_ENV, "").strip().lower() in {"1", "true", "yes"}
    return ["build", *dbt_vars_args(tags), *(["--full-refresh"] if full_refresh else [])]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
    exclude=MODEL_OUTPUTS,
    name="warehouse_dbt_models",
)
def warehouse_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    yield from dbt.cli(dbt_build_args(context.run.tags), context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
    select=MODEL_OUTPUTS,
    name="prediction_dbt_models",
)
def prediction_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    yield from dbt.cli(dbt_build_args(context.run.tags), context=context).stream()
