"""Every dbt model, seed and test as Dagster assets and asset checks."""

from collections.abc import Iterator
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.defs.dbt.project import dbt_project
from dagster_project.defs.dbt.translator import WarehouseTranslator


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseTranslator(),
)
def warehouse_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    yield from dbt.cli(["build"], context=context).stream()
