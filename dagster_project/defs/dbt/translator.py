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
        # Source tests (raw lineage, required fields) are checks on the raw assets, run by the
        # dbt build. A night is one run over every asset, so the dbt build is never a subset;
        # the extraction-only job leaves these checks out (defs/sensors.py).
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_asset_checks=True, enable_source_tests_as_checks=True
            )
        )

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
