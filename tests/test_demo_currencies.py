"""The demo's money: CNY with a daily rate table, or a share of orders in foreign currencies."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from test_demo_data import CUSTOMERS, DAYS, END, SEED, START, _files, _generate, _hashes, _read

from dagster_project.lib.contract import get_source
from dagster_project.lib.demo import generator
from dagster_project.lib.demo.currencies import DEMO_CNY_PER_UNIT
from dagster_project.lib.demo.writing import MANIFEST_NAME


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("demo") / "landing"
    _generate(out_dir)
    return out_dir


def test_demo_money_is_cny_and_every_day_has_the_default_rates(root: Path) -> None:
    assert {row["currency"] for row in _read(root, "shop__orders")} <= {"CNY", ""}
    for name in ("ads__ocean_engine_campaign_daily", "ads__tencent_ads_daily"):
        assert {row["currency"] for row in _read(root, name)} == {"CNY"}, name
    rates = _read(root, "shop__fx_rates")
    by_day: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rates:
        assert row["rate_date"] == row["_day"]
        by_day[row["rate_date"]][row["currency"]] = row["cny_per_unit"]
    assert sorted(by_day) == [(START + timedelta(days=day)).isoformat() for day in range(DAYS)]
    assert all(table == DEMO_CNY_PER_UNIT for table in by_day.values())
    # The manifest lists the rate files, so the next run replaces them like every demo file.
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    rate_files = {
        f"shop/fx_rates/{path.name}" for path in _files(root, get_source("shop__fx_rates"))
    }
    assert len(rate_files) == DAYS and rate_files <= set(manifest["files"])


def test_a_foreign_currency_share_writes_orders_and_their_money_in_that_currency(
    root: Path, tmp_path: Path
) -> None:
    generator.generate(
        tmp_path, seed=SEED, customers=CUSTOMERS, days=DAYS, end_date=END,
        foreign_currency_share=0.3,
    )  # fmt: skip
    demo = _hashes(root)
    changed = {
        path.rsplit("/", 1)[0] for path, digest in _hashes(tmp_path).items() if demo[path] != digest
    }
    # Only the money of the orders changes (this small demo may refund no foreign order).
    assert {"shop/orders", "shop/order_items", "shop/payments"} <= changed
    assert changed <= {"shop/orders", "shop/order_items", "shop/payments", "shop/refunds"}
    cny_orders = {row["order_id"]: row for row in _read(root, "shop__orders")}
    currency_of: dict[str, str] = {}
    for row in _read(tmp_path, "shop__orders"):
        if row["currency"] in DEMO_CNY_PER_UNIT:
            currency_of[row["order_id"]] = row["currency"]
            rate = float(DEMO_CNY_PER_UNIT[row["currency"]])
            # Hundredths of the currency are the CNY fen divided by the rate, rounded.
            cny_fen = round(float(cny_orders[row["order_id"]]["total_amount"]) * 100)
            assert abs(round(float(row["total_amount"]) * 100) * rate - cny_fen) <= rate / 2 + 1e-6
    assert 0.2 < len(currency_of) / len(cny_orders) < 0.4
    assert set(currency_of.values()) == set(DEMO_CNY_PER_UNIT)
    cny_payments = {row["payment_id"]: row for row in _read(root, "shop__payments")}
    foreign_payments = 0
    for row in _read(tmp_path, "shop__payments"):
        cny = round(float(cny_payments[row["payment_id"]]["amount"]) * 100)
        paid = round(float(row["amount"]) * 100)
        if row["order_id"] in currency_of:
            rate = float(DEMO_CNY_PER_UNIT[currency_of[row["order_id"]]])
            assert abs(paid * rate - cny) <= rate / 2 + 1e-6
            foreign_payments += 1
        else:
            assert paid == cny
    assert foreign_payments > 0


def test_the_foreign_currency_share_must_be_a_share() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        generator.generate(Path("unused"), customers=1, days=1, foreign_currency_share=1.5)
