"""Incremental extraction of the shop's transactions from PostgreSQL into the raw Parquet layer.

The shop database holds ``shop.orders``, ``shop.order_items``, ``shop.payments`` and
``shop.refunds`` with the contract's columns as text (as the shop writes them) plus a
``row_updated_at timestamptz`` that a trigger sets on every insert and update. Each extraction
reads the rows changed since the table's watermark (the latest ``row_updated_at`` already
extracted, kept in ``<data>/state/postgres_watermarks.json``) and writes them in the raw layout of
the file loader, so dbt cannot tell the two sources apart:
``<raw>/shop/<table>/load_date=<day>/<table>_<day>_postgres_<stamp>.parquet``.

An updated old row (a status change, a late refund) is extracted again with a later load date and
file; staging keeps its latest version. ``overlap_seconds`` re-reads a short span before the
watermark so a transaction that committed late with an earlier timestamp is not missed; rows read
twice are identical versions, which staging marks as duplicates.

The command line is ``python -m dagster_project.cli.postgres_extract``.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pyarrow as pa
from psycopg import sql

from dagster_project.lib.atomic_write import write_text_atomically
from dagster_project.lib.contract import SOURCES, SourceTable
from dagster_project.lib.data_layout import DataLayout
from dagster_project.lib.landing_csv import read_landing_file
from dagster_project.lib.landing_files import (
    ROW_NUMBER_COLUMN,
    SOURCE_FILE_COLUMN,
    keep_table_readable,
    landing_files,
    raw_dir,
    raw_schema,
    write_parquet_atomically,
)

SCHEMA = "shop"
TABLES = ("orders", "order_items", "payments", "refunds")
WATERMARK_COLUMN = "row_updated_at"
CHINA = ZoneInfo("Asia/Shanghai")
DSN_ENV = "CVW_POSTGRES_DSN"
DEFAULT_OVERLAP_SECONDS = 120


def postgres_sources() -> list[SourceTable]:
    """The contract tables the shop database holds, in contract order."""
    return [source for source in SOURCES if source.family == SCHEMA and source.table in TABLES]


def state_path(data_dir: Path) -> Path:
    return data_dir / "state" / "postgres_watermarks.json"


def read_watermarks(path: Path) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_watermarks(path: Path, watermarks: dict[str, str]) -> None:
    """Replace the state file in one rename, so a crash never leaves half a file."""
    write_text_atomically(path, json.dumps(watermarks, indent=2, sort_keys=True))


# --- the shop database --------------------------------------------------------------------------


def create_schema(connection: psycopg.Connection) -> None:
    """Tables of the shop database, with the trigger that keeps ``row_updated_at`` current."""
    connection.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(SCHEMA)))
    connection.execute(
        """
        create or replace function shop.touch_row_updated_at() returns trigger
        language plpgsql as $$
        begin
            new.row_updated_at := clock_timestamp();
            return new;
        end
        $$
        """
    )
    for source in postgres_sources():
        table = sql.Identifier(SCHEMA, source.table)
        columns = sql.SQL(", ").join(
            sql.SQL("{} text").format(sql.Identifier(name)) for name in source.column_names
        )
        connection.execute(
            sql.SQL(
                "create table if not exists {} (row_id bigserial primary key, {}, "
                "row_updated_at timestamptz not null default clock_timestamp())"
            ).format(table, columns)
        )
        connection.execute(
            sql.SQL("create index if not exists {} on {} (row_updated_at)").format(
                sql.Identifier(f"{source.table}_row_updated_at"), table
            )
        )
        connection.execute(
            sql.SQL(
                "create or replace trigger {} before update on {} "
                "for each row execute function shop.touch_row_updated_at()"
            ).format(sql.Identifier(f"{source.table}_touch"), table)
        )


def load_demo(
    connection: psycopg.Connection, landing_root: Path, load_dates: Collection[date] | None = None
) -> dict[str, int]:
    """Insert the landing exports of the shop tables into the database; rows per table."""
    create_schema(connection)
    inserted: dict[str, int] = {}
    for source in postgres_sources():
        files = landing_files(source, landing_root)
        if load_dates is not None:
            files = [landing_file for landing_file in files if landing_file.load_date in load_dates]
        statement = sql.SQL("copy {} ({}) from stdin").format(
            sql.Identifier(SCHEMA, source.table),
            sql.SQL(", ").join(sql.Identifier(name) for name in source.column_names),
        )
        count = 0
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for landing_file in files:
                parsed = read_landing_file(source, landing_file.path)
                columns = parsed.table.select(source.column_names).to_pydict()
                for row in zip(*columns.values(), strict=True):
                    copy.write_row(row)
                    count += 1
        inserted[source.table] = count
    return inserted


# --- extraction ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extract:
    table: str
    rows: int
    watermark: str | None
    raw_path: Path | None


def _stamp(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%S%fZ")


def extract_table(
    connection: psycopg.Connection,
    source: SourceTable,
    raw_root: Path,
    since: str | None,
    load_date: date,
    overlap_seconds: int = DEFAULT_OVERLAP_SECONDS,
) -> Extract:
    """Rows of one table changed after ``since`` (minus the overlap), as one raw Parquet file."""
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in source.column_names)
    query = sql.SQL("select {}, row_updated_at from {} where {} order by row_updated_at, row_id")
    if since is None:
        condition, parameters = sql.SQL("true"), {}
    else:
        condition = sql.SQL("row_updated_at > %(since)s::timestamptz - %(overlap)s * interval '1s'")
        parameters = {"since": since, "overlap": overlap_seconds}
    with connection.cursor() as cursor:
        cursor.execute(
            query.format(columns, sql.Identifier(SCHEMA, source.table), condition), parameters
        )
        rows = cursor.fetchall()
    if not rows:
        # A table never extracted still needs its schema-only file for dbt to read it.
        keep_table_readable(source, raw_root)
        return Extract(source.table, 0, since, None)
    newest: datetime = rows[-1][-1]
    stem = f"{source.table}_{load_date.isoformat()}_postgres_{_stamp(newest)}"
    data = {name: [row[index] for row in rows] for index, name in enumerate(source.column_names)}
    data[SOURCE_FILE_COLUMN] = [stem] * len(rows)
    data[ROW_NUMBER_COLUMN] = list(range(1, len(rows) + 1))
    table = pa.Table.from_pydict(data, schema=raw_schema(source))
    target = raw_dir(source, raw_root) / f"load_date={load_date.isoformat()}" / f"{stem}.parquet"
    write_parquet_atomically(table, target)
    keep_table_readable(source, raw_root)
    watermark = newest.isoformat()
    if since is not None and datetime.fromisoformat(since) > newest:
        watermark = since
    return Extract(source.table, len(rows), watermark, target)


def extract_all(
    dsn: str,
    data_dir: Path,
    load_date: date | None = None,
    overlap_seconds: int = DEFAULT_OVERLAP_SECONDS,
    tables: Collection[str] = TABLES,
) -> list[Extract]:
    """Extract the shop tables and move each watermark only after its file is written."""
    load_date = load_date or datetime.now(CHINA).date()
    path = state_path(data_dir)
    watermarks = read_watermarks(path)
    extracts = []
    with psycopg.connect(dsn) as connection:
        # One snapshot for all tables, so an order and its items are read at the same moment.
        connection.execute("set transaction isolation level repeatable read")
        for source in postgres_sources():
            if source.table not in tables:
                continue
            extract = extract_table(
                connection,
                source,
                DataLayout(data_dir).raw,
                watermarks.get(source.table),
                load_date,
                overlap_seconds,
            )
            extracts.append(extract)
            if extract.watermark is not None:
                watermarks[source.table] = extract.watermark
                write_watermarks(path, watermarks)
    return extracts
