"""Day-by-day incremental runs against one full build over the same ten days of landing files.

The nightly path loads one landing export day into raw and runs dbt; the incremental facts merge
the load window and the marts above them are rebuilt. Over ten days that must give exactly the
marts (and the staging tables, the largest of which is incremental too) of one full build, a
repeated run must change nothing, and a refund exported on day nine for a day-two order must reach
that order.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from warehouse_helpers import dbt_build, schema_tables

from dagster_project.lib.demo_data import generate
from dagster_project.lib.landing import load_all

END_DATE = date(2026, 10, 31)
DAYS = [END_DATE - timedelta(days=offset) for offset in range(9, -1, -1)]
LATE_REFUND_ID = "RF9999999901"
LATE_REFUND_FEN = 1234
# The incremental facts, everything they read and every mart built on them; the prediction marts
# need the Python model fits and are left to the Dagster tests.
SELECTION = ["@fct_orders", "@fct_miniprogram_events", "@fct_ad_clicks"]
# Tests and unit tests run in the main build; here only the seed and models are built.
EXCLUSION = ["source:models+", "resource_type:test", "resource_type:unit_test"]
COMPARED_SCHEMAS = ("staging", "marts")


def _dbt_build(data_dir: Path, extra: Sequence[str] = ()) -> None:
    dbt_build(
        data_dir, "--select", "resource_type:seed", *SELECTION, "--exclude", *EXCLUSION, *extra
    )


def _warehouse_tables(data_dir: Path) -> dict[str, pd.DataFrame]:
    database = data_dir / "warehouse.duckdb"
    return {
        f"{schema}.{name}": frame
        for schema in COMPARED_SCHEMAS
        for name, frame in schema_tables(database, schema).items()
    }


def _assert_same_tables(actual: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    assert sorted(actual) == sorted(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(actual[name], frame, check_dtype=True, obj=name)


def _day_two_order(landing: Path) -> str:
    """A paid or completed day-2 order without any refund in the generated files."""
    refunded = set()
    for path in (landing / "shop" / "refunds").glob("refunds_*.csv"):
        refunded |= set(pd.read_csv(path, dtype=str)["order_id"])
    orders = pd.read_csv(landing / "shop" / "orders" / f"orders_{DAYS[1]}.csv", dtype=str)
    candidates = orders[orders["order_status"].isin(["paid", "completed"])]
    candidates = candidates[~candidates["order_id"].isin(refunded)]
    return sorted(candidates["order_id"])[0]


def _add_late_refund(landing: Path, order_id: str) -> None:
    """Append a refund of the day-2 order to the day-9 refunds export (creating it if needed)."""
    path = landing / "shop" / "refunds" / f"refunds_{DAYS[8]}.csv"
    values = {
        "refund_id": LATE_REFUND_ID,
        "order_id": order_id,
        "refund_amount": f"{LATE_REFUND_FEN / 100:.2f}",
        "refunded_at": f"{DAYS[8]} 12:00:00",
        "reason": "late",
    }
    header = list(values)
    exists = path.exists()
    if exists:
        with path.open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if not exists:
            writer.writerow(header)
        writer.writerow([values.get(name, "") for name in header])


def _reexport_day_two_event(landing: Path) -> str:
    """Append a plainly valid day-2 mini-program event, found in no other export, to the day-9
    export, as a tracker that sends an old event again does: the day-9 copy wins and the day-2
    row becomes a duplicate."""
    folder = landing / "scrm" / "miniprogram_events"
    exports = {
        path.stem.removeprefix("miniprogram_events_"): pd.read_csv(path, dtype=str)
        for path in sorted(folder.glob("miniprogram_events_*.csv"))
    }
    everywhere = pd.concat(exports.values())["event_id"].value_counts()
    day_two = exports[str(DAYS[1])]
    plainly_valid = (
        day_two[["event_id", "openid", "event_time"]].notna().all(axis="columns")
        & day_two["event_name"].isin(["view", "add_to_cart", "share", "page_view"])
        & day_two["event_time"].str.fullmatch(r"\d{13}", na=False)
        & day_two["event_id"].map(everywhere).eq(1)
    )
    event = day_two[plainly_valid].iloc[0]
    path = folder / f"miniprogram_events_{DAYS[8]}.csv"
    with path.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(
            ["" if pd.isna(event[name]) else event[name] for name in header]
        )
    return str(event["event_id"])


def _event_copies(data_dir: Path, event_id: str) -> list[tuple[str, str | None]]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(
            "select cast(_load_date as varchar), quarantine_reason"
            " from staging.stg_scrm__miniprogram_events where event_id = ? order by 1",
            [event_id],
        ).fetchall()


def _expected_refund_fen(landing: Path, order_id: str, through: date) -> int:
    """Refunds of the order in the landing exports up to ``through``, in fen, from the CSVs."""
    total = 0
    for path in sorted((landing / "shop" / "refunds").glob("refunds_*.csv")):
        if date.fromisoformat(path.stem.removeprefix("refunds_")) > through:
            continue
        refunds = pd.read_csv(path, dtype=str)
        amounts = refunds.loc[refunds["order_id"] == order_id, "refund_amount"]
        total += sum(round(float(amount) * 100) for amount in amounts)
    return total


def _order_refund_fen(data_dir: Path, order_id: str) -> int:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        found = connection.execute(
            "select refund_amount_cents from marts.fct_orders where order_id = ?", [order_id]
        ).fetchone()
    assert found is not None
    return int(found[0])


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    root = tmp_path_factory.mktemp("ten_days_landing")
    generate(root, seed=5, customers=300, days=len(DAYS), end_date=END_DATE)
    order_id = _day_two_order(root)
    _add_late_refund(root, order_id)
    return root, order_id, _reexport_day_two_event(root)


@pytest.fixture(scope="module")
def full_build(landing: tuple[Path, str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("full_build")
    os.symlink(landing[0], data_dir / "landing")
    load_all(data_dir / "landing", data_dir / "raw")
    _dbt_build(data_dir, ["--full-refresh"])
    return data_dir


@pytest.fixture(scope="module")
def daily_runs(landing: tuple[Path, str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Ten nightly runs; records the late-refunded order's refund and the re-exported event's
    staging rows after days 8 and 9."""
    data_dir = tmp_path_factory.mktemp("daily_runs")
    os.symlink(landing[0], data_dir / "landing")
    refund_after: dict[date, int] = {}
    event_copies_after: dict[date, list] = {}
    for day in DAYS:
        load_all(data_dir / "landing", data_dir / "raw", load_dates=[day])
        # No run_date: the facts' own watermark picks the window, as in an unpartitioned night.
        _dbt_build(data_dir)
        if day in (DAYS[7], DAYS[8]):
            refund_after[day] = _order_refund_fen(data_dir, landing[1])
            event_copies_after[day] = _event_copies(data_dir, landing[2])
    return {
        "data_dir": data_dir,
        "refund_after": refund_after,
        "event_copies_after": event_copies_after,
    }


def test_ten_daily_runs_give_the_marts_of_one_full_build(full_build: Path, daily_runs: dict):
    _assert_same_tables(_warehouse_tables(daily_runs["data_dir"]), _warehouse_tables(full_build))


def test_refund_on_day_nine_changes_the_day_two_order(
    landing: tuple[Path, str, str], daily_runs: dict
):
    root, order_id, _ = landing
    before = _expected_refund_fen(root, order_id, DAYS[7])
    after = _expected_refund_fen(root, order_id, DAYS[8])
    assert after == before + LATE_REFUND_FEN
    assert daily_runs["refund_after"] == {DAYS[7]: before, DAYS[8]: after}


def test_event_exported_again_on_day_nine_makes_the_day_two_copy_a_duplicate(daily_runs: dict):
    day_two, day_nine = str(DAYS[1]), str(DAYS[8])
    assert daily_runs["event_copies_after"] == {
        DAYS[7]: [(day_two, None)],
        DAYS[8]: [(day_two, "duplicate_event_id"), (day_nine, None)],
    }


def test_running_a_day_again_changes_nothing(daily_runs: dict, full_build: Path):
    data_dir = daily_runs["data_dir"]
    settled = _warehouse_tables(data_dir)
    # Re-run an old partition by name (extraction and dbt with its run_date), then the last night
    # once more from the watermark.
    load_all(data_dir / "landing", data_dir / "raw", load_dates=[DAYS[4]])
    _dbt_build(data_dir, ["--vars", f"{{run_date: '{DAYS[4]}', lookback_days: 2}}"])
    _assert_same_tables(_warehouse_tables(data_dir), settled)
    _dbt_build(data_dir)
    _assert_same_tables(_warehouse_tables(data_dir), _warehouse_tables(full_build))
