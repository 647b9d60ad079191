"""Loss-free loading: rows in = clean + quarantined per load, and re-loading changes nothing."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from warehouse_helpers import dbt_build, schema_tables

from dagster_project.lib.contract import SOURCES, get_source
from dagster_project.lib.landing import load_all
from dagster_project.lib.quality_report import reconcile_source, render_quality_summary

ORDERS = get_source("shop__orders")


def write_raw(raw_root: Path, day: str, rows: int) -> None:
    partition = raw_root / "shop" / "orders" / f"load_date={day}"
    partition.mkdir(parents=True, exist_ok=True)
    table = pa.table({"order_id": [f"O{index}" for index in range(rows)]})
    pq.write_table(table, partition / f"orders_{day}.parquet")


def fake_warehouse(path: Path, clean: dict[str, int], quarantined: dict[str, int]) -> None:
    """Staging and quarantine tables for orders with the given rows per load date."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema staging; create schema quarantine")
        connection.execute(
            "create table staging.base_shop__orders (_load_date date, quarantine_reason varchar)"
        )
        connection.execute(
            "create view staging.stg_shop__orders as select _load_date "
            "from staging.base_shop__orders where quarantine_reason is null"
        )
        connection.execute(
            "create table quarantine.quarantine_shop__orders "
            "(_load_date date, quarantine_reason varchar)"
        )
        for day, count in clean.items():
            for _ in range(count):
                connection.execute(
                    "insert into staging.base_shop__orders values (?, null)",
                    [date.fromisoformat(day)],
                )
        for day, count in quarantined.items():
            for _ in range(count):
                for table in ("staging.base_shop__orders", "quarantine.quarantine_shop__orders"):
                    connection.execute(
                        f"insert into {table} values (?, 'duplicate_order_id')",
                        [date.fromisoformat(day)],
                    )


def test_reconciliation_holds_when_every_raw_row_is_clean_or_quarantined(tmp_path: Path) -> None:
    write_raw(tmp_path / "raw", "2026-03-01", 3)
    write_raw(tmp_path / "raw", "2026-03-02", 2)
    fake_warehouse(tmp_path / "w.duckdb", {"2026-03-01": 2, "2026-03-02": 2}, {"2026-03-01": 1})
    loads = reconcile_source(tmp_path / "raw", tmp_path / "w.duckdb", ORDERS)
    assert [(load.load_date.isoformat(), load.raw_rows, load.difference) for load in loads] == [
        ("2026-03-01", 3, 0),
        ("2026-03-02", 2, 0),
    ]


def test_a_lost_row_and_a_doubled_row_both_break_the_reconciliation(tmp_path: Path) -> None:
    write_raw(tmp_path / "raw", "2026-03-01", 3)
    write_raw(tmp_path / "raw", "2026-03-02", 2)
    # One row of the first load went missing; the second load counts one row twice.
    fake_warehouse(tmp_path / "w.duckdb", {"2026-03-01": 2, "2026-03-02": 3}, {})
    loads = reconcile_source(tmp_path / "raw", tmp_path / "w.duckdb", ORDERS)
    assert [load.difference for load in loads] == [1, -1]


def test_rows_of_a_load_date_missing_from_raw_are_reported(tmp_path: Path) -> None:
    write_raw(tmp_path / "raw", "2026-03-01", 1)
    fake_warehouse(tmp_path / "w.duckdb", {"2026-03-01": 1, "2026-03-05": 1}, {})
    loads = reconcile_source(tmp_path / "raw", tmp_path / "w.duckdb", ORDERS)
    assert [(load.load_date.isoformat(), load.difference) for load in loads] == [
        ("2026-03-01", 0),
        ("2026-03-05", -1),
    ]


def test_quality_summary_lists_rows_in_clean_quarantined_by_reason_and_outliers(
    tmp_path: Path,
) -> None:
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema staging; create schema quarantine")
        connection.execute("create schema intermediate")
        for source in SOURCES:
            connection.execute(
                f"create table staging.base_{source.name} (quarantine_reason varchar)"
            )
            connection.execute(
                f"create view staging.stg_{source.name} as select * "
                f"from staging.base_{source.name} where quarantine_reason is null"
            )
            connection.execute(
                f"create table quarantine.quarantine_{source.name} (quarantine_reason varchar)"
            )
        # Orders: 5 in, 2 clean, 2 duplicates and 1 without identifier.
        reasons = [None, None, "duplicate_order_id", "duplicate_order_id", "no_customer_identifier"]
        for reason in reasons:
            connection.execute("insert into staging.base_shop__orders values (?)", [reason])
            if reason:
                connection.execute(
                    "insert into quarantine.quarantine_shop__orders values (?)", [reason]
                )
        connection.execute(
            "create table intermediate.int_order_amount_outliers_flagged as "
            "select * from (values (true), (false)) as flags(is_amount_outlier)"
        )
        connection.execute(
            "create table intermediate.int_ad_spend_spikes_flagged as select * from (values "
            "('baidu', true), ('baidu', true), ('tencent_ads', false)) as spikes(platform, "
            "is_spend_spike)"
        )
    summary = render_quality_summary(database)
    lines = summary.splitlines()
    orders_line = next(line for line in lines if line.startswith("shop__orders"))
    assert orders_line.split() == ["shop__orders", "5", "2", "3", "1", "yes"]
    assert any(line.split() == ["quarantined", "duplicate_order_id:", "2"] for line in lines)
    assert any(line.split() == ["quarantined", "no_customer_identifier:", "1"] for line in lines)
    baidu_line = next(line for line in lines if line.startswith("ads__baidu_campaign_daily"))
    assert baidu_line.split()[4] == "2"
    stores_line = next(line for line in lines if line.startswith("shop__stores"))
    assert stores_line.split() == ["shop__stores", "0", "0", "0", "-", "yes"]


def test_loading_the_same_landing_files_twice_leaves_every_mart_identical(
    built_warehouse: Path, tmp_path: Path
) -> None:
    """The demo landing folder loaded twice builds the same marts as the demo loaded once."""
    shutil.copytree(built_warehouse / "landing", tmp_path / "landing")
    load_all(tmp_path / "landing", tmp_path / "raw")
    first_raw = {
        path.relative_to(tmp_path): path.read_bytes()
        for path in (tmp_path / "raw").rglob("*.parquet")
    }
    load_all(tmp_path / "landing", tmp_path / "raw")
    second_raw = {
        path.relative_to(tmp_path): path.read_bytes()
        for path in (tmp_path / "raw").rglob("*.parquet")
    }
    assert first_raw == second_raw
    dbt_build(tmp_path)
    once, twice = (
        schema_tables(built_warehouse / "warehouse.duckdb"),
        schema_tables(tmp_path / "warehouse.duckdb"),
    )
    assert set(twice) == set(once)
    assert {name: len(frame) for name, frame in twice.items()} == {
        name: len(frame) for name, frame in once.items()
    }
    for name, frame in once.items():
        pd.testing.assert_frame_equal(frame, twice[name], check_exact=False, obj=name)
