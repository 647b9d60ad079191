"""The demo-data generator writes the landing contract deterministically, with realistic mess."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from dagster_project.cli import demo_data as demo_cli
from dagster_project.lib.contract import SOURCES, SourceTable, get_source
from dagster_project.lib.demo import generator
from dagster_project.lib.demo.context import Activity
from dagster_project.lib.demo.frames import Frame
from dagster_project.lib.demo.mess import UNPARSEABLE_TIMESTAMP

SEED = 7
CUSTOMERS = 300
DAYS = 60
END = date(2026, 10, 31)
START = END - timedelta(days=DAYS - 1)
CANONICAL_PHONE = re.compile(r"1[3-9]\d{9}")
FILE_NAME = re.compile(r"(?P<table>.+)_(?P<day>\d{4}-\d{2}-\d{2})\.csv")

Rows = list[dict[str, str]]


def _generate(out_dir: Path, seed: int = SEED) -> dict[str, int]:
    return generator.generate(out_dir, seed=seed, customers=CUSTOMERS, days=DAYS, end_date=END)


def _hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*.csv"))
    }


def _files(root: Path, source: SourceTable) -> list[Path]:
    return sorted((root / source.family / source.table).glob("*.csv"))


def _file_day(path: Path) -> date:
    match = FILE_NAME.fullmatch(path.name)
    assert match is not None, path.name
    return date.fromisoformat(match["day"])


def _china_day(epoch_seconds: int) -> str:
    return (datetime(1970, 1, 1) + timedelta(seconds=epoch_seconds + 8 * 3600)).date().isoformat()


def _read(root: Path, name: str) -> Rows:
    """Every row of a source, with the export day of its file under ``_day``."""
    source = get_source(name)
    rows: Rows = []
    for path in _files(root, source):
        text = path.read_text(encoding=source.encoding)
        for row in csv.DictReader(io.StringIO(text, newline="")):
            rows.append({**row, "_day": _file_day(path).isoformat()})
    return rows


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out_dir = tmp_path_factory.mktemp("demo") / "landing"
    return out_dir, _generate(out_dir)


@pytest.fixture(scope="module")
def root(landing: tuple[Path, dict[str, int]]) -> Path:
    return landing[0]


def test_the_same_seed_writes_byte_identical_files(root: Path, tmp_path: Path) -> None:
    _generate(tmp_path / "again")
    assert _hashes(tmp_path / "again") == _hashes(root)


def test_a_different_seed_writes_different_files(root: Path, tmp_path: Path) -> None:
    _generate(tmp_path / "other", seed=SEED + 1)
    other, ours = _hashes(tmp_path / "other"), _hashes(root)
    shared = other.keys() & ours.keys()
    assert any(other[name] != ours[name] for name in shared if "stores" not in name)


def test_regenerating_replaces_the_earlier_demo_files_and_nothing_else(tmp_path: Path) -> None:
    generator.generate(tmp_path, seed=1, customers=40, days=10, end_date=END)
    earliest = min((tmp_path / "shop" / "orders").glob("orders_*.csv"))
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("kept", encoding="utf-8")
    generator.generate(tmp_path, seed=1, customers=40, days=3, end_date=END)
    # The earlier run's first days are not exported by the shorter one: their files are gone.
    assert not earliest.exists()
    assert min((tmp_path / "shop" / "orders").glob("orders_*.csv")).name == "orders_2026-10-29.csv"
    assert unrelated.read_text(encoding="utf-8") == "kept"


def test_every_source_has_dated_files_whose_header_is_the_contract(root: Path) -> None:
    for source in SOURCES:
        files = _files(root, source)
        assert files, f"{source.name} has no landing file"
        for path in files:
            match = FILE_NAME.fullmatch(path.name)
            assert match is not None and match["table"] == source.table, path.name
            assert START <= _file_day(path) <= END, path.name
            raw = path.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf") == (source.encoding == "utf-8-sig"), path.name
            header = next(csv.reader(io.StringIO(raw.decode(source.encoding))))
            assert header == source.column_names, path.name


def test_stores_arrive_in_one_file_on_the_first_day(root: Path) -> None:
    files = _files(root, get_source("shop__stores"))
    assert [_file_day(path) for path in files] == [START]
    stores = _read(root, "shop__stores")
    assert {store["channel"] for store in stores} == {"online", "offline"}
    assert {store["platform"] for store in stores} >= {"mini_program", "tmall", "jd"}


def test_the_returned_counts_equal_the_rows_in_the_files(
    landing: tuple[Path, dict[str, int]],
) -> None:
    root, counts = landing
    assert set(counts) == {source.name for source in SOURCES}
    for source in SOURCES:
        assert counts[source.name] == len(_read(root, source.name)), source.name
        assert counts[source.name] > 0, source.name


def test_generating_in_several_blocks_keeps_one_header_per_file(tmp_path: Path) -> None:
    counts = generator._generate(tmp_path, SEED, CUSTOMERS, DAYS, END, block_size=70)
    for source in SOURCES:
        header = ",".join(source.column_names)
        rows = 0
        for path in _files(tmp_path, source):
            lines = path.read_text(encoding=source.encoding).splitlines()
            assert lines[0] == header
            assert header not in lines[1:], path.name
            rows += len(lines) - 1
        assert rows == counts[source.name], source.name
    # Sequence numbers continue across blocks: a repeated id is always the same order or member.
    orders = {(row["order_id"], row["order_time"], row["total_amount"])
              for row in _read(tmp_path, "shop__orders")}  # fmt: skip
    assert len(orders) == len({order[0] for order in orders})
    members = {tuple(row.values())[:-1] for row in _read(tmp_path, "shop__members")}
    assert len(members) == len({member[0] for member in members})


def test_phones_arrive_in_canonical_and_messy_forms(root: Path) -> None:
    phones = [row["buyer_phone"] for row in _read(root, "shop__orders") if row["buyer_phone"]]
    phones += [row["phone"] for row in _read(root, "shop__members") if row["phone"]]
    canonical = [phone for phone in phones if CANONICAL_PHONE.fullmatch(phone)]
    assert len(canonical) > 0.8 * len(phones)
    assert any(phone.startswith("+86 ") for phone in phones)
    assert any(phone.startswith("86-") for phone in phones)
    assert any(re.fullmatch(r"\d{3} \d{4} \d{4}", phone) for phone in phones)
    assert any(re.fullmatch(r"[０-９]{11}", phone) for phone in phones)
    assert any(re.fullmatch(r"\d{9}", phone) for phone in phones), "no invalid (short) phone"


def test_emails_arrive_with_stray_case_and_spaces(root: Path) -> None:
    emails = [row["email"] for row in _read(root, "shop__members") if row["email"]]
    assert any(email != email.strip() or email != email.lower() for email in emails)
    assert all("@" in email for email in emails)


def test_orders_repeat_ids_as_duplicates_and_later_re_exports(root: Path) -> None:
    orders = _read(root, "shop__orders")
    by_id: dict[str, Rows] = defaultdict(list)
    for row in orders:
        by_id[row["order_id"]].append(row)
    repeated = [rows for rows in by_id.values() if len(rows) > 1]
    assert repeated
    exact = [rows for rows in repeated if rows[0] == rows[1]]
    re_exported = [
        rows
        for rows in repeated
        if rows[1]["_day"] > rows[0]["_day"] and rows[1]["order_status"] == "completed"
    ]
    assert exact and re_exported
    assert len(repeated) < 0.05 * len(by_id)


def test_timestamps_come_in_the_contract_formats_plus_a_few_unparseable(root: Path) -> None:
    order_times = [row["order_time"] for row in _read(root, "shop__orders")]
    forms = {
        "standard": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}",
        "slash": r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}",
        "iso": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z",
    }
    for form, pattern in forms.items():
        assert any(re.fullmatch(pattern, value) for value in order_times), form
    unparseable = [value for value in order_times if value == UNPARSEABLE_TIMESTAMP]
    assert 0 < len(unparseable) < 0.02 * len(order_times)


def test_iso_timestamps_are_utc_eight_hours_behind_china_time(root: Path) -> None:
    payments = _read(root, "shop__payments")
    iso = [row for row in payments if row["paid_at"].endswith("Z")]
    assert iso
    same_day = [
        row
        for row in iso
        if (datetime.fromisoformat(row["paid_at"][:-1]) + timedelta(hours=8)).date().isoformat()
        == row["_day"]
    ]
    assert len(same_day) == len(iso)


def test_epoch_columns_hold_utc_seconds_and_milliseconds(root: Path) -> None:
    contacts = _read(root, "scrm__wecom_contacts")
    events = _read(root, "scrm__miniprogram_events")
    for row in contacts:
        assert row["updated_at"].isdigit() and len(row["updated_at"]) == 10
        assert _china_day(int(row["updated_at"])) <= row["_day"]
    for row in events:
        assert row["event_time"].isdigit() and len(row["event_time"]) == 13
        assert _china_day(int(row["event_time"]) // 1000) == row["_day"]


def test_members_and_contacts_from_before_the_window_arrive_on_the_first_day(root: Path) -> None:
    first_day = START.isoformat()
    members = _read(root, "shop__members")
    china_time = [
        row for row in members if re.fullmatch(r"\d{4}-\d\d-\d\d \S+", row["registered_at"])
    ]
    earlier = [row for row in china_time if row["registered_at"][:10] < first_day]
    assert earlier and all(row["_day"] == first_day for row in earlier)
    contacts = _read(root, "scrm__wecom_contacts")
    history = [row for row in contacts if _china_day(int(row["updated_at"])) < first_day]
    assert history and all(row["_day"] == first_day for row in history)


def test_a_few_orders_carry_no_customer_identifier(root: Path) -> None:
    orders = _read(root, "shop__orders")
    anonymous = [
        row for row in orders if not (row["member_id"] or row["buyer_phone"] or row["openid"])
    ]
    assert 0 < len(anonymous) < 0.03 * len(orders)


def test_a_few_order_lines_have_a_negative_quantity(root: Path) -> None:
    quantities = [int(row["quantity"]) for row in _read(root, "shop__order_items")]
    negative = [quantity for quantity in quantities if quantity < 0]
    assert 0 < len(negative) < 0.02 * len(quantities)


def test_order_totals_equal_their_lines_and_money_has_two_decimals(root: Path) -> None:
    lines: dict[str, int] = defaultdict(int)
    seen: set[tuple[str, str]] = set()
    for row in _read(root, "shop__order_items"):
        if (row["order_id"], row["line_number"]) in seen:
            continue
        seen.add((row["order_id"], row["line_number"]))
        assert re.fullmatch(r"\d+\.\d{2}", row["unit_price"])
        cents = int(row["unit_price"].replace(".", ""))
        lines[row["order_id"]] += abs(int(row["quantity"])) * cents
    for row in _read(root, "shop__orders"):
        assert re.fullmatch(r"\d+\.\d{2}", row["total_amount"])
        assert int(row["total_amount"].replace(".", "")) == lines[row["order_id"]]
    tencent = _read(root, "ads__tencent_ads_daily")
    assert all(row["cost"].isdigit() for row in tencent), "Tencent cost is integer fen"


def test_refunds_and_payments_reference_existing_orders(root: Path) -> None:
    order_ids = {row["order_id"] for row in _read(root, "shop__orders")}
    refunds = _read(root, "shop__refunds")
    payments = _read(root, "shop__payments")
    assert refunds and payments
    assert {row["order_id"] for row in refunds} <= order_ids
    assert {row["order_id"] for row in payments} <= order_ids
    refunded_orders = {row["order_id"] for row in refunds}
    assert 0.01 < len(refunded_orders) / len(order_ids) < 0.1


def test_referral_codes_are_owned_by_members_and_used_on_orders(root: Path) -> None:
    members = {row["member_id"] for row in _read(root, "shop__members")}
    codes = _read(root, "shop__referral_codes")
    assert {row["referrer_member_id"] for row in codes} <= members
    used = {row["referral_code"] for row in _read(root, "shop__orders") if row["referral_code"]}
    assert used and used <= {row["referral_code"] for row in codes}


def test_some_customers_buy_repeatedly_and_some_go_dormant(root: Path) -> None:
    orders_of: dict[str, set[str]] = defaultdict(set)
    last_day: dict[str, str] = {}
    for row in _read(root, "shop__orders"):
        if row["member_id"]:
            orders_of[row["member_id"]].add(row["order_id"])
            last_day[row["member_id"]] = max(last_day.get(row["member_id"], ""), row["_day"])
    assert any(len(orders) >= 3 for orders in orders_of.values())
    quiet_since = (END - timedelta(days=30)).isoformat()
    dormant = [
        member
        for member, orders in orders_of.items()
        if len(orders) >= 2 and last_day[member] < quiet_since
    ]
    assert dormant


def test_identifiers_link_the_sources_for_identity_stitching(root: Path) -> None:
    members = _read(root, "shop__members")
    orders = _read(root, "shop__orders")
    member_openids = {row["openid"] for row in members if row["openid"]}
    member_unionids = {row["unionid"] for row in members if row["unionid"]}
    order_openids = {row["openid"] for row in orders if row["openid"]}
    event_openids = {row["openid"] for row in _read(root, "scrm__miniprogram_events")}
    contact_unionids = {row["unionid"] for row in _read(root, "scrm__wecom_contacts")}
    click_openids = {row["openid"] for row in _read(root, "ads__ad_clicks") if row["openid"]}
    assert order_openids & member_openids
    assert order_openids & event_openids
    assert contact_unionids & member_unionids
    assert click_openids & (event_openids | order_openids)
    member_ids = {row["member_id"] for row in members}
    assert {row["member_id"] for row in orders if row["member_id"]} <= member_ids


def test_private_domain_data_has_consent_variants_and_ab_messages(root: Path) -> None:
    contacts = _read(root, "scrm__wecom_contacts")
    consent = {row["marketing_consent"] for row in contacts}
    assert consent <= {"1", "0", "true", "false", "是", "否", ""}
    assert {"1", "0"} <= consent
    interactions = _read(root, "scrm__community_interactions")
    staff = [row for row in interactions if row["interaction_type"] == "staff_message"]
    assert {row["message_variant"] for row in staff} == {"A", "B"}
    assert all(row["group_id"] == "" for row in staff)
    events = {row["event_name"] for row in _read(root, "scrm__miniprogram_events")}
    assert events == {"view", "add_to_cart", "share", "page_view"}


def test_ad_reports_have_plausible_click_through_rates_and_ab_campaigns(root: Path) -> None:
    reports = {
        "ads__ocean_engine_campaign_daily": ("show_cnt", "click_cnt"),
        "ads__tencent_ads_daily": ("view_count", "valid_click_count"),
        "ads__baidu_campaign_daily": ("impression", "click"),
    }
    names: set[str] = set()
    for name, (impressions, clicks) in reports.items():
        rows = _read(root, name)
        shown = sum(int(row[impressions]) for row in rows)
        clicked = sum(int(row[clicks]) for row in rows)
        assert 0.005 <= clicked / shown <= 0.03, name
        names |= {row["campaign_name"] for row in rows}
    assert any(name.endswith("_A") for name in names)
    assert any(name.endswith("_B") for name in names)
    platforms = {row["platform"] for row in _read(root, "ads__ad_clicks")}
    assert {"ocean_engine", "tencent_ads", "baidu"} <= platforms
    assert platforms - {"ocean_engine", "tencent_ads", "baidu"}, "no Chinese or alias names"


def test_the_command_line_writes_to_the_given_folder(tmp_path: Path) -> None:
    arguments = ["--seed", "3", "--customers", "40", "--days", "10", "--out", str(tmp_path)]
    assert demo_cli.main([*arguments, "--end-date", "2026-06-30"]) == 0
    orders = _files(tmp_path, get_source("shop__orders"))
    assert orders and all(_file_day(path) <= date(2026, 6, 30) for path in orders)


def test_the_default_landing_folder_follows_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CVW_DATA_DIR", str(tmp_path))
    assert demo_cli.default_landing_dir() == tmp_path / "landing"
    monkeypatch.delenv("CVW_DATA_DIR")
    repository = Path(__file__).resolve().parents[1]
    assert demo_cli.default_landing_dir() == repository / "data" / "landing"


def test_neutral_activity_multipliers_write_the_demo_files_unchanged(
    root: Path, tmp_path: Path
) -> None:
    generator.generate(
        tmp_path, seed=SEED, customers=CUSTOMERS, days=DAYS, end_date=END,
        activity=Activity(orders=1.0, events=1.0, clicks=1.0),
    )  # fmt: skip
    assert _hashes(tmp_path) == _hashes(root)


def test_activity_multipliers_give_more_orders_events_and_clicks_per_customer(
    root: Path, tmp_path: Path
) -> None:
    busier = Activity(orders=3.0, events=2.0, clicks=4.0)
    generator.generate(
        tmp_path, seed=SEED, customers=CUSTOMERS, days=DAYS, end_date=END, activity=busier
    )
    # Counted from the files, distinct ids only, so duplicates injected as mess do not count.
    for name, key, at_least in (
        ("shop__orders", "order_id", 2.0),
        ("scrm__miniprogram_events", "event_id", 1.5),
        ("ads__ad_clicks", "click_id", 2.5),
    ):
        demo = {row[key] for row in _read(root, name)}
        busy = {row[key] for row in _read(tmp_path, name)}
        assert len(busy) > at_least * len(demo), name
    # The mess is still there at the busier mix.
    orders = _read(tmp_path, "shop__orders")
    assert any(row["order_time"] == UNPARSEABLE_TIMESTAMP for row in orders)
    assert len(orders) > len({row["order_id"] for row in orders})


def test_activity_multipliers_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Activity(orders=0.0)


def test_the_command_line_takes_activity_multipliers(tmp_path: Path) -> None:
    arguments = ["--seed", "3", "--customers", "60", "--days", "20", "--end-date", "2026-06-30"]
    assert demo_cli.main([*arguments, "--out", str(tmp_path / "demo")]) == 0
    busier = ["--orders-scale", "4", "--events-scale", "3", "--clicks-scale", "5"]
    assert demo_cli.main([*arguments, *busier, "--out", str(tmp_path / "busy")]) == 0
    for name in ("shop__orders", "scrm__miniprogram_events", "ads__ad_clicks"):
        assert len(_read(tmp_path / "busy", name)) > len(_read(tmp_path / "demo", name)), name


def test_an_export_table_takes_the_contract_column_order_whatever_order_it_is_built_in() -> None:
    columns = get_source("shop__referral_codes").column_names
    built = {column: np.array([column]) for column in reversed(columns)}
    frame = Frame("shop__referral_codes", built, np.zeros(1, dtype=np.int64))
    assert list(frame.table) == columns
    assert [values[0] for values in frame.table.values()] == columns


def test_an_export_table_without_a_contract_column_is_refused() -> None:
    columns = get_source("shop__referral_codes").column_names
    built = {column: np.array(["x"]) for column in columns[1:]}
    with pytest.raises(ValueError, match="differ from the contract"):
        Frame("shop__referral_codes", built, np.zeros(1, dtype=np.int64))
