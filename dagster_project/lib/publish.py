"""A read-only snapshot of the marts for BI tools, swapped in only once it is complete.

DuckDB lets one process write a file or many processes read it, never both: a BI tool reading
``warehouse.duckdb`` would make the next ``dbt build`` fail on the file lock. So BI reads a copy:

- ``<data>/published/warehouse_<run>.duckdb``: every mart (schema ``marts``) plus a ``quality``
  schema (quarantined rows per source and reason, check results of the run);
- ``<data>/published/parquet_<run>/<mart>.parquet``: the same marts as Parquet files.

Stable names point at the latest complete snapshot through relative symlinks, replaced with
``os.replace`` (an atomic rename): ``published/warehouse.duckdb`` and ``published/parquet/``.
A failure before the swap deletes the half-written files and leaves the links on the previous
snapshot; readers that opened the previous file keep reading it after a swap.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.lib.data_layout import DataLayout

logger = logging.getLogger(__name__)

STABLE_DUCKDB = "warehouse.duckdb"
STABLE_PARQUET = "parquet"
MARTS_SCHEMA = "marts"
QUALITY_SCHEMA = "quality"
QUARANTINE_SCHEMA = "quarantine"
# The snapshot in use, the one before it (a reader may still hold it open) and one spare.
SNAPSHOTS_KEPT = 3
_LABEL_PATTERN = re.compile(r"^[0-9]{8}T[0-9]{6}Z_[0-9a-z]+$")


@dataclass(frozen=True)
class Snapshot:
    label: str
    duckdb_path: Path
    parquet_dir: Path
    row_counts: dict[str, int]


def published_root(data_dir: Path) -> Path:
    return DataLayout(Path(data_dir)).published


def stable_duckdb_path(root: Path) -> Path:
    return root / STABLE_DUCKDB


def readable_duckdb_path(data_dir: Path) -> Path:
    """What a reader opens: the published snapshot if there is one, else the working warehouse."""
    published = stable_duckdb_path(published_root(data_dir))
    return published if published.exists() else DataLayout(Path(data_dir)).warehouse


def stable_parquet_dir(root: Path) -> Path:
    return root / STABLE_PARQUET


def snapshot_label(run_id: str, now: datetime | None = None) -> str:
    """Sortable by time (older snapshots are pruned by name), unique per run."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    suffix = re.sub(r"[^0-9a-z]", "", run_id.lower())[:8] or "manual"
    return f"{moment:%Y%m%dT%H%M%SZ}_{suffix}"


def list_tables(connection: duckdb.DuckDBPyConnection, schema: str, catalog: str) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ? order by table_name",
        [catalog, schema],
    ).fetchall()
    return [name for (name,) in rows]


def warehouse_marts(warehouse_path: Path) -> list[str]:
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        catalog = connection.execute("select current_database()").fetchone()[0]
        return list_tables(connection, MARTS_SCHEMA, catalog)


def quarantine_summary_query(tables: Sequence[str], schema_prefix: str) -> str | None:
    """Rows per source and reason over the quarantine tables (``quarantine_<family>__<table>``)."""
    parts = [
        f"select '{name.removeprefix('quarantine_').replace('__', '.')}' as source, "
        "quarantine_reason, count(*) as quarantined_rows "
        f'from {schema_prefix}."{name}" group by quarantine_reason'
        for name in tables
    ]
    if not parts:
        return None
    return " union all ".join(parts) + " order by source, quarantine_reason"


def _quarantine_summary(connection: duckdb.DuckDBPyConnection, catalog: str) -> pd.DataFrame:
    """Counts only: the quarantine tables hold raw values, PII included, that BI must not get."""
    tables = list_tables(connection, QUARANTINE_SCHEMA, catalog)
    query = quarantine_summary_query(tables, f"{catalog}.{QUARANTINE_SCHEMA}")
    if query is None:
        return pd.DataFrame(
            {
                "source": pd.Series(dtype="string"),
                "quarantine_reason": pd.Series(dtype="string"),
                "quarantined_rows": pd.Series(dtype="int64"),
            }
        )
    return connection.execute(query).df()


def _write_snapshot(
    target: Path,
    parquet_dir: Path,
    warehouse_path: Path,
    marts: Sequence[str],
    extra_tables: Mapping[str, pd.DataFrame],
) -> dict[str, int]:
    parquet_dir.mkdir(parents=True)
    with duckdb.connect(str(target)) as connection:
        connection.execute(f"attach '{warehouse_path}' as source_warehouse (read_only)")
        available = set(list_tables(connection, MARTS_SCHEMA, "source_warehouse"))
        missing = sorted(set(marts) - available)
        if missing:
            raise RuntimeError(f"marts missing from the warehouse: {', '.join(missing)}")
        connection.execute(f"create schema {MARTS_SCHEMA}")
        for mart in marts:
            connection.execute(
                f'create table {MARTS_SCHEMA}."{mart}" as '
                f'select * from source_warehouse.{MARTS_SCHEMA}."{mart}"'
            )
        summary = _quarantine_summary(connection, "source_warehouse")
        connection.execute("detach source_warehouse")
        connection.execute(f"create schema {QUALITY_SCHEMA}")
        for name, frame in {"quarantine_summary": summary, **extra_tables}.items():
            connection.register("frame_to_publish", frame)
            connection.execute(
                f'create table {QUALITY_SCHEMA}."{name}" as select * from frame_to_publish'
            )
            connection.unregister("frame_to_publish")
        row_counts: dict[str, int] = {}
        for mart in marts:
            parquet_path = parquet_dir / f"{mart}.parquet"
            connection.execute(
                f"copy {MARTS_SCHEMA}.\"{mart}\" to '{parquet_path}' (format parquet)"
            )
            row_counts[mart] = connection.execute(
                f'select count(*) from {MARTS_SCHEMA}."{mart}"'
            ).fetchone()[0]
        connection.execute("checkpoint")
    return row_counts


def _swap_link(link: Path, target_name: str) -> None:
    """Point ``link`` at ``target_name`` (relative, so the folder can be mounted elsewhere)."""
    temporary = link.with_name(f".{link.name}.swap")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target_name)
    os.replace(temporary, link)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


def prune_snapshots(root: Path, keep: int = SNAPSHOTS_KEPT) -> list[str]:
    """Delete all but the newest ``keep`` snapshots, never the ones the stable links point at."""
    in_use = {
        os.readlink(link)
        for link in (stable_duckdb_path(root), stable_parquet_dir(root))
        if link.is_symlink()
    }
    labels = sorted(
        {
            path.name.removeprefix("warehouse_").removesuffix(".duckdb")
            for path in root.glob("warehouse_*.duckdb")
        }
        | {path.name.removeprefix("parquet_") for path in root.glob("parquet_*")}
    )
    labels = [label for label in labels if _LABEL_PATTERN.match(label)]
    removed = []
    for label in labels[:-keep] if keep else labels:
        names = (f"warehouse_{label}.duckdb", f"parquet_{label}")
        if in_use.intersection(names):
            continue
        for name in names:
            _remove(root / name)
        removed.append(label)
    return removed


def publish_snapshot(
    warehouse_path: Path,
    root: Path,
    label: str,
    marts: Sequence[str] | None = None,
    extra_tables: Mapping[str, pd.DataFrame] | None = None,
) -> Snapshot:
    """Copy ``marts`` (default: every table in the warehouse's marts schema) and swap them in.

    ``extra_tables`` land in the ``quality`` schema next to the quarantine summary.
    """
    root.mkdir(parents=True, exist_ok=True)
    selected = sorted(marts) if marts is not None else warehouse_marts(warehouse_path)
    if not selected:
        raise RuntimeError("no marts to publish")
    target = root / f"warehouse_{label}.duckdb"
    parquet_dir = root / f"parquet_{label}"
    if target.exists() or parquet_dir.exists():
        raise FileExistsError(f"snapshot {label} already exists")
    try:
        row_counts = _write_snapshot(
            target, parquet_dir, warehouse_path, selected, extra_tables or {}
        )
    except BaseException:
        _remove(target)
        _remove(parquet_dir)
        raise
    # Each rename is atomic on its own; between the two a reader may pair the new Parquet with
    # the previous DuckDB file, for the microseconds the second rename takes.
    _swap_link(stable_parquet_dir(root), parquet_dir.name)
    _swap_link(stable_duckdb_path(root), target.name)
    removed = prune_snapshots(root)
    logger.info("published snapshot %s (%d marts), pruned %d", label, len(selected), len(removed))
    return Snapshot(label=label, duckdb_path=target, parquet_dir=parquet_dir, row_counts=row_counts)


def current_snapshot(root: Path) -> str | None:
    """The label of the snapshot BI reads now, or None before the first publish."""
    link = stable_duckdb_path(root)
    if not link.is_symlink():
        return None
    return os.readlink(link).removeprefix("warehouse_").removesuffix(".duckdb")
