"""The static HTML report, rendered from the snapshot just published for BI."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from dagster_project.defs.publish.assets import PUBLISHED_SNAPSHOT
from dagster_project.lib import report
from dagster_project.resources import WarehouseResource

WAREHOUSE_REPORT = AssetKey(["reports", "warehouse_report"])


@asset(
    key=WAREHOUSE_REPORT,
    deps=[PUBLISHED_SNAPSHOT],
    group_name="publish",
    description="reports/warehouse_report.html: cohorts, RFM, LTV, ROAS, funnel, data quality.",
)
def warehouse_report(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    path, sections = report.write_report(Path(warehouse.data_dir))
    missing = [section.title for section in sections if not section.available]
    if missing:
        context.log.info(f"report sections not available yet: {', '.join(missing)}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(path)),
            "sections": len(sections),
            "sections_not_available": MetadataValue.json(missing),
        }
    )
