"""Day-by-day incremental runs against one full build over the same ten days of landing files.

The nightly path loads one landing export day into raw and runs dbt; the incremental models merge
the load window and the models above them are rebuilt. Over ten days that must give exactly the
staging, intermediate and mart tables of one full build, and a repeated run must change nothing.
Changes exported on day nine for early orders must reach them: a late refund, an event sent again,
an order cancelled, a campaign visit exported late, and a member that merges a buyer with an
earlier campaign visitor.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from warehouse_helpers import dbt_build, schema_tables

from dagster_project.lib.demo.generator import generate
from dagster_project.lib.landing import load_all

END_DATE = date(2026, 10, 31)
DAYS = [END_DATE - timedelta(days=offset) for offset in range(9, -1, -1)]
LATE_REFUND_ID = "RF9999999901"
LATE_REFUND_FEN = 1234
LATE_EVENT_ID = "0000000000000000000000000000late"
# The incremental facts, everything they read and every mart built on them; the prediction marts
# need the Python model fits and are left to the Dagster tests.
SELECTION = ["@fct_orders", "@fct_miniprogram_events", "@fct_ad_clicks"]
# Tests and unit tests run in the main build; here only the seed and models are built.
EXCLUSION = ["source:models+", "resource_type:test", "resource_type:unit_test"]
COMPARED_SCHEMAS = ("staging", "intermediate", "marts")


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
    return str(_early_orders(landing, set(), days=DAYS[1:2]).iloc[0]["order_id"])


def _row_values(row: pd.Series) -> dict[str, str]:
    """An export row as CSV values, empty where the export had none."""
    return {name: ("" if pd.isna(value) else value) for name, value in row.items()}


def _append_to_day_nine(landing: Path, source: str, values: Mapping[str, str]) -> None:
    """Append one row to the day-9 export of ``source`` (e.g. "shop/refunds"), creating the file
    with the columns of the source's other exports if that day has none; columns the row does not
    name stay empty."""
    path = landing / source / f"{Path(source).name}_{DAYS[8]}.csv"
    exports = sorted((landing / source).glob("*.csv"))
    header = list(values)
    exists = path.exists()
    if exports:
        with exports[0].open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if not exists:
            writer.writerow(header)
        writer.writerow([values.get(name, "") for name in header])


def _add_late_refund(landing: Path, order_id: str) -> None:
    """Append a refund of the day-2 order to the day-9 refunds export (creating it if needed)."""
    _append_to_day_nine(
        landing,
        "shop/refunds",
        {
            "refund_id": LATE_REFUND_ID,
            "order_id": order_id,
            "refund_amount": f"{LATE_REFUND_FEN / 100:.2f}",
            "refunded_at": f"{DAYS[8]} 12:00:00",
            "reason": "late",
        },
    )


def _early_orders(landing: Path, taken: set[str], days: Sequence[date] = DAYS[:4]) -> pd.DataFrame:
    """Plainly valid paid or completed orders of ``days`` (the first four) without any refund,
    minus ``taken``, with the export's columns and the buyer's phone and openid (from the order,
    else from the member) as ``buyer_phone_known`` and ``buyer_openid_known``."""
    exports = landing / "shop"
    refunded = {
        order_id
        for path in (exports / "refunds").glob("*.csv")
        for order_id in pd.read_csv(path, dtype=str)["order_id"]
    }
    members = pd.concat(
        pd.read_csv(path, dtype=str) for path in sorted((exports / "members").glob("*.csv"))
    ).drop_duplicates("member_id", keep="last")
    orders = pd.concat(
        pd.read_csv(exports / "orders" / f"orders_{day}.csv", dtype=str) for day in days
    ).reset_index(drop=True)
    member_identifiers = orders[["member_id"]].merge(members, "left", "member_id")
    orders["buyer_phone_known"] = orders["buyer_phone"].fillna(member_identifiers["phone"])
    orders["buyer_openid_known"] = orders["openid"].fillna(member_identifiers["openid"])
    eligible = (
        orders["order_status"].isin(["paid", "completed"])
        & orders["order_time"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", na=False)
        & ~orders["order_id"].isin(refunded | taken)
    )
    return orders[eligible].sort_values("order_id")


def _cancel_early_order(landing: Path, taken: set[str]) -> str:
    """Export an early order again on day 9, cancelled: it stops being a revenue order."""
    order = _early_orders(landing, taken).iloc[0]
    values = _row_values(order.drop(["buyer_phone_known", "buyer_openid_known"]))
    values.update(order_status="cancelled", updated_at=f"{DAYS[8]} 10:00:00")
    _append_to_day_nine(landing, "shop/orders", values)
    return str(order["order_id"])


def _campaign_visits(landing: Path, days: Sequence[date]) -> pd.DataFrame:
    """Mini-program events of ``days`` that came from a campaign, with a plainly valid time."""
    events = pd.concat(
        pd.read_csv(
            landing / "scrm" / "miniprogram_events" / f"miniprogram_events_{day}.csv", dtype=str
        )
        for day in days
    )
    visits = events[
        events["campaign_id"].notna() & events["event_time"].str.fullmatch(r"\d{13}", na=False)
    ]
    return visits.sort_values("event_id")


def _export_campaign_visit_late(landing: Path, taken: set[str]) -> tuple[str, str]:
    """Export on day 9 a campaign visit an early buyer made two hours before the order, as a
    tracker that uploads late does. Returns the order and the touch."""
    order = _early_orders(landing, taken).dropna(subset=["buyer_openid_known"]).iloc[0]
    visited = pd.Timestamp(order["order_time"], tz="Asia/Shanghai") - pd.Timedelta(hours=2)
    visits = _campaign_visits(landing, DAYS[:1])
    values = _row_values(visits[visits["event_name"].eq("view")].iloc[0])
    values.update(
        event_id=LATE_EVENT_ID,
        openid=order["buyer_openid_known"],
        unionid="",
        event_time=str(int(visited.timestamp() * 1000)),
    )
    _append_to_day_nine(landing, "scrm/miniprogram_events", values)
    return str(order["order_id"]), f"miniprogram:{LATE_EVENT_ID}"


def _identifiers_in(landing: Path, source: str, columns: Sequence[str]) -> set[str]:
    values: set[str] = set()
    for path in (landing / source).glob("*.csv"):
        frame = pd.read_csv(path, dtype=str)
        for column in columns:
            values |= set(frame[column].dropna())
    return values


def _link_visitor_to_buyer(landing: Path, taken: set[str]) -> tuple[str, str]:
    """Export on day 9 a member carrying the phone of an early buyer and the openid of an earlier
    campaign visitor known nowhere else, as a visitor who signs up with the phone they once
    bought with does. That merges the two customers, so the visit joins the early order's
    journey. Returns the order and the touch."""
    known = (
        _identifiers_in(landing, "shop/orders", ["openid"])
        | _identifiers_in(landing, "shop/members", ["openid", "unionid"])
        | _identifiers_in(landing, "scrm/wecom_contacts", ["unionid"])
    )
    visits = _campaign_visits(landing, DAYS[:4])
    visits = visits[~visits["openid"].isin(known) & ~visits["unionid"].isin(known)]
    visits = visits.assign(
        visited=pd.to_datetime(visits["event_time"].astype("int64"), unit="ms", utc=True)
    )
    buyers = _early_orders(landing, taken)
    buyers = buyers[buyers["buyer_phone_known"].str.fullmatch(r"1\d{10}", na=False)].assign(
        ordered=pd.to_datetime(buyers["order_time"]).dt.tz_localize("Asia/Shanghai")
    )
    pairs = visits.merge(buyers, how="cross", suffixes=("_visit", ""))
    pairs = pairs[pairs["visited"] < pairs["ordered"]].sort_values(["order_id", "event_id"])
    pair = pairs.iloc[0]
    _append_to_day_nine(
        landing,
        "shop/members",
        {
            "member_id": "M99999901",
            "phone": pair["buyer_phone_known"],
            "openid": pair["openid_visit"],
            "registered_at": f"{DAYS[8]} 12:00:00",
        },
    )
    return str(pair["order_id"]), f"miniprogram:{pair['event_id']}"


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
    _append_to_day_nine(landing, "scrm/miniprogram_events", _row_values(event))
    return str(event["event_id"])


def _event_copies(data_dir: Path, event_id: str) -> list[tuple[str, str | None]]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(
            "select cast(_load_date as varchar), quarantine_reason"
            " from staging.base_scrm__miniprogram_events where event_id = ? order by 1",
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


@dataclass(frozen=True)
class DayNineChanges:
    """The generated landing files and what the day-9 exports change about earlier days."""

    root: Path
    refunded_order: str
    reexported_event: str
    cancelled_order: str
    late_visit: tuple[str, str]
    linked_visit: tuple[str, str]


def _journey(data_dir: Path, order_id: str) -> list[str]:
    """The order's touches in position order (one attribution model; all share the touches)."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select touchpoint_id from marts.fct_attribution"
            " where order_id = ? and attribution_model = 'linear' order by touch_position",
            [order_id],
        ).fetchall()
    return [touchpoint_id for (touchpoint_id,) in rows]


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> DayNineChanges:
    root = tmp_path_factory.mktemp("ten_days_landing")
    generate(root, seed=5, customers=300, days=len(DAYS), end_date=END_DATE)
    refunded_order = _day_two_order(root)
    _add_late_refund(root, refunded_order)
    reexported_event = _reexport_day_two_event(root)
    taken = {refunded_order}
    cancelled_order = _cancel_early_order(root, taken)
    taken.add(cancelled_order)
    late_visit = _export_campaign_visit_late(root, taken)
    taken.add(late_visit[0])
    linked_visit = _link_visitor_to_buyer(root, taken)
    return DayNineChanges(
        root, refunded_order, reexported_event, cancelled_order, late_visit, linked_visit
    )


@pytest.fixture(scope="module")
def full_build(landing: DayNineChanges, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("full_build")
    os.symlink(landing.root, data_dir / "landing")
    load_all(data_dir / "landing", data_dir / "raw")
    _dbt_build(data_dir, ["--full-refresh"])
    return data_dir


@pytest.fixture(scope="module")
def daily_runs(landing: DayNineChanges, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Ten nightly runs; records what the day-9 exports change, after days 8 and 9."""
    data_dir = tmp_path_factory.mktemp("daily_runs")
    os.symlink(landing.root, data_dir / "landing")
    after: dict[str, dict[date, object]] = {
        "refund": {},
        "event_copies": {},
        "cancelled_journey": {},
        "late_visit_journey": {},
        "linked_visit_journey": {},
    }
    for day in DAYS:
        load_all(data_dir / "landing", data_dir / "raw", load_dates=[day])
        # No run_date: the facts' own watermark picks the window, as in an unpartitioned night.
        _dbt_build(data_dir)
        if day in (DAYS[7], DAYS[8]):
            after["refund"][day] = _order_refund_fen(data_dir, landing.refunded_order)
            after["event_copies"][day] = _event_copies(data_dir, landing.reexported_event)
            after["cancelled_journey"][day] = _journey(data_dir, landing.cancelled_order)
            after["late_visit_journey"][day] = _journey(data_dir, landing.late_visit[0])
            after["linked_visit_journey"][day] = _journey(data_dir, landing.linked_visit[0])
    return {"data_dir": data_dir, **after}


def test_ten_daily_runs_give_the_marts_of_one_full_build(full_build: Path, daily_runs: dict):
    _assert_same_tables(_warehouse_tables(daily_runs["data_dir"]), _warehouse_tables(full_build))


def test_refund_on_day_nine_changes_the_day_two_order(landing: DayNineChanges, daily_runs: dict):
    before = _expected_refund_fen(landing.root, landing.refunded_order, DAYS[7])
    after = _expected_refund_fen(landing.root, landing.refunded_order, DAYS[8])
    assert after == before + LATE_REFUND_FEN
    assert daily_runs["refund"] == {DAYS[7]: before, DAYS[8]: after}


def test_event_exported_again_on_day_nine_makes_the_day_two_copy_a_duplicate(daily_runs: dict):
    day_two, day_nine = str(DAYS[1]), str(DAYS[8])
    assert daily_runs["event_copies"] == {
        DAYS[7]: [(day_two, None)],
        DAYS[8]: [(day_two, "duplicate_event_id"), (day_nine, None)],
    }


def test_order_cancelled_on_day_nine_loses_its_attribution(daily_runs: dict):
    journeys = daily_runs["cancelled_journey"]
    assert journeys[DAYS[7]], "the order was credited before it was cancelled"
    assert journeys[DAYS[8]] == []


@pytest.mark.parametrize(
    ("change", "journey"),
    [
        pytest.param("late_visit", "late_visit_journey", id="campaign visit exported late"),
        pytest.param("linked_visit", "linked_visit_journey", id="member merging visitor and buyer"),
    ],
)
def test_touch_known_on_day_nine_joins_the_early_order_journey(
    landing: DayNineChanges, daily_runs: dict, change: str, journey: str
):
    touch = getattr(landing, change)[1]
    journeys = daily_runs[journey]
    assert journeys[DAYS[7]], "the early order was credited to its own touches before"
    assert touch not in journeys[DAYS[7]]
    assert touch in journeys[DAYS[8]]


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
