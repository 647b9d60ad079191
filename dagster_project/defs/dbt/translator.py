"""How dbt nodes appear in Dagster: keys by layer, groups by dbt folder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

LAYERS = ("staging", "quarantine", "intermediate", "marts")


class WarehouseTranslator(DagsterDbtTranslator):
    """Models are keyed ``<layer>/<model>``; sources take the raw asset key from their meta."""

    def __init__(self) -> None:
        # Source tests stay dbt test results (logged as observations): as checks on the raw
        # assets they would pull the dbt asset into extraction-only runs and make every later dbt
        # run a subset whose tests can reference marts not built yet.
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        layer = _layer(dbt_resource_props)
        return AssetKey([layer, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return f"raw_{dbt_resource_props['source_name']}"
        fqn = dbt_resource_props.get("fqn", [])
        layer = _layer(dbt_resource_props)
        # One group per sub-folder (staging/<family>, marts/<domain>) keeps the graph legible.
        if layer in LAYERS and len(fqn) > 3:
            return f"{layer}_{fqn[2]}"
        return layer


def _layer(dbt_resource_props: Mapping[str, Any]) -> str:
    if dbt_resource_props["resource_type"] == "seed":
        return "reference"
    fqn = dbt_resource_props.get("fqn", [])
    return fqn[1] if len(fqn) > 2 and fqn[1] in LAYERS else "other"
