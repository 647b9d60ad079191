"""A shop's own history, 1998 to 2001, loaded the way a user loads it: `make load DATA=...`.

The landing folder is written by hand below: only members, orders and payments (the shop has no
ad platforms, no SCRM and no store master), every order in CNY. The run must start its daily
partitions at the first export day (1998), leave the missing sources empty without blocking a
customer mart, take the as-of day and the holdout length from the command line, and fit the CLV
models. The marts are compared with figures computed here from the hand-made rows.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("VIRTUAL_ENV", REPO_ROOT / ".venv"))
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
                )
            )
    return members, orders


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
