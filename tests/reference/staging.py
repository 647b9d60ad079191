"""The staging rules that decide which raw order and refund rows reach the marts, in pandas.

Raw values are untyped text: ids are trimmed, China-time timestamps come in several formats (an
explicit UTC offset is converted to UTC+8), yuan amounts become fen, and only the latest clean
version of a repeated order or refund id is kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

# Full-width digits and symbols a phone may be typed with, and their ASCII forms.
WIDE_CHARS = "０１２３４５６７８９＋－（）　"
ASCII_CHARS = "0123456789+-() "
FULL_WIDTH = str.maketrans(WIDE_CHARS, ASCII_CHARS)
MAIN_TIMESTAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
ANY_TIMESTAMP = (
    r"^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?"
    r"([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?$"
)
UTC_OFFSET = r"([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$"
DECIMAL = r"^[+-]?([0-9]+([.][0-9]+)?|[.][0-9]+)$"
PHONE = r"^(?:[+]86|0086|86)?(1[3-9][0-9]{9})$"
# Minutes China time is ahead of UTC.
CHINA_OFFSET_MINUTES = 480
ORDER_STATUSES = ("paid", "completed", "cancelled")


def clean_text(values: pd.Series) -> pd.Series:
    return values.str.strip().replace("", None)


def parse_timestamp(values: pd.Series) -> pd.Series:
    """China-time timestamps; unparseable or empty text gives NaT."""
    text = clean_text(values)
    main = text.str.match(MAIN_TIMESTAMP, na=False)
    result = pd.to_datetime(text.where(main), format="%Y-%m-%d %H:%M:%S", errors="coerce")
    other = ~main & text.str.match(ANY_TIMESTAMP, na=False)
    if other.any():
        rest = text[other]
        offset = rest.str.extract(UTC_OFFSET)[0]
        local = rest.str.replace(UTC_OFFSET, "", regex=True).str.replace("/", "-")
        local = local.str.replace("T", " ")
        local = local.where(local.str.count(":") >= 2, local + ":00")
        parsed = pd.to_datetime(local, format="mixed", errors="coerce")
        sign = np.where(offset.str.startswith("-", na=False), -1, 1)
        hours = pd.to_numeric(offset.str[1:3], errors="coerce").fillna(0)
        minutes = pd.to_numeric(offset.where(offset.str.len() > 3).str[-2:], errors="coerce")
        shift = CHINA_OFFSET_MINUTES - sign * (hours * 60 + minutes.fillna(0))
        # No offset means the text is China time already; Z means UTC.
        shift = shift.where(offset.notna() & (offset.str.upper() != "Z"), 0)
        shift = shift.where(offset.str.upper() != "Z", CHINA_OFFSET_MINUTES)
        result[other] = parsed + pd.to_timedelta(shift, unit="min")
    return result


def to_fen(values: pd.Series) -> pd.Series:
    """Yuan text (thousands separators and yuan signs allowed) as fen; anything else is NaN."""
    text = values.str.strip().str.replace(r"[,¥￥]", "", regex=True).replace("", None)
    number = pd.to_numeric(text.where(text.str.match(DECIMAL, na=False)), errors="coerce")
    # Half away from zero, like SQL round on a decimal.
    return np.sign(number) * np.floor(np.abs(number) * 100 + 0.5)


def latest(frame: pd.DataFrame, key: str, order: list[str]) -> pd.DataFrame:
    """The row with the greatest ``order`` values per ``key``."""
    ordered = frame.sort_values(order, ascending=False, kind="stable")
    return ordered.drop_duplicates(key, keep="first")


def clean_orders(raw: pd.DataFrame) -> pd.DataFrame:
    """The latest valid version of every order id in raw ``shop/orders`` rows."""
    orders = pd.DataFrame(
        {
            "order_id": clean_text(raw["order_id"]),
            "store_id": clean_text(raw["store_id"]),
            "member_id": clean_text(raw["member_id"]),
            "phone": clean_text(raw["buyer_phone"])
            .str.translate(FULL_WIDTH)
            .str.replace(r"[ ()-]", "", regex=True)
            .str.extract(PHONE, expand=False),
            "openid": clean_text(raw["openid"]),
            "ordered_at": parse_timestamp(raw["order_time"]),
            "order_status": clean_text(raw["order_status"])
            .str.lower()
            .replace("canceled", "cancelled"),
            "gross": to_fen(raw["total_amount"]),
            # An empty discount is no discount; a malformed one makes the row invalid.
            "discount": to_fen(raw["discount_amount"]).where(
                clean_text(raw["discount_amount"]).notna(), 0
            ),
            "currency": clean_text(raw["currency"]).str.upper().fillna("CNY"),
            "updated_at": parse_timestamp(raw["updated_at"]),
            "load_date": raw["load_date"].astype(str),
            "source_file": raw["_source_file"],
            "row_number": raw["_row_number"],
        }
    )
    valid = (
        orders[["order_id", "store_id", "ordered_at", "gross", "discount", "updated_at"]]
        .notna()
        .all(axis=1)
        & orders["order_status"].isin(ORDER_STATUSES)
        # No exchange rates here: the demo is CNY, and tests/test_currency_conversion.py checks
        # foreign-currency orders against hand-worked rates.
        & (orders["currency"] == "CNY")
        & (orders["gross"] >= 0)
        & (orders["discount"] >= 0)
        & (orders["discount"] <= orders["gross"])
        & orders[["member_id", "phone", "openid"]].notna().any(axis=1)
    )
    return latest(
        orders[valid], "order_id", ["updated_at", "load_date", "source_file", "row_number"]
    )


def clean_refunds(raw: pd.DataFrame) -> pd.DataFrame:
    """The latest valid version of every refund id in raw ``shop/refunds`` rows."""
    refunds = pd.DataFrame(
        {
            "refund_id": clean_text(raw["refund_id"]),
            "order_id": clean_text(raw["order_id"]),
            "amount": to_fen(raw["refund_amount"]),
            "refunded_at": parse_timestamp(raw["refunded_at"]),
            "load_date": raw["load_date"].astype(str),
            "source_file": raw["_source_file"],
            "row_number": raw["_row_number"],
        }
    )
    refunds = refunds[refunds.notna().all(axis=1) & (refunds["amount"] >= 0)]
    return latest(refunds, "refund_id", ["load_date", "source_file", "row_number"])


def read_raw(data_dir: Path, table: str) -> pd.DataFrame:
    """Every raw Parquet file of one shop table (hive-partitioned by load date)."""
    return pd.read_parquet(data_dir / "raw" / "shop" / table)
