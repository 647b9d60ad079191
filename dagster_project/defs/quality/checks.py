"""Great Expectations suites from ``expectations/`` as Dagster asset checks.

A suite file named ``<asset key joined by '.'>.json`` checks that asset: ``raw.shop.orders.json``
checks the raw orders, ``marts.customer_rfm.json`` the RFM mart. Error-severity failures block the
assets downstream in the same run; warn-severity failures are reported and let the run go on.

Staging suites also carry the loss-free reconciliation (raw Parquet rows = clean + quarantined rows
for every load date) as an error-severity expectation, so a lost or double-counted row blocks the
marts. Every check records its outcome under ``<data>/reports/validation/`` and re-renders the HTML
report ``<data>/reports/data_quality.html``.
"""

import dataclasses
import logging
import math
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
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

from dagster_project.lib.gx_validation import (
    EXPECTATIONS_DIR,
    SuiteOutcome,
    validate_dataframe,
)
from dagster_project.lib.quality_html import (
    record_validation,
    write_validation_report,
)
from dagster_project.resources import WarehouseResource

logger = logging.getLogger("dagster_project.quality")
GX_MAX_ROWS_ENV = "CVW_GX_MAX_ROWS"
DEFAULT_GX_MAX_ROWS = 2_000_000
SAMPLE_SEED = 42
# Reading a table for validation is a scan and a top-N; DuckDB's default (80% of the machine)
# would let its block cache grow next to the pandas frames GX validates.
READ_MEMORY_LIMIT = "4GiB"


def suite_names(expectations_dir: Path = EXPECTATIONS_DIR) -> list[str]:
    return sorted(path.stem for path in expectations_dir.glob("*.json"))


def asset_key_for_suite(suite_name: str) -> AssetKey:
    return AssetKey(suite_name.split("."))


def gx_max_rows() -> int:
    return int(os.environ.get(GX_MAX_ROWS_ENV, DEFAULT_GX_MAX_ROWS))


def read_asset_frame(
    warehouse: WarehouseResource, key: AssetKey, max_rows: int | None = None
) -> pd.DataFrame:
    """The data behind an asset (raw Parquet or a DuckDB table), sampled past ``max_rows``."""
    limit = gx_max_rows() if max_rows is None else max_rows
    layer, *rest = key.path
    if layer == "raw":
        family, table = rest
        table_dir = warehouse.raw_root / family / table
        dataset = pa_dataset.dataset(table_dir, format="parquet", partitioning="hive")
        total = dataset.count_rows()
        if total <= limit:
            return dataset.to_table().to_pandas()
        _log_sample(key, limit, total)
        rows = np.sort(np.random.default_rng(SAMPLE_SEED).choice(total, limit, replace=False))
        return dataset.take(rows).to_pandas()
    relation = f"{layer}.{rest[-1]}"
    with warehouse.read_only_connection(READ_MEMORY_LIMIT) as connection:
        (total,) = connection.execute(f"select count(*) from {relation}").fetchone()
        if total <= limit:
            return connection.execute(f"select * from {relation}").df()
        _log_sample(key, limit, total)
        return connection.execute(_sample_sql(relation, total, limit)).df()


def _sample_sql(relation: str, total: int, limit: int) -> str:
    """The ``limit`` rows of ``relation`` with the lowest seeded hash of their values.

    A seeded reservoir sample runs on one DuckDB thread (six minutes for 49 M events); this
    scans in parallel. The filter keeps about ``candidates`` rows, ten standard deviations more
    than ``limit``, so the top-``limit`` cut has enough rows to choose from.
    """
    candidates = limit + 10 * math.isqrt(limit) + 10
    return (
        f"select * exclude (sample_hash) from ("
        f"select *, hash({SAMPLE_SEED}, *columns(*)) as sample_hash from {relation}"
        f") where sample_hash % {total} < {candidates} order by sample_hash limit {limit}"
    )


def _log_sample(key: AssetKey, limit: int, total: int) -> None:
    logger.info(f"{key.to_user_string()}: validating a sample of {limit:,} of {total:,} rows")


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


def publish_outcome(warehouse: WarehouseResource, outcome: SuiteOutcome) -> None:
    """Record the outcome and re-render the HTML report; a report failure never fails a check."""
    reports_dir = warehouse.layout.reports
    try:
        record_validation(
            reports_dir,
            outcome.suite_name,
            {
                "success": outcome.success,
                "row_count": outcome.row_count,
                "has_error_failure": outcome.has_error_failure,
                "outcomes": [dataclasses.asdict(item) for item in outcome.outcomes],
            },
        )
        write_validation_report(reports_dir, warehouse.duckdb_path)
    except OSError as error:
        logger.warning("validation report not written: %s", error)


def build_suite_check(
    suite_name: str, expectations_dir: Path = EXPECTATIONS_DIR
) -> AssetChecksDefinition:
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
        outcome = validate_dataframe(frame, suite_name, expectations_dir)
        publish_outcome(warehouse, outcome)
        context.log.info(
            f"{suite_name}: {len(outcome.failed)} of {len(outcome.outcomes)} expectations failed"
        )
        return check_result(outcome)

    return _check


def build_suite_checks(
    names_provider: Callable[[], list[str]] = suite_names,
) -> list[AssetChecksDefinition]:
    return [build_suite_check(name) for name in names_provider()]
