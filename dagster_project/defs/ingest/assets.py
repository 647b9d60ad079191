"""Extraction: one asset per landing source, copying landing files into the raw Parquet layer.

The assets are partitioned by landing export day (China time): a run loads the files of its
partition or partition range only. A range runs as one run (single-run backfill policy), so the
warehouse always has a single writer.
"""

import os
import time
import warnings
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Backoff,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    asset,
)
from dagster._utils.warnings import BetaWarning

from dagster_project.defs.console import PROGRESS_EXTRA
from dagster_project.defs.ingest.partitions import daily_partitions, single_run_backfill
from dagster_project.lib import postgres_extract
from dagster_project.lib.contract import SOURCES, SourceTable
from dagster_project.lib.landing import LoadReport, load_source
from dagster_project.resources import WarehouseResource

# A landing file still being written or a briefly unavailable share fails the step; retrying a
# few minutes later is safe because loading a day again writes the same raw files.
EXTRACTION_RETRY = RetryPolicy(max_retries=3, delay=60, backoff=Backoff.EXPONENTIAL)
# A long extraction reports its progress at most this often.
PROGRESS_INTERVAL_SECONDS = 15.0


def raw_asset_key(source: SourceTable) -> AssetKey:
    return AssetKey(["raw", source.family, source.table])


def from_postgres(source: SourceTable) -> bool:
    """Shop transactions come from the shop database when ``CVW_SHOP_SOURCE=postgres``."""
    return os.environ.get("CVW_SHOP_SOURCE", "files") == "postgres" and source in (
        postgres_extract.postgres_sources()
    )


def extract_from_postgres(
    context: AssetExecutionContext, source: SourceTable, data_dir: str, load_date: date
) -> MaterializeResult:
    """The rows changed since the table's watermark, written under the partition's last day."""
    dsn = os.environ[postgres_extract.DSN_ENV]
    (extract,) = postgres_extract.extract_all(dsn, Path(data_dir), load_date, tables=[source.table])
    context.log.info(f"{source.name}: {extract.rows} rows changed since the last extraction")
    return MaterializeResult(
        metadata={"source": "postgres", "rows_read": extract.rows, "watermark": extract.watermark}
    )


def partition_load_dates(context: AssetExecutionContext) -> list[date]:
    """Export days of the run's partition or partition range (the window's end is exclusive)."""
    window = context.partition_time_window
    first, end = window.start.date(), window.end.date()
    return [first + timedelta(days=offset) for offset in range((end - first).days)]


def extraction_progress(
    context: AssetExecutionContext, source: SourceTable
) -> Callable[[int, int, int], None]:
    """A progress callback for the loader: files and rows done, and rows per second."""
    started = last_report = time.monotonic()

    def report(files_done: int, files_total: int, rows: int) -> None:
        nonlocal last_report
        now = time.monotonic()
        if now - last_report < PROGRESS_INTERVAL_SECONDS or files_done == files_total:
            return
        last_report = now
        context.log.info(
            f"{source.family}/{source.table}: {files_done:,} of {files_total:,} files, "
            f"{rows:,} rows ({rows / (now - started):,.0f} rows/s)",
            extra={PROGRESS_EXTRA: True},
        )

    return report


def build_raw_asset(source: SourceTable) -> AssetsDefinition:
    @asset(
        key=raw_asset_key(source),
        group_name=f"raw_{source.family}",
        description=f"{source.description} Landing files copied as text into raw Parquet.",
        kinds={"parquet", "python"},
        metadata={"landing_pattern": f"{source.family}/{source.table}/{source.table}_*.csv"},
        partitions_def=daily_partitions,
        backfill_policy=single_run_backfill,
        retry_policy=EXTRACTION_RETRY,
    )
    def _raw_asset(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> MaterializeResult:
        load_dates = partition_load_dates(context)
        if from_postgres(source):
            return extract_from_postgres(context, source, warehouse.data_dir, load_dates[-1])
        report: LoadReport = load_source(
            source,
            warehouse.landing_root,
            warehouse.raw_root,
            load_dates,
            progress=extraction_progress(context, source),
        )
        for warning in report.warnings:
            context.log.warning(warning)
        context.log.info(
            f"{source.name}: {report.files_loaded} files, {report.rows_read} rows, "
            f"{report.malformed_rows} malformed"
        )
        return MaterializeResult(
            metadata={
                "load_dates": f"{load_dates[0]}..{load_dates[-1]}",
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


# The single-run backfill policy is marked beta; it is the documented way to keep one writer.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", BetaWarning)
    raw_assets: list[AssetsDefinition] = [build_raw_asset(source) for source in SOURCES]
