"""Great Expectations suites from ``expectations/`` as Dagster asset checks.

A suite file named ``<asset key joined by '.'>.json`` checks that asset: ``raw.shop.orders.json``
checks the raw orders, ``marts.customer_rfm.json`` the RFM mart. Error-severity failures block the
assets downstream in the same run; warn-severity failures are reported and let the run go on.

An empty table whose emptiness the missing landing sources explain (every source upstream of it,
or of one of its direct parents, is optional and empty: lib/source_lineage.py, from the dbt
manifest) is reported with warn severity and the sources named, so a shop without ad platforms
still gets its customer marts. Every check records its outcome under ``<data>/reports/validation/``
and re-renders the HTML report ``<data>/reports/data_quality.html``.
"""

import dataclasses
import json
import logging
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

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

from dagster_project.defs.dbt.translator import WarehouseTranslator
from dagster_project.lib.gx_validation import (
    EXPECTATIONS_DIR,
    SuiteOutcome,
    validate_dataframe,
)
from dagster_project.lib.quality_html import (
    record_validation,
    write_validation_report,
)
from dagster_project.lib.source_lineage import (
    EMPTY_BECAUSE_KEY,
    emptiness_groups,
    empty_sources,
    missing_sources_explaining,
)
from dagster_project.resources import WarehouseResource, dbt_project

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


def check_result(outcome: SuiteOutcome, empty_because: str = "") -> AssetCheckResult:
    failed = outcome.failed
    severity = AssetCheckSeverity.ERROR if outcome.has_error_failure else AssetCheckSeverity.WARN
    metadata: dict[str, Any] = {
        "suite": outcome.suite_name,
        "rows_validated": outcome.row_count,
        "expectations": len(outcome.outcomes),
        "failed_expectations": len(failed),
        "unexpected_count": outcome.unexpected_count,
        "failures": MetadataValue.md(_failure_table(outcome)),
    }
    if empty_because:
        metadata[EMPTY_BECAUSE_KEY] = empty_because
    return AssetCheckResult(passed=outcome.success, severity=severity, metadata=metadata)


def explain_empty_table(
    outcome: SuiteOutcome, groups: tuple[frozenset[str], ...], raw_root: Path
) -> tuple[SuiteOutcome, str]:
    """An empty table's outcome with its errors as warnings, and why, when missing landing
    sources explain the emptiness; otherwise the outcome unchanged and no reason."""
    if outcome.row_count or not outcome.has_error_failure or not groups:
        return outcome, ""
    empty = empty_sources(frozenset().union(*groups), raw_root)
    explaining = missing_sources_explaining(groups, empty)
    if explaining is None:
        return outcome, ""
    reason = (
        f"no rows because landing source(s) {', '.join(sorted(explaining))} have none "
        "(the contract lets a source stay empty): reported as a warning, not blocking"
    )
    return outcome.with_errors_as_warnings(), reason


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


def publish_outcome(
    warehouse: WarehouseResource, outcome: SuiteOutcome, empty_because: str = ""
) -> None:
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
                EMPTY_BECAUSE_KEY: empty_because,
                "outcomes": [dataclasses.asdict(item) for item in outcome.outcomes],
            },
        )
        write_validation_report(reports_dir, warehouse.duckdb_path)
    except OSError as error:
        logger.warning("validation report not written: %s", error)


def build_suite_check(
    suite_name: str,
    expectations_dir: Path = EXPECTATIONS_DIR,
    emptiness: tuple[frozenset[str], ...] = (),
) -> AssetChecksDefinition:
    """The suite as a blocking check; ``emptiness`` are the groups of landing sources whose
    absence explains the table being empty (lib/source_lineage.emptiness_groups)."""
    key = asset_key_for_suite(suite_name)
    description = f"Great Expectations suite expectations/{suite_name}.json"
    if emptiness:
        sources = ", ".join(sorted(frozenset().union(*emptiness)))
        description += f"; landing sources upstream: {sources}"

    @asset_check(asset=key, name=f"gx_{key.path[-1]}", description=description, blocking=True)
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        frame = read_asset_frame(warehouse, key)
        outcome = validate_dataframe(frame, suite_name, expectations_dir)
        outcome, empty_because = explain_empty_table(outcome, emptiness, warehouse.raw_root)
        if empty_because:
            context.log.warning(f"{suite_name}: {empty_because}")
        publish_outcome(warehouse, outcome, empty_because)
        context.log.info(
            f"{suite_name}: {len(outcome.failed)} of {len(outcome.outcomes)} expectations failed"
        )
        return check_result(outcome, empty_because)

    return _check


def emptiness_by_asset_key(
    manifest: Mapping[str, Any],
) -> dict[AssetKey, tuple[frozenset[str], ...]]:
    """Per dbt model and source, keyed as Dagster keys it, its groups of landing sources."""
    translator = WarehouseTranslator()
    nodes = {**manifest.get("nodes", {}), **manifest.get("sources", {})}
    return {
        translator.get_asset_key(props): emptiness_groups(manifest, unique_id)
        for unique_id, props in nodes.items()
        if props["resource_type"] in ("model", "source")
    }


def build_suite_checks(
    names_provider: Callable[[], list[str]] = suite_names,
    manifest_path: Path | None = None,
) -> list[AssetChecksDefinition]:
    path = Path(dbt_project.manifest_path) if manifest_path is None else manifest_path
    lineage = emptiness_by_asset_key(json.loads(path.read_text(encoding="utf-8")))
    return [
        build_suite_check(name, emptiness=lineage.get(asset_key_for_suite(name), ()))
        for name in names_provider()
    ]
