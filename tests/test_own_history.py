"""A shop's own history, 1998 to 2001, loaded the way a user loads it: `make load DATA=...`.

The landing folder is written by hand below: only members, orders and payments (the shop has no
ad platforms, no SCRM and no store master), plus the daily exchange rates its Hong Kong orders
need: every tenth customer pays in HKD, and one order in EUR has no rate. The history from 1998
arrives as a first delivery (one file per table) and then day by day, so the run's daily
partitions start at that first export day; it must leave the missing sources empty without
blocking a customer mart, take the as-of day and the holdout length from the command line, and fit
the CLV models. The marts are compared with figures computed here from the hand-made rows.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = REPO_ROOT / "target" / "manifest.json"

CUSTOMERS = 80
FIRST_DAY = date(1998, 1, 5)
LAST_ORDER_DAY = date(2001, 12, 31)
# After the last order, so every recency is measured against this day and not the data's end.
AS_OF = date(2002, 1, 31)
HOLDOUT_DAYS = 200
STORE_ID = "S01"
LOYAL_ORDER_COUNT = 100
# The shop's first delivery: its whole history up to this day in one file per table, named by
# this export day; each later day's rows come in that day's file, as a nightly export does.
HISTORY_EXPORT_DAY = date(2001, 11, 30)
# Customers i % 10 == HKD_CUSTOMER_REMAINDER order in HKD. The rate is published on weekdays only
# (a weekend order takes Friday's) and changes on 2000-01-01, a Saturday.
HKD_CUSTOMER_REMAINDER = 7
HKD_RATE_CHANGE = date(2000, 1, 1)
HKD_RATES = (1.07, 1.06)
# No EUR rate exists: this order is quarantined as missing_fx_rate and reaches no mart.
EUR_ORDER = ("O0001-EUR", "M0001", datetime(2000, 6, 15, 11, 0))


def hkd_rate_on(day: date) -> float:
    """The rate an HKD amount of ``day`` takes: the latest weekday's on or before it."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return HKD_RATES[0] if day < HKD_RATE_CHANGE else HKD_RATES[1]


@dataclass(frozen=True)
class Member:
    member_id: str
    phone: str
    registered_at: datetime


@dataclass(frozen=True)
class Order:
    order_id: str
    member_id: str
    ordered_at: datetime
    total_yuan: int
    discount_yuan: int
    # Every order is in the shop's own currency; an order in another one sets it here.
    currency: str = "CNY"

    @property
    def paid_yuan(self) -> int:
        return self.total_yuan - self.discount_yuan

    @property
    def paid_cny_cents(self) -> int | None:
        """Paid in CNY fen, worked out here; None without a rate. Whole HKD at 1.07 or 1.06
        convert to whole fen, so no rounding rule is involved."""
        if self.currency == "CNY":
            return 100 * self.paid_yuan
        if self.currency == "HKD":
            return round(100 * self.paid_yuan * hkd_rate_on(self.ordered_at.date()))
        return None


def shop_history() -> tuple[list[Member], list[Order]]:
    """80 members; member i first buys on day 11*i, then every 60 + 40*(i % 5) days, 1 + i % 6
    orders in all (so one in six buys once), except that every eighth member (i % 8 == 1)
    keeps buying to the end; no order after 2001-12-31."""
    members: list[Member] = []
    orders: list[Order] = []
    for index in range(CUSTOMERS):
        member_id = f"M{index:04d}"
        first_order = FIRST_DAY + timedelta(days=11 * index)
        members.append(
            Member(
                member_id=member_id,
                phone=f"1380000{index:04d}",
                registered_at=datetime.combine(first_order, datetime.min.time())
                + timedelta(hours=9),
            )
        )
        gap = timedelta(days=60 + 40 * (index % 5))
        order_count = LOYAL_ORDER_COUNT if index % 8 == 1 else 1 + index % 6
        for number in range(order_count):
            day = first_order + number * gap
            if day > LAST_ORDER_DAY:
                break
            orders.append(
                Order(
                    order_id=f"O{index:04d}-{number}",
                    member_id=member_id,
                    ordered_at=datetime.combine(day, datetime.min.time())
                    + timedelta(hours=10, minutes=index % 50),
                    total_yuan=100 + 35 * (index % 7) + 10 * number,
                    discount_yuan=5 * (number % 2),
                    currency="HKD" if index % 10 == HKD_CUSTOMER_REMAINDER else "CNY",
                )
            )
    order_id, member_id, ordered_at = EUR_ORDER
    orders.append(Order(order_id, member_id, ordered_at, 80, 0, currency="EUR"))
    return members, orders


def converted(orders: list[Order]) -> list[Order]:
    """The orders that reach the marts: those with a rate."""
    return [order for order in orders if order.paid_cny_cents is not None]


def _write_daily(folder: Path, table: str, header: list[str], rows: list[tuple]) -> None:
    """One file per export day; the first field of each row is the day it happened, and it is
    exported that day or, before the first delivery, in the history file."""
    by_day: dict[date, list[list[str]]] = {}
    for day, *values in rows:
        export_day = max(day, HISTORY_EXPORT_DAY)
        by_day.setdefault(export_day, []).append([str(value) for value in values])
    target = folder / table
    target.mkdir(parents=True)
    for day, day_rows in sorted(by_day.items()):
        with (target / f"{table}_{day.isoformat()}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(day_rows)


def write_landing(landing: Path, members: list[Member], orders: list[Order]) -> None:
    """The shop's exports in the contract's layout: a file per export day, the export day being
    the day the member registered or the order was placed."""
    shop = landing / "shop"
    stamp = "%Y-%m-%d %H:%M:%S"
    _write_daily(
        shop,
        "members",
        ["member_id", "phone", "registered_at", "home_store_id"],
        [
            (m.registered_at.date(), m.member_id, m.phone, m.registered_at.strftime(stamp), "")
            for m in members
        ],
    )
    _write_daily(
        shop,
        "orders",
        [
            "order_id",
            "store_id",
            "member_id",
            "order_time",
            "order_status",
            "total_amount",
            "discount_amount",
            "currency",
            "updated_at",
        ],
        [
            (
                o.ordered_at.date(),
                o.order_id,
                STORE_ID,
                o.member_id,
                o.ordered_at.strftime(stamp),
                "completed",
                f"{o.total_yuan}.00",
                f"{o.discount_yuan}.00",
                o.currency,
                o.ordered_at.strftime(stamp),
            )
            for o in orders
        ],
    )
    _write_daily(
        shop,
        "payments",
        ["payment_id", "order_id", "payment_method", "amount", "paid_at"],
        [
            (
                o.ordered_at.date(),
                f"P{o.order_id[1:]}",
                o.order_id,
                "wechat_pay",
                f"{o.paid_yuan}.00",
                (o.ordered_at + timedelta(minutes=2)).strftime(stamp),
            )
            for o in orders
        ],
    )
    weekdays = [
        FIRST_DAY - timedelta(days=7) + timedelta(days=offset)
        for offset in range((LAST_ORDER_DAY - FIRST_DAY).days + 8)
    ]
    _write_daily(
        shop,
        "fx_rates",
        ["rate_date", "currency", "cny_per_unit", "source"],
        [
            (day, day.isoformat(), "HKD", f"{hkd_rate_on(day):.4f}", "bank fixing")
            for day in weekdays
            if day.weekday() < 5
        ],
    )


# Marts that stay empty by right in a shop-only history: they need sources this shop lacks.
EMPTY_WITHOUT_MISSING_SOURCES = {
    "churn_warnings": "both warning rules read private-domain interactions (WeCom, mini-program)",
    "activation_audiences": "consent to marketing comes from WeCom contacts",
    "fct_miniprogram_events": "no mini-program events",
    "fct_ad_clicks": "no ad clicks",
}
CUSTOMER_MART_FOLDERS = ("core", "customer", "crm", "predictions")


def customer_marts() -> list[str]:
    """The marts of the customer folders, from dbt's manifest (make dbt-parse writes it)."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["fqn"][1] == "marts"
        and node["fqn"][2] in CUSTOMER_MART_FOLDERS
    )


@dataclass(frozen=True)
class LoadRun:
    warehouse: Path
    output: str


@pytest.fixture(scope="module")
def load_run(tmp_path_factory: pytest.TempPathFactory) -> LoadRun:
    """The hand-made history loaded with the documented command."""
    root = tmp_path_factory.mktemp("own_history")
    landing = root / "exports"
    write_landing(landing, *shop_history())
    environment = {
        **os.environ,
        "CVW_DATA_DIR": str(root / "data"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    # The partitions must start at the landing folder's first export day, not at a setting.
    environment.pop("CVW_PARTITIONS_START", None)
    venv = Path(sys.prefix)
    completed = subprocess.run(
        [
            "make",
            f"VENV={venv}",
            # The tests run inside the installed virtualenv: the load must not reinstall it.
            f"--old-file={venv}/.installed",
            "load",
            f"DATA={landing}",
            f"AS_OF={AS_OF.isoformat()}",
            f"HOLDOUT_DAYS={HOLDOUT_DAYS}",
        ],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-3000:]
    return LoadRun(warehouse=root / "data" / "warehouse.duckdb", output=completed.stdout)


@pytest.fixture(scope="module")
def loaded_history(load_run: LoadRun) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the loaded warehouse."""
    connection = duckdb.connect(str(load_run.warehouse), read_only=True)
    yield connection
    connection.close()


def test_the_summary_says_which_missing_sources_leave_the_ad_marts_empty(
    load_run: LoadRun,
) -> None:
    assert "0 failed (error)" in load_run.output
    ad_reports = (
        "ads__baidu_campaign_daily, ads__ocean_engine_campaign_daily, ads__tencent_ads_daily"
    )
    for mart in ("fct_ad_performance_daily", "fct_funnel_daily"):
        expected = f"{mart}:gx_{mart} (warn): no rows because landing source(s) {ad_reports}"
        assert expected in load_run.output


def _table(connection: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return connection.execute(sql).df()


def test_the_order_without_a_rate_is_quarantined_with_that_reason(
    loaded_history: duckdb.DuckDBPyConnection,
) -> None:
    quarantined = loaded_history.execute(
        "select order_id, quarantine_reason from quarantine.quarantine_shop__orders"
    ).fetchall()
    assert quarantined == [(EUR_ORDER[0], "missing_fx_rate")]
    fct = loaded_history.execute(
        "select count(*) from marts.fct_orders where order_id = ?", [EUR_ORDER[0]]
    ).fetchone()
    assert fct == (0,)


def test_every_customer_mart_has_rows_except_those_the_missing_sources_explain(
    loaded_history: duckdb.DuckDBPyConnection,
) -> None:
    marts = customer_marts()
    assert {"dim_customers", "customer_rfm", "customer_clv_predictions"} <= set(marts)
    counts = {
        name: loaded_history.execute(f"select count(*) from marts.{name}").fetchone()[0]
        for name in marts
    }
    empty = {name for name, count in counts.items() if count == 0}
    assert empty == set(EMPTY_WITHOUT_MISSING_SOURCES), counts


def test_the_history_from_1998_reaches_the_marts_measured_at_the_as_of_day(
    loaded_history: duckdb.DuckDBPyConnection,
) -> None:
    members, all_orders = shop_history()
    orders = converted(all_orders)
    assert len(orders) == len(all_orders) - 1
    assert sum(order.currency == "HKD" for order in orders) > 0
    frame = pd.DataFrame(
        {
            "member_id": [order.member_id for order in orders],
            "order_date": [order.ordered_at.date() for order in orders],
            "paid_cents": [order.paid_cny_cents for order in orders],
        }
    )
    expected = (
        frame.groupby("member_id")
        .agg(
            last_order_date=("order_date", "max"),
            frequency=("order_date", "size"),
            monetary_cents=("paid_cents", "sum"),
        )
        .assign(recency_days=lambda table: [(AS_OF - day).days for day in table.last_order_date])
    )
    rfm = _table(
        loaded_history,
        "select last_order_date, frequency, monetary_cents, recency_days, as_of_date "
        "from marts.customer_rfm",
    )
    assert len(rfm) == len(members)
    assert set(rfm["as_of_date"].dt.date) == {AS_OF}
    # Every member's first order day is its own, so the rows pair up by their values.
    columns = ["last_order_date", "frequency", "monetary_cents", "recency_days"]
    actual = rfm.assign(last_order_date=rfm["last_order_date"].dt.date)[columns]
    key = sorted(columns)
    pd.testing.assert_frame_equal(
        actual.astype({"monetary_cents": "int64", "frequency": "int64", "recency_days": "int64"})
        .sort_values(key)
        .reset_index(drop=True),
        expected[columns]
        .astype({"monetary_cents": "int64", "frequency": "int64", "recency_days": "int64"})
        .sort_values(key)
        .reset_index(drop=True),
    )
    # By hand: member 0 bought once, on 1998-01-05, 1487 days before 2002-01-31.
    first = rfm[rfm["last_order_date"].dt.date == date(1998, 1, 5)]
    assert first["recency_days"].tolist() == [1487]
    assert first["frequency"].tolist() == [1]
    assert first["monetary_cents"].tolist() == [10_000]

    cohorts = _table(
        loaded_history,
        "select cohort_month, cohort_size from marts.cohort_retention where months_since_first = 0",
    )
    first_months = (
        frame.groupby("member_id")["order_date"].min().map(lambda day: day.replace(day=1))
    )
    expected_sizes = first_months.value_counts().sort_index()
    assert dict(zip(cohorts["cohort_month"].dt.date, cohorts["cohort_size"], strict=True)) == {
        month: int(size) for month, size in expected_sizes.items()
    }
    assert min(cohorts["cohort_month"].dt.date) == date(1998, 1, 1)


def test_the_clv_models_are_fitted_and_validated_on_the_requested_holdout(
    loaded_history: duckdb.DuckDBPyConnection,
) -> None:
    parameters = _table(loaded_history, "select * from marts.clv_model_parameters")
    assert set(parameters["model_name"]) == {"bg_nbd", "gamma_gamma"}
    assert set(parameters["model_status"]) == {"fitted"}
    assert parameters["parameter_value"].notna().all()
    assert (parameters["parameter_value"] > 0).all()
    assert set(parameters["fit_date"].dt.date) == {AS_OF}

    predictions = _table(loaded_history, "select * from marts.customer_clv_predictions")
    assert len(predictions) == CUSTOMERS
    assert predictions["predicted_clv_cents"].notna().all()
    assert set(predictions["model_status"]) == {"fitted"}

    validation = _table(loaded_history, "select * from marts.clv_validation")
    assert set(validation["holdout_days"]) == {HOLDOUT_DAYS}
    assert set(validation["calibration_end_date"].dt.date) == {AS_OF - timedelta(HOLDOUT_DAYS)}
    assert set(validation["model_status"]) == {"fitted"}
    # The holdout's actual purchases, counted here: orders after the calibration end.
    holdout_start = AS_OF - timedelta(HOLDOUT_DAYS)
    _, orders = shop_history()
    in_holdout = sum(
        holdout_start < order.ordered_at.date() <= AS_OF for order in converted(orders)
    )
    overall = validation[validation["frequency_bucket"] == "all"]
    assert overall["actual_purchases_total"].tolist() == [in_holdout]
