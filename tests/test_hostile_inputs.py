"""Hostile landing files: each loads cleanly with its bad rows quarantined, or fails loudly.

One warehouse is built for all cases that load (a copy of the session demo landing folder plus one
hand-written file per case, each on its own export day), so every case can be checked by load
date: raw rows = clean + quarantined with hand-worked counts, the quarantine reason, and the order
fact either unchanged against the demo warehouse or holding the hand-computed new values. Files
that cannot be read are loaded on their own and must raise an error naming the file and the
problem, with the raw layer left byte for byte as it was.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from warehouse_helpers import dbt_build

from dagster_project.lib.contract import get_source
from dagster_project.lib.landing import load_all, load_source
from dagster_project.lib.landing_files import LandingFileError

ORDERS = get_source("shop__orders")
ORDER_HEADER = ORDERS.column_names
CONTACT_HEADER = get_source("scrm__wecom_contacts").column_names
ITEM_HEADER = get_source("shop__order_items").column_names
CLICK_HEADER = get_source("ads__ad_clicks").column_names

# One export day per case; all after the demo's last day so no demo file is replaced. Order times
# stay inside the demo period so the as-of day (latest order day) does not move.
DAY = {
    "gbk": date(2026, 11, 1),
    "bom": date(2026, 11, 2),
    "truncated": date(2026, 11, 3),
    "semicolon": date(2026, 11, 4),
    "extra_column": date(2026, 11, 5),
    "redelivered_identical": date(2026, 11, 6),
    "redelivered_corrected": date(2026, 11, 7),
    "bad_date": date(2026, 11, 8),
    "time_zones": date(2026, 11, 9),
    "negative_quantity": date(2026, 11, 10),
    "no_identifier": date(2026, 11, 11),
    "duplicate_id": date(2026, 11, 12),
    "full_width_phone": date(2026, 11, 13),
    "invalid_phone": date(2026, 11, 14),
    "chinese_platform": date(2026, 11, 15),
    "bad_money": date(2026, 11, 16),
}
IDENTICAL_SOURCE_DAY = date(2026, 10, 29)
CORRECTED_SOURCE_DAY = date(2026, 10, 30)
CORRECTED_TOTAL = "4321.50"
ORDER_TIME = "2026-10-20 10:00:00"


def order(order_id: str, **overrides: str) -> dict[str, str]:
    row = {
        "order_id": order_id,
        "store_id": "ST001",
        "member_id": "",
        "buyer_phone": "19900000001",
        "openid": "",
        "order_time": ORDER_TIME,
        "order_status": "paid",
        "total_amount": "100.00",
        "discount_amount": "0.00",
        "referral_code": "",
        "currency": "CNY",
        "updated_at": ORDER_TIME,
    }
    row.update(overrides)
    return row


def csv_text(header: list[str], rows: list[dict[str, str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[row.get(name, "") for name in header] for row in rows])
    return buffer.getvalue()


def landing_path(landing: Path, family: str, table: str, day: date) -> Path:
    path = landing / family / table / f"{table}_{day.isoformat()}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_orders(landing: Path, case: str, rows: list[dict[str, str]], **options: str) -> Path:
    path = landing_path(landing, "shop", "orders", DAY[case])
    path.write_text(csv_text(ORDER_HEADER, rows, **options), encoding="utf-8")
    return path


def write_hostile_files(landing: Path) -> None:
    """One file per case; the comments give the expected outcome the tests check."""
    # GBK (Chinese Excel default): one clean contact whose nickname must decode to 张伟.
    contact = {
        "external_userid": "wm_hostile_gbk",
        "nickname": "张伟",
        "phone": "19900000002",
        "owner_userid": "LiNa",
        "add_time": "1792544400",
        "updated_at": "1792544400",
    }
    landing_path(landing, "scrm", "wecom_contacts", DAY["gbk"]).write_bytes(
        csv_text(CONTACT_HEADER, [contact]).encode("gbk")
    )
    # UTF-8 with BOM: one clean order, phone written +86 with spaces.
    path = landing_path(landing, "shop", "orders", DAY["bom"])
    bom_row = order("HX-BOM", buyer_phone="+86 199 0000 0003", total_amount="88.80")
    path.write_bytes(b"\xef\xbb\xbf" + csv_text(ORDER_HEADER, [bom_row]).encode("utf-8"))
    # Truncated: the second row is cut off after order_status -> missing_total_amount.
    text = csv_text(ORDER_HEADER, [order("HX-TRUNC-1"), order("HX-TRUNC-2")])
    cut = text.index("HX-TRUNC-2") + len(f"HX-TRUNC-2,ST001,,19900000001,,{ORDER_TIME},paid")
    landing_path(landing, "shop", "orders", DAY["truncated"]).write_text(
        text[:cut], encoding="utf-8"
    )
    # Semicolon-delimited export: detected, one clean order.
    write_orders(landing, "semicolon", [order("HX-SEMI", total_amount="1,234.56")], delimiter=";")
    # Extra column: dropped with a warning, one clean order.
    path = landing_path(landing, "shop", "orders", DAY["extra_column"])
    extra = csv_text([*ORDER_HEADER, "remark"], [{**order("HX-EXTRA"), "remark": "gift wrap"}])
    path.write_text(extra, encoding="utf-8")
    # Re-delivered identical file under a later export day.
    original = landing_path(landing, "shop", "orders", IDENTICAL_SOURCE_DAY)
    shutil.copyfile(original, landing_path(landing, "shop", "orders", DAY["redelivered_identical"]))
    # Re-delivered corrected order: a paid demo order with a phone, new total, updated later.
    source_rows = csv.DictReader(
        landing_path(landing, "shop", "orders", CORRECTED_SOURCE_DAY).open(encoding="utf-8")
    )
    chosen = next(
        row for row in source_rows if row["buyer_phone"] and row["order_status"] == "paid"
    )
    corrected = {
        **chosen,
        "total_amount": CORRECTED_TOTAL,
        "discount_amount": "0.00",
        "updated_at": "2026-11-07 09:00:00",
    }
    write_orders(landing, "redelivered_corrected", [corrected])
    # Unparseable date: 30 February.
    write_orders(landing, "bad_date", [order("HX-BADDATE", order_time="2026-02-30 10:00:00")])
    # Mixed time zones: UTC 'Z', explicit +08:00 and plain China time are the same instant.
    write_orders(
        landing,
        "time_zones",
        [
            order("HX-TZ-UTC", order_time="2026-10-20T02:00:00Z"),
            order("HX-TZ-CST", order_time="2026-10-20T10:00:00+08:00"),
            order("HX-TZ-PLAIN", order_time="2026/10/20 10:00"),
        ],
    )
    # Negative quantity on an order line.
    items = [
        {
            "order_id": "HX-BOM",
            "line_number": "1",
            "product_sku": "TY-502",
            "product_name": "益智积木",
            "category": "toys",
            "quantity": "-2",
            "unit_price": "44.40",
        }
    ]
    landing_path(landing, "shop", "order_items", DAY["negative_quantity"]).write_text(
        csv_text(ITEM_HEADER, items), encoding="utf-8"
    )
    # No customer identifier at all.
    write_orders(landing, "no_identifier", [order("HX-NOID", buyer_phone="")])
    # The same order id twice in one file, same updated_at: the later row wins.
    write_orders(
        landing,
        "duplicate_id",
        [order("HX-DUP", total_amount="10.00"), order("HX-DUP", total_amount="20.00")],
    )
    # Full-width digits in the phone.
    write_orders(
        landing, "full_width_phone", [order("HX-FW", buyer_phone="１３９ ００００ ０００４")]
    )
    # Invalid phone as the only identifier: not guessed, so the order has no identifier.
    write_orders(landing, "invalid_phone", [order("HX-BADPHONE", buyer_phone="12345")])
    # Chinese platform name on an ad click.
    click = {
        "click_id": "hx_click_1",
        "platform": "巨量引擎",
        "campaign_id": "C1",
        "ad_id": "A1",
        "click_time": "2026-10-20 10:00:00",
        "openid": "",
    }
    landing_path(landing, "ads", "ad_clicks", DAY["chinese_platform"]).write_text(
        csv_text(CLICK_HEADER, [click]), encoding="utf-8"
    )
    # Money text: a yuan sign with thousands separators is fine, words are not.
    write_orders(
        landing,
        "bad_money",
        [
            order("HX-MONEY-OK", total_amount="¥1,299.00", buyer_phone="19900000005"),
            order("HX-MONEY-BAD", total_amount="一百元"),
        ],
    )


def dbt_build_orders_path(data_dir: Path) -> None:
    """Staging, quarantine, the order fact and the reconciliation test: what the cases read."""
    dbt_build(
        data_dir,
        "--select",
        "staging",
        "quarantine",
        "+fct_orders",
        "assert_raw_rows_reconcile_with_clean_and_quarantined",
        "--exclude",
        "resource_type:unit_test",
        # Tests that also read a model outside the selection (relationships) are left out.
        "--indirect-selection",
        "cautious",
    )


@pytest.fixture(scope="module")
def hostile(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("hostile")
    shutil.copytree(built_warehouse / "landing", data_dir / "landing")
    write_hostile_files(data_dir / "landing")
    load_all(data_dir / "landing", data_dir / "raw")
    dbt_build_orders_path(data_dir)
    return data_dir


def query(data_dir: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql).df()


def counts(data_dir: Path, family: str, table: str, day: date) -> tuple[int, int, int]:
    """(raw rows read from the Parquet file, clean staging rows, quarantined rows) of one load."""
    raw_file = data_dir / "raw" / family / table / f"load_date={day}" / f"{table}_{day}.parquet"
    raw_rows = pq.read_metadata(raw_file).num_rows
    name = f"{family}__{table}"
    (clean,) = query(
        data_dir,
        f"select count(*) from staging.stg_{name} where _load_date = date '{day}'",
    ).iloc[0]
    (quarantined,) = query(
        data_dir,
        f"select count(*) from quarantine.quarantine_{name} where _load_date = date '{day}'",
    ).iloc[0]
    return raw_rows, int(clean), int(quarantined)


def reasons(data_dir: Path, family: str, table: str, day: date) -> list[str]:
    frame = query(
        data_dir,
        f"select quarantine_reason from quarantine.quarantine_{family}__{table} "
        f"where _load_date = date '{day}' order by _row_number",
    )
    return frame["quarantine_reason"].tolist()


def fact(data_dir: Path, order_id: str) -> pd.DataFrame:
    return query(data_dir, f"select * from marts.fct_orders where order_id = '{order_id}'")


def test_demo_orders_are_unchanged_in_the_order_fact(hostile: Path, built_warehouse: Path) -> None:
    """Every demo order except the corrected one is identical to the demo warehouse's.

    Bookkeeping columns (``_last_load_date``: the latest export day that touched the order) move
    when a file is re-delivered on a later day; the order's values must not.
    """
    corrected_file = landing_path(
        hostile / "landing", "shop", "orders", DAY["redelivered_corrected"]
    )
    corrected_id = next(csv.DictReader(corrected_file.open(encoding="utf-8")))["order_id"]
    baseline = query(built_warehouse, "select * from marts.fct_orders")
    after = query(hostile, "select * from marts.fct_orders")
    baseline = baseline[baseline["order_id"] != corrected_id].sort_values("order_id")
    after = after[after["order_id"].isin(baseline["order_id"])].sort_values("order_id")
    values = [column for column in baseline.columns if not column.startswith("_")]
    baseline, after = baseline[values], after[values]
    pd.testing.assert_frame_equal(baseline.reset_index(drop=True), after.reset_index(drop=True))


def test_gbk_export_loads_clean_with_its_chinese_text(hostile: Path) -> None:
    assert counts(hostile, "scrm", "wecom_contacts", DAY["gbk"]) == (1, 1, 0)
    nickname = query(
        hostile,
        "select nickname from staging.stg_scrm__wecom_contacts "
        "where external_userid = 'wm_hostile_gbk'",
    )["nickname"].tolist()
    assert nickname == ["张伟"]


def test_utf8_bom_export_loads_clean_and_reaches_the_order_fact(hostile: Path) -> None:
    assert counts(hostile, "shop", "orders", DAY["bom"]) == (1, 1, 0)
    row = fact(hostile, "HX-BOM")
    assert row["order_amount_cents"].tolist() == [8880]
    assert row["customer_key"].notna().all()


def test_truncated_last_row_is_kept_and_quarantined(hostile: Path) -> None:
    assert counts(hostile, "shop", "orders", DAY["truncated"]) == (2, 1, 1)
    assert reasons(hostile, "shop", "orders", DAY["truncated"]) == ["missing_total_amount"]
    assert len(fact(hostile, "HX-TRUNC-1")) == 1
    assert fact(hostile, "HX-TRUNC-2").empty


def test_semicolon_delimited_export_is_detected(hostile: Path) -> None:
    assert counts(hostile, "shop", "orders", DAY["semicolon"]) == (1, 1, 0)
    assert fact(hostile, "HX-SEMI")["gross_amount_cents"].tolist() == [123456]


def test_extra_column_is_dropped_and_the_row_loads(hostile: Path) -> None:
    assert counts(hostile, "shop", "orders", DAY["extra_column"]) == (1, 1, 0)
    assert len(fact(hostile, "HX-EXTRA")) == 1


def test_redelivered_identical_file_supersedes_without_double_counting(
    hostile: Path, built_warehouse: Path
) -> None:
    day = DAY["redelivered_identical"]
    original_rows = pq.read_metadata(
        built_warehouse
        / "raw/shop/orders"
        / f"load_date={IDENTICAL_SOURCE_DAY}"
        / f"orders_{IDENTICAL_SOURCE_DAY}.parquet"
    ).num_rows
    (baseline_clean,) = query(
        built_warehouse,
        "select count(*) from staging.stg_shop__orders "
        f"where _load_date = date '{IDENTICAL_SOURCE_DAY}'",
    ).iloc[0]
    raw_rows, clean, quarantined = counts(hostile, "shop", "orders", day)
    assert raw_rows == original_rows
    assert (clean, quarantined) == (baseline_clean, original_rows - baseline_clean)
    # The earlier delivery's clean rows are now the older duplicates.
    assert counts(hostile, "shop", "orders", IDENTICAL_SOURCE_DAY) == (
        original_rows,
        0,
        original_rows,
    )
    assert set(reasons(hostile, "shop", "orders", IDENTICAL_SOURCE_DAY)) >= {"duplicate_order_id"}


def test_redelivered_corrected_order_replaces_the_old_version(hostile: Path) -> None:
    day = DAY["redelivered_corrected"]
    assert counts(hostile, "shop", "orders", day) == (1, 1, 0)
    order_id = query(
        hostile, f"select order_id from staging.stg_shop__orders where _load_date = date '{day}'"
    )["order_id"].iloc[0]
    assert fact(hostile, order_id)["gross_amount_cents"].tolist() == [432150]
    old = query(
        hostile,
        "select quarantine_reason from quarantine.quarantine_shop__orders "
        f"where order_id = '{order_id}' and _load_date = date '{CORRECTED_SOURCE_DAY}'",
    )
    assert old["quarantine_reason"].tolist() == ["duplicate_order_id"]


def test_impossible_date_is_quarantined_as_unparseable(hostile: Path) -> None:
    assert counts(hostile, "shop", "orders", DAY["bad_date"]) == (1, 0, 1)
    assert reasons(hostile, "shop", "orders", DAY["bad_date"]) == ["unparseable_order_time"]
    assert fact(hostile, "HX-BADDATE").empty


def test_mixed_time_zones_become_one_china_time(hostile: Path) -> None:
    assert counts(hostile, "shop", "orders", DAY["time_zones"]) == (3, 3, 0)
    times = query(
        hostile,
        "select distinct ordered_at from marts.fct_orders where order_id like 'HX-TZ-%'",
    )["ordered_at"].tolist()
    assert times == [pd.Timestamp("2026-10-20 10:00:00")]


def test_negative_quantity_is_quarantined(hostile: Path) -> None:
    assert counts(hostile, "shop", "order_items", DAY["negative_quantity"]) == (1, 0, 1)
    assert reasons(hostile, "shop", "order_items", DAY["negative_quantity"]) == [
        "negative_quantity"
    ]
    # The order itself stays, without the bad line's units.
    assert fact(hostile, "HX-BOM")["line_count"].fillna(0).tolist() == [0]


def test_order_without_any_customer_identifier_is_quarantined(hostile: Path) -> None:
    assert counts(hostile, "shop", "orders", DAY["no_identifier"]) == (1, 0, 1)
    assert reasons(hostile, "shop", "orders", DAY["no_identifier"]) == ["no_customer_identifier"]
    assert fact(hostile, "HX-NOID").empty


def test_duplicate_id_in_one_file_keeps_the_later_row(hostile: Path) -> None:
    assert counts(hostile, "shop", "orders", DAY["duplicate_id"]) == (2, 1, 1)
    assert reasons(hostile, "shop", "orders", DAY["duplicate_id"]) == ["duplicate_order_id"]
    assert fact(hostile, "HX-DUP")["gross_amount_cents"].tolist() == [2000]


def test_full_width_phone_becomes_the_canonical_number(hostile: Path) -> None:
    assert counts(hostile, "shop", "orders", DAY["full_width_phone"]) == (1, 1, 0)
    marked = query(
        hostile,
        "select phone, is_phone_invalid from staging.stg_shop__orders where order_id = 'HX-FW'",
    )
    assert marked["phone"].tolist() == ["13900000004"]
    assert marked["is_phone_invalid"].tolist() == [False]


def test_invalid_phone_is_not_guessed_and_leaves_no_identifier(hostile: Path) -> None:
    assert counts(hostile, "shop", "orders", DAY["invalid_phone"]) == (1, 0, 1)
    assert reasons(hostile, "shop", "orders", DAY["invalid_phone"]) == ["no_customer_identifier"]
    marked = query(
        hostile,
        # Quarantined, so only the base model holds its typed columns.
        "select phone, is_phone_invalid from staging.base_shop__orders "
        "where order_id = 'HX-BADPHONE'",
    )
    assert marked["phone"].tolist() == [None]
    assert marked["is_phone_invalid"].tolist() == [True]


def test_chinese_platform_name_maps_to_its_code(hostile: Path) -> None:
    assert counts(hostile, "ads", "ad_clicks", DAY["chinese_platform"]) == (1, 1, 0)
    platform = query(
        hostile, "select platform from staging.stg_ads__ad_clicks where click_id = 'hx_click_1'"
    )["platform"].tolist()
    assert platform == ["ocean_engine"]


def test_money_text_with_yuan_sign_parses_and_words_are_quarantined(hostile: Path) -> None:
    assert counts(hostile, "shop", "orders", DAY["bad_money"]) == (2, 1, 1)
    assert reasons(hostile, "shop", "orders", DAY["bad_money"]) == ["unparseable_total_amount"]
    assert fact(hostile, "HX-MONEY-OK")["gross_amount_cents"].tolist() == [129900]
    assert fact(hostile, "HX-MONEY-BAD").empty


def test_every_load_of_every_source_reconciles(hostile: Path) -> None:
    """Raw Parquet rows per source and load date against clean + quarantined, all at once."""
    for source_dir in sorted((hostile / "raw").glob("*/*")):
        family, table = source_dir.parent.name, source_dir.name
        raw_rows: dict[date, int] = {}
        for path in source_dir.glob("load_date=*/*.parquet"):
            day = date.fromisoformat(path.parent.name.removeprefix("load_date="))
            raw_rows[day] = raw_rows.get(day, 0) + pq.read_metadata(path).num_rows
        raw_rows = {day: rows for day, rows in raw_rows.items() if rows}
        name = f"{family}__{table}"
        kept = query(
            hostile,
            "select _load_date, sum(rows) as rows from ("
            f"select _load_date, count(*) as rows from staging.stg_{name} "
            "group by 1 union all "
            f"select _load_date, count(*) from quarantine.quarantine_{name} group by 1"
            ") as kept group by 1",
        )
        kept_rows = {
            pd.Timestamp(day).date(): int(rows)
            for day, rows in zip(kept["_load_date"], kept["rows"], strict=True)
        }
        assert kept_rows == raw_rows, name


# --- files that cannot be loaded: a clear error, and nothing already loaded is touched -----------


@pytest.fixture
def loaded_once(tmp_path: Path) -> tuple[Path, Path, dict[Path, bytes]]:
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    write_orders(landing, "bom", [order("GOOD-1")])
    load_source(ORDERS, landing, raw)
    snapshot = {path: path.read_bytes() for path in raw.rglob("*.parquet")}
    return landing, raw, snapshot


def assert_raw_unchanged(raw: Path, snapshot: dict[Path, bytes]) -> None:
    assert {path: path.read_bytes() for path in raw.rglob("*.parquet")} == snapshot


def test_empty_file_is_an_error_naming_the_file(
    loaded_once: tuple[Path, Path, dict[Path, bytes]],
) -> None:
    landing, raw, snapshot = loaded_once
    landing_path(landing, "shop", "orders", DAY["truncated"]).write_bytes(b"")
    with pytest.raises(LandingFileError, match=r"orders_2026-11-03\.csv: empty file"):
        load_source(ORDERS, landing, raw)
    assert_raw_unchanged(raw, snapshot)


def test_missing_required_column_is_an_error_naming_the_column(
    loaded_once: tuple[Path, Path, dict[Path, bytes]],
) -> None:
    landing, raw, snapshot = loaded_once
    header = [name for name in ORDER_HEADER if name != "order_time"]
    landing_path(landing, "shop", "orders", DAY["truncated"]).write_text(
        csv_text(header, [order("X")]), encoding="utf-8"
    )
    with pytest.raises(LandingFileError, match="missing required column.*order_time"):
        load_source(ORDERS, landing, raw)
    assert_raw_unchanged(raw, snapshot)


def test_unknown_delimiter_is_an_error_not_a_one_column_load(
    loaded_once: tuple[Path, Path, dict[Path, bytes]],
) -> None:
    landing, raw, snapshot = loaded_once
    landing_path(landing, "shop", "orders", DAY["truncated"]).write_text(
        csv_text(ORDER_HEADER, [order("X")], delimiter="#"), encoding="utf-8"
    )
    with pytest.raises(LandingFileError, match="header matches no column"):
        load_source(ORDERS, landing, raw)
    assert_raw_unchanged(raw, snapshot)


def test_undecodable_bytes_are_an_error_naming_the_encoding_problem(
    loaded_once: tuple[Path, Path, dict[Path, bytes]],
) -> None:
    landing, raw, snapshot = loaded_once
    # A UTF-8 byte-order mark followed by bytes that are not UTF-8.
    landing_path(landing, "shop", "orders", DAY["truncated"]).write_bytes(
        b"\xef\xbb\xbforder_id\xff\xfe\n"
    )
    with pytest.raises(LandingFileError, match="byte-order mark but has invalid bytes"):
        load_source(ORDERS, landing, raw)
    assert_raw_unchanged(raw, snapshot)
