"""Extraction: one asset per landing source, copying landing files into the raw Parquet layer."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from dagster_project.lib.contract import SOURCES, SourceTable
from dagster_project.lib.landing import load_source
from dagster_project.resources import WarehouseResource


def raw_asset_key(source: SourceTable) -> AssetKey:
    return AssetKey(["raw", source.family, source.table])


def build_raw_asset(source: SourceTable) -> AssetsDefinition:
    @asset(
        key=raw_asset_key(source),
        group_name=f"raw_{source.family}",
        description=f"{source.description} Landing files copied as text into raw Parquet.",
        kinds={"parquet", "python"},
        metadata={"landing_pattern": f"{source.family}/{source.table}/{source.table}_*.csv"},
    )
    def _raw_asset(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> MaterializeResult:
        report = load_source(source, warehouse.landing_root, warehouse.raw_root)
        for warning in report.warnings:
            context.log.warning(warning)
        context.log.info(
            f"{source.name}: {report.files_loaded} files, {report.rows_read} rows, "
            f"{report.malformed_rows} malformed"
        )
        return MaterializeResult(
            metadata={
                "files_loaded": report.files_loaded,
                "rows_read": report.rows_read,
                "malformed_rows": report.malformed_rows,
                "warnings": MetadataValue.md(
                    "\n".join(f"- {w}" for w in report.warnings) or "none"
                ),
                "raw_path": MetadataValue.path(
                    str(warehouse.raw_root / source.family / source.table)
                ),
            }
        )

    return _raw_asset


raw_assets: list[AssetsDefinition] = [build_raw_asset(source) for source in SOURCES]
