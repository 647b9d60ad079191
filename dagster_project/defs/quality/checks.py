"""Great Expectations suites from ``expectations/`` as Dagster asset checks.

A suite file named ``<asset key joined by '.'>.json`` checks that asset: ``raw.shop.orders.json``
checks the raw orders, ``marts.customer_rfm.json`` the RFM mart. Error-severity failures block the
assets downstream in the same run; warn-severity failures are reported and let the run go on.
"""

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.dataset as pa_dataset
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from dagster_project.lib.gx_validation import EXPECTATIONS_DIR, SuiteOutcome, validate_dataframe
from dagster_project.resources import WarehouseResource


def suite_names(expectations_dir: Path = EXPECTATIONS_DIR) -> list[str]:
    return sorted(path.stem for path in expectations_dir.glob("*.json"))


def asset_key_for_suite(suite_name: str) -> AssetKey:
    return AssetKey(suite_name.split("."))


def read_asset_frame(warehouse: WarehouseResource, key: AssetKey) -> pd.DataFrame:
    """Load the data behind an asset: raw assets from Parquet, dbt models from DuckDB."""
    layer, *rest = key.path
    if layer == "raw":
        family, table = rest
        table_dir = warehouse.raw_root / family / table
        dataset = pa_dataset.dataset(table_dir, format="parquet", partitioning="hive")
        return dataset.to_table().to_pandas()
    return warehouse.read_table(f"{layer}.{rest[-1]}")


def check_result(outcome: SuiteOutcome) -> AssetCheckResult:
    failed = outcome.failed
    severity = AssetCheckSeverity.ERROR if outcome.has_error_failure else AssetCheckSeverity.WARN
    return AssetCheckResult(
        passed=outcome.success,
        severity=severity,
        metadata={
            "suite": outcome.suite_name,
            "rows_validated": outcome.row_count,
            "expectations": len(outcome.outcomes),
            "failed_expectations": len(failed),
            "unexpected_count": outcome.unexpected_count,
            "failures": MetadataValue.md(_failure_table(outcome)),
        },
    )


def _failure_table(outcome: SuiteOutcome) -> str:
    if outcome.success:
        return "All expectations passed."
    lines = ["| expectation | column | severity | unexpected |", "|---|---|---|---|"]
    lines += [
        f"| {item.expectation_type} | {item.column or ''} | {item.severity} | "
        f"{item.unexpected_count} |"
        for item in outcome.failed
    ]
    return "\n".join(lines)


def build_suite_check(suite_name: str) -> AssetChecksDefinition:
    key = asset_key_for_suite(suite_name)

    @asset_check(
        asset=key,
        name=f"gx_{key.path[-1]}",
        description=f"Great Expectations suite expectations/{suite_name}.json",
        blocking=True,
    )
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        frame = read_asset_frame(warehouse, key)
        outcome = validate_dataframe(frame, suite_name)
        context.log.info(
            f"{suite_name}: {len(outcome.failed)} of {len(outcome.outcomes)} expectations failed"
        )
        return check_result(outcome)

    return _check


def build_suite_checks(
    names_provider: Callable[[], list[str]] = suite_names,
) -> list[AssetChecksDefinition]:
    return [build_suite_check(name) for name in names_provider()]
