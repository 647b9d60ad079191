"""Loss-free loading: rows in = clean + quarantined per load, and re-loading changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
from warehouse_helpers import dbt_build, schema_tables

from dagster_project.lib.contract import SOURCES, get_source
from dagster_project.lib.landing import load_all
from dagster_project.lib.quality_figures import render_quality_summary

ORDERS = get_source("shop__orders")


RECONCILE_TEST = (
    Path(__file__).resolve().parents[1] / "dbt_tests" / "generic" / "raw_rows_reconcile.sql"
)


def reconcile_sql(raw: str, clean: str, quarantine: str) -> str:
    """The dbt test's query with its three relations filled in, as dbt renders it."""
    import jinja2

    text = RECONCILE_TEST.read_text(encoding="utf-8")
    body = text[text.index("%}", text.index("{% test")) + 2 : text.index("{% endtest %}")]
    return jinja2.Template(body).render(raw=raw, clean=clean, model=quarantine)


def failing_load_dates(
    raw: dict[str, int], clean: dict[str, int], quarantined: dict[str, int]
) -> list[tuple[str, int, int, int]]:
    """Rows the reconciliation test returns (a failure each) for the given rows per load date."""
    with duckdb.connect() as connection:
        connection.execute("create table raw_orders (load_date varchar)")
        connection.execute("create table clean_orders (_load_date date)")
        connection.execute("create table quarantined_orders (_load_date date)")
        for table, rows, cast in (
            ("raw_orders", raw, "varchar"),
            ("clean_orders", clean, "date"),
            ("quarantined_orders", quarantined, "date"),
        ):
            for day, count in rows.items():
                connection.execute(
                    f"insert into {table} select cast(? as {cast}) from range(?)", [day, count]
                )
        failures = connection.execute(
            reconcile_sql("raw_orders", "clean_orders", "quarantined_orders")
            + " order by load_date"
        ).fetchall()
    return [(str(day), raw_rows, clean_rows, held) for day, raw_rows, clean_rows, held in failures]


def test_reconciliation_holds_when_every_raw_row_is_clean_or_quarantined() -> None:
    assert (
        failing_load_dates(
            {"2026-03-01": 3, "2026-03-02": 2},
            {"2026-03-01": 2, "2026-03-02": 2},
            {"2026-03-01": 1},
        )
        == []
    )


def test_a_lost_row_and_a_doubled_row_both_break_the_reconciliation() -> None:
    # One row of the first load went missing; the second load counts one row twice.
    failures = failing_load_dates(
        {"2026-03-01": 3, "2026-03-02": 2}, {"2026-03-01": 2, "2026-03-02": 3}, {}
    )
    assert failures == [("2026-03-01", 3, 2, 0), ("2026-03-02", 2, 3, 0)]


def test_rows_of_a_load_date_missing_from_raw_are_reported() -> None:
    failures = failing_load_dates({"2026-03-01": 1}, {"2026-03-01": 1, "2026-03-05": 1}, {})
    assert failures == [("2026-03-05", 0, 1, 0)]


def test_every_source_carries_the_reconciliation_test() -> None:
    """The generated quarantine yml attaches the test to each contract source."""
    import yaml

    quarantine_yml = Path(__file__).resolve().parents[1] / "dbt_models" / "quarantine"
    models = yaml.safe_load((quarantine_yml / "_quarantine__models.yml").read_text())["models"]
    reconciled = {
        model["name"].removeprefix("quarantine_")
        for model in models
        for test in model.get("data_tests", [])
        if isinstance(test, dict) and "raw_rows_reconcile" in test
    }
    assert reconciled == {source.name for source in SOURCES}


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
