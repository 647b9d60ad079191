"""Reconciliation of the raw layer with the warehouse: raw rows = clean + quarantined rows.

``reconcile_source`` compares raw Parquet row counts with the clean and quarantined rows of a
source per load date; a non-zero difference means rows were lost or invented on the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.compute as pa_compute
import pyarrow.dataset as pa_dataset

from dagster_project.lib.contract import SourceTable
from dagster_project.lib.quality_figures import clean_model, quarantine_model


@dataclass(frozen=True)
class LoadReconciliation:
    """Raw rows against clean plus quarantined rows for one load date of one source."""

    load_date: date
    raw_rows: int
    clean_rows: int
    quarantined_rows: int

    @property
    def difference(self) -> int:
        return self.raw_rows - self.clean_rows - self.quarantined_rows


def raw_rows_per_load_date(raw_root: Path, source: SourceTable) -> dict[date, int]:
    """Rows of the raw Parquet layer per hive ``load_date`` partition, read with Arrow."""
    table_dir = Path(raw_root) / source.family / source.table
    if not table_dir.is_dir():
        return {}
    dataset = pa_dataset.dataset(table_dir, format="parquet", partitioning="hive")
    load_dates = dataset.to_table(columns=["load_date"]).column("load_date")
    counts = pa_compute.value_counts(load_dates.cast("string")).to_pylist()
    return {date.fromisoformat(item["values"]): int(item["counts"]) for item in counts}


def _rows_per_load_date(connection: duckdb.DuckDBPyConnection, relation: str) -> dict[date, int]:
    rows = connection.execute(f"select _load_date, count(*) from {relation} group by 1").fetchall()
    return {load_date: int(count) for load_date, count in rows}


def reconcile_source(
    raw_root: Path, duckdb_path: Path, source: SourceTable
) -> list[LoadReconciliation]:
    """Raw rows against clean + quarantined rows, per load date (every date seen anywhere)."""
    raw = raw_rows_per_load_date(raw_root, source)
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        clean = _rows_per_load_date(connection, f"staging.{clean_model(source)}")
        quarantined = _rows_per_load_date(connection, f"quarantine.{quarantine_model(source)}")
    return [
        LoadReconciliation(
            load_date=load_date,
            raw_rows=raw.get(load_date, 0),
            clean_rows=clean.get(load_date, 0),
            quarantined_rows=quarantined.get(load_date, 0),
        )
        for load_date in sorted(set(raw) | set(clean) | set(quarantined))
    ]
