"""Money in a foreign currency: converted to CNY fen at the rate of its China-time day, or held.

A small landing folder of hand-written orders, lines, payments, refunds and exchange rates is
loaded and staged; every expected amount below is worked out by hand from the rate the rule must
pick (the latest clean rate on or before the order's China-time day, at most
fx_rate_max_age_days old), never read back from the code.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from reference.project_vars import project_var
from warehouse_helpers import dbt_build

from dagster_project.lib.contract import get_source
from dagster_project.lib.landing import load_all

EXPORT_DAY = date(2026, 3, 3)
RATES_DAY = date(2026, 3, 1)
MAX_AGE_DAYS = int(project_var("fx_rate_max_age_days"))
# The oldest rate an order of EXPORT_DAY may use, and one a day older than that.
OLDEST_USABLE = EXPORT_DAY - timedelta(days=MAX_AGE_DAYS)
TOO_OLD = OLDEST_USABLE - timedelta(days=1)
CONVERTED = ("orders", "order_items", "payments", "refunds", "fx_rates")


def order(order_id: str, **values: str) -> dict[str, str]:
    return {
        "order_id": order_id,
        "store_id": "ST001",
        "member_id": f"M-{order_id}",
        "order_time": "2026-03-03 10:00:00",
        "order_status": "paid",
        "updated_at": "2026-03-03 10:00:00",
        **values,
    }


# An order in USD whose latest rate is two days before it (the one on the day between is broken),
# one in HKD whose rate is exactly fx_rate_max_age_days old, one in EUR whose only rate is a day
# older than that, one in CNY with no rate at all, and one in USD placed on 1 March China time
# (28 February UTC), which must take the rate of 1 March, not 27 February.
ORDERS = [
    order("FX-USD", total_amount="12.34", discount_amount="1.00", currency=" usd "),
    order("FX-HKD", total_amount="10.00", currency="HKD"),
    order("FX-EUR", total_amount="20.00", currency="EUR"),
    order("FX-CNY", total_amount="50.00", currency=""),
    order(
        "FX-USD-EARLY",
        total_amount="100.00",
        currency="USD",
        order_time="2026-02-28T20:00:00Z",
        updated_at="2026-02-28T20:00:00Z",
    ),
]
ITEMS = [
    {"order_id": "FX-USD", "line_number": "1", "product_sku": "S1", "quantity": "2",
     "unit_price": "5.00"},
    {"order_id": "FX-EUR", "line_number": "1", "product_sku": "S1", "quantity": "1",
     "unit_price": "20.00"},
    {"order_id": "FX-CNY", "line_number": "1", "product_sku": "S1", "quantity": "1",
     "unit_price": "50.00"},
]  # fmt: skip
PAYMENTS = [
    {"payment_id": "P-USD", "order_id": "FX-USD", "payment_method": "card", "amount": "11.34",
     "paid_at": "2026-03-03 10:01:00"},
    {"payment_id": "P-EUR", "order_id": "FX-EUR", "payment_method": "card", "amount": "20.00",
     "paid_at": "2026-03-03 10:01:00"},
]  # fmt: skip
REFUNDS = [
    # The whole USD order refunded: it must net to zero in CNY as it does in USD.
    {"refund_id": "R-USD", "order_id": "FX-USD", "refund_amount": "11.34",
     "refunded_at": "2026-03-03 12:00:00"},
]  # fmt: skip
RATES = [
    {"rate_date": TOO_OLD.isoformat(), "currency": "EUR", "cny_per_unit": "7.9000"},
    {"rate_date": OLDEST_USABLE.isoformat(), "currency": "HKD", "cny_per_unit": "0.91"},
    {"rate_date": "2026-02-27", "currency": "USD", "cny_per_unit": "7.0000"},
    {"rate_date": "2026-03-01", "currency": "USD", "cny_per_unit": "7.1234"},
    {"rate_date": "2026-03-02", "currency": "USD", "cny_per_unit": "-1"},
    {"rate_date": "2026-03-02", "currency": "US", "cny_per_unit": "7.2"},
]


def write(landing: Path, table: str, day: date, rows: list[dict[str, str]]) -> None:
    header = get_source(f"shop__{table}").column_names
    path = landing / "shop" / table / f"{table}_{day.isoformat()}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([[row.get(name, "") for name in header] for row in rows])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("currency")
    landing = data_dir / "landing"
    write(landing, "orders", EXPORT_DAY, ORDERS)
    write(landing, "order_items", EXPORT_DAY, ITEMS)
    write(landing, "payments", EXPORT_DAY, PAYMENTS)
    write(landing, "refunds", EXPORT_DAY, REFUNDS)
    write(landing, "fx_rates", RATES_DAY, RATES)
    load_all(landing, data_dir / "raw")
    selected = [f"+stg_shop__{table}" for table in CONVERTED]
    selected += [f"+quarantine_shop__{table}" for table in CONVERTED]
    # The build runs the reconciliation test of each quarantine model (error severity) too;
    # tests reading a model outside the selection (relationships to stores) are left out.
    dbt_build(data_dir, "--select", *selected, "--indirect-selection", "cautious")
    return data_dir


def query(data_dir: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql).df()


def row(data_dir: Path, model: str, where: str) -> dict[str, object]:
    frame = query(data_dir, f"select * from {model} where {where}")
    assert len(frame) == 1, f"{model} where {where}: {len(frame)} rows"
    return frame.iloc[0].to_dict()


def test_usd_order_takes_the_rate_of_two_days_before_and_converts_to_fen(warehouse: Path) -> None:
    usd = row(warehouse, "staging.stg_shop__orders", "order_id = 'FX-USD'")
    # The 2 March rate is negative (quarantined), so 1 March's 7.1234 is the latest usable one.
    assert str(usd["fx_rate_date"])[:10] == "2026-03-01"
    assert float(usd["cny_per_unit"]) == 7.1234
    assert usd["original_currency"] == "USD"
    assert usd["original_gross_amount_hundredths"] == 1234
    assert usd["gross_amount_cents"] == 8790  # 1234 * 7.1234 = 8790.2756
    assert usd["discount_amount_cents"] == 712  # 100 * 7.1234 = 712.34
    assert usd["order_amount_cents"] == 8078  # 1134 * 7.1234 = 8077.9356


def test_an_order_is_converted_at_the_rate_of_its_china_time_day(warehouse: Path) -> None:
    # 2026-02-28T20:00Z is 1 March 04:00 in China: 1 March's rate, not 27 February's 7.0000.
    early = row(warehouse, "staging.stg_shop__orders", "order_id = 'FX-USD-EARLY'")
    assert str(early["fx_rate_date"])[:10] == "2026-03-01"
    assert early["gross_amount_cents"] == 71234  # 10000 * 7.1234


def test_lines_payments_and_refunds_are_converted_at_their_orders_rate(warehouse: Path) -> None:
    line = row(warehouse, "staging.stg_shop__order_items", "order_id = 'FX-USD'")
    assert line["original_currency"] == "USD"
    assert line["unit_price_cents"] == 3562  # 500 * 7.1234 = 3561.7
    assert line["line_amount_cents"] == 7123  # 1000 * 7.1234 = 7123.4
    payment = row(warehouse, "staging.stg_shop__payments", "payment_id = 'P-USD'")
    assert payment["amount_cents"] == 8078  # 1134 * 7.1234
    refund = row(warehouse, "staging.stg_shop__refunds", "refund_id = 'R-USD'")
    usd = row(warehouse, "staging.stg_shop__orders", "order_id = 'FX-USD'")
    assert refund["refund_amount_cents"] == usd["order_amount_cents"] == 8078


def test_a_rate_exactly_the_maximum_age_old_is_still_used(warehouse: Path) -> None:
    hkd = row(warehouse, "staging.stg_shop__orders", "order_id = 'FX-HKD'")
    assert str(hkd["fx_rate_date"])[:10] == OLDEST_USABLE.isoformat()
    assert hkd["gross_amount_cents"] == 910  # 1000 * 0.91


def test_cny_order_needs_no_rate_and_keeps_its_fen(warehouse: Path) -> None:
    cny = row(warehouse, "staging.stg_shop__orders", "order_id = 'FX-CNY'")
    assert cny["original_currency"] == "CNY"
    assert cny["gross_amount_cents"] == 5000
    assert float(cny["cny_per_unit"]) == 1.0
    assert pd.isna(cny["fx_rate_date"])
    line = row(warehouse, "staging.stg_shop__order_items", "order_id = 'FX-CNY'")
    assert line["line_amount_cents"] == 5000


def test_eur_order_without_a_rate_in_the_window_is_quarantined_with_its_lines(
    warehouse: Path,
) -> None:
    assert query(
        warehouse, "select * from staging.stg_shop__orders where order_id = 'FX-EUR'"
    ).empty
    for table, key in (
        ("orders", "order_id"),
        ("order_items", "order_id"),
        ("payments", "order_id"),
    ):
        held = row(warehouse, f"quarantine.quarantine_shop__{table}", f"{key} = 'FX-EUR'")
        assert held["quarantine_reason"] == "missing_fx_rate"
        assert query(
            warehouse, f"select * from staging.stg_shop__{table} where {key} = 'FX-EUR'"
        ).empty


def test_broken_rates_are_quarantined_by_their_rule(warehouse: Path) -> None:
    frame = query(
        warehouse,
        "select currency, quarantine_reason from quarantine.quarantine_shop__fx_rates "
        "order by _row_number",
    )
    assert frame.to_dict("records") == [
        {"currency": "USD", "quarantine_reason": "non_positive_cny_per_unit"},
        {"currency": "US", "quarantine_reason": "unknown_currency"},
    ]


@pytest.mark.parametrize("table", CONVERTED)
def test_rows_in_equal_clean_plus_quarantined(warehouse: Path, table: str) -> None:
    day = RATES_DAY if table == "fx_rates" else EXPORT_DAY
    raw_file = warehouse / "raw" / "shop" / table / f"load_date={day}" / f"{table}_{day}.parquet"
    rows_in = pq.read_metadata(raw_file).num_rows
    expected_in = {"orders": 5, "order_items": 3, "payments": 2, "refunds": 1, "fx_rates": 6}
    assert rows_in == expected_in[table]
    expected_clean = {"orders": 4, "order_items": 2, "payments": 1, "refunds": 1, "fx_rates": 4}
    (clean,) = query(warehouse, f"select count(*) from staging.stg_shop__{table}").iloc[0]
    (held,) = query(warehouse, f"select count(*) from quarantine.quarantine_shop__{table}").iloc[0]
    assert clean == expected_clean[table]
    assert clean + held == rows_in
