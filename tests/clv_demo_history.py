"""Purchase days of generated demo customers, computed in pandas straight from landing files.

The model tests need a realistic purchase history without depending on the dbt build: this
reads the generator's order and member exports, keeps clean, non-cancelled orders, links a
buyer's member id, phone and openid into one customer (union-find over identifiers seen
together), and returns one row per customer and purchase day, as ``int_customer_purchase_days``
does in the warehouse.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from dagster_project.lib.demo.generator import generate

DEMO_CUSTOMERS = 3_000
DEMO_DAYS = 365
DEMO_END = date(2026, 10, 31)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def _read_table(landing: Path, table: str) -> pd.DataFrame:
    files = sorted((landing / "shop" / table).glob("*.csv"))
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in files]
    return pd.concat(frames, ignore_index=True)


def _phone(values: pd.Series) -> pd.Series:
    digits = values.str.translate(_FULL_WIDTH).str.replace(r"\D", "", regex=True)
    digits = digits.where(~((digits.str.len() == 13) & digits.str.startswith("86")), digits.str[2:])
    return digits.where((digits.str.len() == 11) & digits.str.startswith("1"), "")


def _china_dates(values: pd.Series) -> pd.Series:
    """Order days in China time from the three timestamp shapes of the exports."""
    utc = values.str.endswith("Z")
    local = pd.to_datetime(values.where(~utc), format="mixed", errors="coerce")
    shifted = pd.to_datetime(values.where(utc), format="%Y-%m-%dT%H:%M:%SZ", errors="coerce")
    return local.fillna(shifted + pd.Timedelta(hours=8)).dt.normalize()


class _Components:
    """Union-find over identifier strings."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def link(self, identifiers: list[str]) -> None:
        present = [value for value in identifiers if value]
        for other in present[1:]:
            first, second = self.find(present[0]), self.find(other)
            if first != second:
                self.parent[max(first, second)] = min(first, second)


def _prefixed(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "member": ("m:" + frame["member_id"]).where(frame["member_id"] != "", ""),
            "phone": ("p:" + frame["phone"]).where(frame["phone"] != "", ""),
            "openid": ("o:" + frame["openid"]).where(frame["openid"] != "", ""),
        }
    )


def purchase_days_from_landing(landing: Path) -> tuple[pd.DataFrame, date]:
    """(customer_key, purchase_date, net_amount_cents) per customer-day, and the last order day."""
    orders = _read_table(landing, "orders").drop_duplicates("order_id", keep="last")
    orders = orders.assign(
        phone=_phone(orders["buyer_phone"]), order_date=_china_dates(orders["order_time"])
    )
    orders = orders[orders["order_date"].notna() & (orders["order_status"] != "cancelled")]
    members = _read_table(landing, "members").drop_duplicates("member_id", keep="last")
    members = members.assign(phone=_phone(members["phone"]))

    components = _Components()
    order_ids = _prefixed(orders)
    for row in _prefixed(members).itertuples(index=False):
        components.link(list(row))
    for row in order_ids.itertuples(index=False):
        components.link(list(row))
    first_id = order_ids["member"].where(
        order_ids["member"] != "",
        order_ids["phone"].where(order_ids["phone"] != "", order_ids["openid"]),
    )
    orders = orders.assign(customer_key=[components.find(v) if v else "" for v in first_id])
    orders = orders[orders["customer_key"] != ""]

    discount = pd.to_numeric(orders["discount_amount"].replace("", "0"))
    net_yuan = pd.to_numeric(orders["total_amount"]) - discount
    orders = orders.assign(net_amount_cents=np.round(net_yuan * 100).astype(np.int64))
    days = (
        orders.groupby(["customer_key", "order_date"], as_index=False)["net_amount_cents"]
        .sum()
        .rename(columns={"order_date": "purchase_date"})
    )
    days["purchase_date"] = days["purchase_date"].dt.date
    return days, max(days["purchase_date"])


@cache
def demo_purchase_days(
    base_dir: Path, customers: int = DEMO_CUSTOMERS
) -> tuple[pd.DataFrame, date]:
    """Generate the demo landing files once per test session and derive the purchase days."""
    landing = base_dir / f"clv_demo_{customers}" / "landing"
    if not (landing / "shop" / "orders").exists():
        generate(landing, seed=7, customers=customers, days=DEMO_DAYS, end_date=DEMO_END)
    days, last_day = purchase_days_from_landing(landing)
    assert last_day > DEMO_END - timedelta(days=7)
    return days, last_day
