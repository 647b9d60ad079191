"""Deterministic demo landing data: a year of exports of a mother-and-baby brand.

A latent population of people behaves (buys, browses the mini-program, clicks ads, joins WeCom
groups), and every source system exports what it saw of them in the shapes ``contract.py``
defines. Each source knows only some of a person's identifiers, as real exports do, so the
warehouse has to stitch identities: orders carry a member id and/or a phone and/or an openid,
members carry phone, e-mail, unionid and openid, WeCom contacts carry a unionid and sometimes a
phone, mini-program events an openid and sometimes a unionid, ad clicks sometimes an openid.

Behaviour:

- 15% of people are known only in the private domain (WeCom, mini-program) and never buy.
- Buyers follow a BG/NBD-like process: an individual purchase rate (gamma), a chance to drop out
  after every purchase (beta), a first purchase up to a year before or anywhere in the window;
  demand has a weekly cycle and 6.18 / 11.11 pre-sale and peak days. Order values follow an
  individual spend level (gamma) that drives basket size, quantities and price tier.
- Stroller buyers often buy a safety seat within 90 days; WeCom staff broadcasts (variants A/B,
  B converts better) trigger some orders; members hand out referral codes used on first orders.
- Ad daily reports have click-through rates of 0.5-3%; click callbacks are a sample of the
  reported clicks plus clicks of people who buy within three days.

Mess injected in small shares (about 0.5-2% each unless stated) for the staging rules:

- exact duplicate rows in every table except stores, referral codes and the Tencent and Baidu
  reports; re-exported orders (same order_id, status ``completed``, later ``updated_at``) in a
  later day's file;
- phones as ``13812345678`` (about 91%), ``+86 138 1234 5678``, ``86-138-1234-5678``,
  ``138 1234 5678``, full-width digits, or too short (9 digits, invalid);
- e-mails upper-cased, capitalised or with surrounding spaces;
- timestamps as ``YYYY-MM-DD HH:MM:SS`` (90%), ``YYYY/MM/DD HH:MM`` (5%) in China time or ISO
  ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (5%); ``not-a-date`` in a few order, click and interaction rows;
- orders without any customer identifier, negative quantities on a few order lines, empty
  optional fields; ad-click platforms in English or Chinese; consent as 1/0/true/false/是/否.

Files: one per export day (China time) that has rows: the day of ``updated_at`` for orders and
contacts, of registration or issue for members and referral codes, of the event for everything
else, of the report for ad reports; stores in one file on the first day. Members and contacts
created before the window arrive in the first day's files, as an initial full export would bring
them (contacts with their latest state only). Baidu files carry a UTF-8 byte-order mark and CRLF
line ends, as Excel writes them. Files are byte-identical for the same arguments. People are
generated in blocks, so memory follows the block size, not the population.

``Activity`` multipliers (``--orders-scale``, ``--events-scale``, ``--clicks-scale``) raise the
orders, mini-program events and ad clicks per person for benchmark mixes; at 1 (the default) the
output is the demo's, byte for byte.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.special import gammainc

from dagster_project.lib.contract import SOURCES, SourceTable, get_source

logger = logging.getLogger("dagster_project.demo_data")

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_END_DATE = date(2026, 10, 31)
BLOCK_SIZE = 25_000  # people per block; memory follows it
FLUSH_BYTES = 16 * 2**20  # buffered CSV bytes per table before its files are written
DAY_S = 86_400
CHINA_UTC_OFFSET_S = 8 * 3600
EPOCH = date(1970, 1, 1)
NO_TIME = np.iinfo(np.int64).max
UNPARSEABLE_TIMESTAMP = "not-a-date"

# Share of each timestamp format: 'YYYY-MM-DD HH:MM:SS', 'YYYY/MM/DD HH:MM' (both China time),
# ISO 8601 in UTC.
TIMESTAMP_FORMAT_SHARES = (0.90, 0.05, 0.05)
# canonical, '+86 138 1234 5678', '86-138-1234-5678', '138 1234 5678', full width, too short
PHONE_FORM_SHARES = (0.91, 0.02, 0.02, 0.02, 0.015, 0.015)
DUPLICATE_ROW_SHARE = 0.005
REEXPORT_SHARE = 0.015
GUEST_ORDER_SHARE = 0.008
UNPARSEABLE_SHARE = 0.002
NEGATIVE_QUANTITY_SHARE = 0.002
REFUND_SHARE = 0.05
CLICKS_PER_CUSTOMER_YEAR = 25.0
CALLBACK_SHARE = 0.2
# People may have started buying up to a year before the window, so the window opens on an
# established customer base instead of an empty shop. Their history is not exported, except for
# the members and contacts it created: those arrive in the first day's files (an initial export).
HISTORY_DAYS = 365.0

_ID_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_LOWER_ALNUM = b"abcdefghijklmnopqrstuvwxyz0123456789"
_BASE32 = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdef"
_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")

_ONLINE_HOUR_WEIGHTS = np.array(
    [5, 3, 1.5, 1, 0.8, 1, 3, 7, 12, 18, 22, 23, 20, 18, 18, 19, 19, 18, 19, 24, 30, 34, 30, 15]
)
_OFFLINE_HOUR_WEIGHTS = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 18, 16, 14, 16, 18, 20, 18, 16, 18, 15, 8, 0, 0]
)
_WEEKDAY_DEMAND = np.array([0.9, 0.9, 0.95, 1.0, 1.1, 1.3, 1.25])  # Monday first

# --- master data ---------------------------------------------------------------------------------

# store_id, name, channel, platform, city, days opened before the window, share of orders
_STORES = (
    ("ST001", "小星星母婴官方小程序", "online", "mini_program", "", 2300, 0.22),
    ("ST002", "小星星母婴天猫旗舰店", "online", "tmall", "", 3100, 0.18),
    ("ST003", "小星星母婴京东自营店", "online", "jd", "", 2700, 0.14),
    ("ST004", "小星星母婴 上海静安店", "offline", "", "上海", 2900, 0.08),
    ("ST005", "小星星母婴 上海徐汇店", "offline", "", "上海", 1800, 0.07),
    ("ST006", "小星星母婴 北京朝阳店", "offline", "", "北京", 2500, 0.08),
    ("ST007", "小星星母婴 杭州西湖店", "offline", "", "杭州", 1500, 0.06),
    ("ST008", "小星星母婴 南京新街口店", "offline", "", "南京", 1200, 0.05),
    ("ST009", "小星星母婴 深圳南山店", "offline", "", "深圳", 900, 0.07),
    ("ST010", "小星星母婴 成都春熙路店", "offline", "", "成都", 400, 0.05),
)
MINI_PROGRAM, TMALL, JD = 0, 1, 2
FIRST_OFFLINE = 3
_STORE_SHARES = np.array([store[6] for store in _STORES])
_OFFLINE_SHARES = _STORE_SHARES[FIRST_OFFLINE:] / _STORE_SHARES[FIRST_OFFLINE:].sum()

CATEGORIES = ("stroller", "safety_seat", "diapers", "formula", "toys", "clothing")
STROLLER, SAFETY_SEAT, DIAPERS, FORMULA, TOYS, CLOTHING = range(len(CATEGORIES))
_CATEGORY_SHARES = np.array([0.07, 0.05, 0.35, 0.25, 0.13, 0.15])
# sku, name, category, price in yuan; cheapest first within a category (price tiers)
_CATALOG = (
    ("STR-101", "轻便伞车", STROLLER, 599),
    ("STR-102", "双向高景观推车", STROLLER, 1299),
    ("STR-103", "一键折叠推车 Pro", STROLLER, 2199),
    ("STR-104", "旗舰碳纤维推车", STROLLER, 3899),
    ("SS-201", "便携提篮式安全座椅", SAFETY_SEAT, 699),
    ("SS-202", "ISOFIX 安全座椅", SAFETY_SEAT, 1499),
    ("SS-203", "360度旋转安全座椅", SAFETY_SEAT, 2599),
    ("SS-204", "旗舰智能安全座椅", SAFETY_SEAT, 3699),
    ("DP-301", "纸尿裤 NB 84片", DIAPERS, 109),
    ("DP-302", "纸尿裤 M 62片", DIAPERS, 129),
    ("DP-303", "拉拉裤 L 48片", DIAPERS, 139),
    ("DP-304", "高端纸尿裤 XL 42片", DIAPERS, 189),
    ("FM-401", "婴儿配方奶粉 1段 800g", FORMULA, 239),
    ("FM-402", "较大婴儿配方奶粉 2段 800g", FORMULA, 259),
    ("FM-403", "幼儿配方奶粉 3段 800g", FORMULA, 229),
    ("FM-404", "有机配方奶粉 3段 800g", FORMULA, 379),
    ("TY-501", "安抚玩偶", TOYS, 59),
    ("TY-502", "益智积木", TOYS, 129),
    ("TY-503", "早教点读机", TOYS, 299),
    ("CL-601", "纯棉连体衣", CLOTHING, 79),
    ("CL-602", "婴儿睡袋", CLOTHING, 159),
    ("CL-603", "外出防风服", CLOTHING, 259),
)
_SKU = np.array([item[0] for item in _CATALOG])
_SKU_NAME = np.array([item[1] for item in _CATALOG])
_SKU_CATEGORY = np.array([item[2] for item in _CATALOG])
_SKU_PRICE_FEN = np.array([item[3] * 100 for item in _CATALOG], dtype=np.int64)
_CATEGORY_FIRST_SKU = np.searchsorted(_SKU_CATEGORY, np.arange(len(CATEGORIES)))
_CATEGORY_SKU_COUNT = np.bincount(_SKU_CATEGORY, minlength=len(CATEGORIES))

_STAFF = (
    "ZhangWei",
    "LiNa",
    "WangFang",
    "LiuYang",
    "ChenJing",
    "YangLi",
    "ZhaoMin",
    "HuangLei",
    "ZhouTing",
    "WuHao",
    "XuLing",
    "SunQian",
)
_NICK_HEADS = (
    "小",
    "快乐",
    "阳光",
    "安安",
    "乐乐",
    "糖糖",
    "Lily",
    "Coco",
    "豆豆",
    "暖暖",
    "Amy",
    "朵朵",
)
_NICK_TAILS = ("妈妈", "爸爸", "宝妈", "", "的小窝", "🌸", "Mom", "麻麻")
_STAGE_TAGS = ("expecting", "newborn", "infant", "toddler")
_PARENT_TAGS = ("mom", "dad")
_EXTRA_TAGS = ("vip", "price_sensitive", "high_value", "event_attendee")
_EMAIL_DOMAINS = ("163.com", "126.com", "gmail.com", "outlook.com", "sina.com", "icloud.com")
_REFUND_REASONS = ("不想要了", "质量问题", "尺码不合适", "发货太慢", "七天无理由退货", "")
_REFUND_REASON_SHARES = (0.3, 0.15, 0.15, 0.1, 0.2, 0.1)
_INTERACTIONS = ("message", "reaction", "coupon_claim")
_INTERACTION_SHARES = (0.6, 0.33, 0.07)

OCEAN_ENGINE, TENCENT_ADS, BAIDU = 0, 1, 2
_PLATFORM_LABELS = (
    (("ocean_engine", "Douyin", "巨量引擎"), (0.86, 0.07, 0.07)),
    (("tencent_ads", "广点通"), (0.9, 0.1)),
    (("baidu", "百度"), (0.9, 0.1)),
)
# click-through rate range, cost per click range in yuan, per platform
_PLATFORM_CTR = ((0.008, 0.02), (0.006, 0.015), (0.015, 0.028))
_PLATFORM_CPC = ((1.2, 2.5), (1.5, 3.0), (2.5, 6.0))


# --- small vectorised helpers ------------------------------------------------------------------


def _join(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise string concatenation of arrays and scalars."""
    joined = np.asarray(parts[0])
    for part in parts[1:]:
        joined = np.strings.add(joined, part)
    return joined


def _replace(values: np.ndarray, old: str, new: str) -> np.ndarray:
    # np.strings.replace fails on empty arrays.
    return np.strings.replace(values, old, new) if values.size else values


def _random_strings(rng: np.random.Generator, n: int, length: int, alphabet: bytes) -> np.ndarray:
    table = np.frombuffer(alphabet, dtype=np.uint8)
    codes = table[rng.integers(0, len(table), size=(n, length))]
    return np.ascontiguousarray(codes).view(f"S{length}").ravel().astype(f"U{length}")


def _scrambled_codes(index: np.ndarray, salt: int) -> np.ndarray:
    """Eight base-32 characters, a bijection of the index so codes never collide."""
    mask = np.uint64((1 << 40) - 1)
    value = (index.astype(np.uint64) * np.uint64(0x9E3779B97F) + np.uint64(salt)) & mask
    value ^= value >> np.uint64(17)
    shifts = np.arange(35, -1, -5, dtype=np.uint64)
    table = np.frombuffer(_BASE32, dtype=np.uint8)
    codes = table[((value[:, None] >> shifts[None, :]) & np.uint64(31)).astype(np.intp)]
    return np.ascontiguousarray(codes).view("S8").ravel().astype("U8")


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    text = np.asarray(values, dtype=np.int64).astype(str)
    # np.strings.zfill fails on empty arrays.
    return np.strings.zfill(text, width) if text.size else text


def _yuan(fen: np.ndarray) -> np.ndarray:
    """Integer fen as a yuan string with two decimals."""
    fen = np.asarray(fen, dtype=np.int64)
    sign = np.where(fen < 0, "-", "")
    whole = (np.abs(fen) // 100).astype(str)
    cents = _digits(np.abs(fen) % 100, 2)
    return _join(sign, whole, ".", cents)


def _pick(rng: np.random.Generator, n: int, share: float, minimum: int = 0) -> np.ndarray:
    """A random mask with about ``share`` of ``n`` rows set, and at least ``minimum`` of them."""
    mask = rng.random(n) < share
    shortfall = min(minimum, n) - int(mask.sum())
    if shortfall > 0:
        mask[rng.choice(np.flatnonzero(~mask), size=shortfall, replace=False)] = True
    return mask


def _uniform_int(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    return rng.integers(int(low), int(high), size=n, endpoint=True).astype(np.int64)


def _group_positions(group: np.ndarray) -> np.ndarray:
    """0-based position of every element within its run of equal, adjacent group values."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    lengths = np.diff(np.r_[starts, len(group)])
    return np.arange(len(group)) - np.repeat(starts, lengths)


def _day_label(day: int) -> str:
    return (EPOCH + timedelta(days=int(day))).isoformat()


# --- time --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """Multipliers of how much people do, for benchmark mixes; 1.0 everywhere is the demo.

    They scale the drawn rates (never the number of random draws), so the default output does not
    depend on them and any setting stays deterministic.
    """

    orders: float = 1.0  # purchase rate up and dropout chance down by this factor
    events: float = 1.0  # mini-program browsing visits
    clicks: float = 1.0  # reported ad clicks, hence click callbacks

    def __post_init__(self) -> None:
        if min(self.orders, self.events, self.clicks) <= 0:
            raise ValueError("activity multipliers must be positive")


@dataclass(frozen=True)
class Window:
    """The generated period in China time, with its seasonal demand curve (mean 1 per day).

    Purchases and visits are drawn in "operational time", in which demand is flat, and mapped back
    to calendar days through the cumulative demand, so peaks get proportionally more events.
    """

    start: date
    days: int
    cumulative: np.ndarray
    promotion: np.ndarray
    peaks: tuple[tuple[str, int, int], ...]  # label, year, day index

    @classmethod
    def build(cls, end: date, days: int) -> Window:
        start = end - timedelta(days=days - 1)
        epoch_days = (start - EPOCH).days + np.arange(days)
        demand = _WEEKDAY_DEMAND[(epoch_days + 3) % 7].copy()  # 1970-01-01 was a Thursday
        boost = np.zeros(days)
        peaks: list[tuple[str, int, int]] = []
        for year in range(start.year - 1, end.year + 2):
            for label, month, day, height in (("618", 6, 18, 2.0), ("双11", 11, 11, 4.0)):
                offset = (date(year, month, day) - start).days
                # pre-sale ramp, the peak day itself, and the after-glow day
                for first, last, extra in (
                    (-10, -6, 0.5),
                    (-5, -1, 0.8),
                    (0, 0, height),
                    (1, 1, 0.6),
                ):
                    low, high = max(offset + first, 0), min(offset + last, days - 1)
                    if low <= high:
                        boost[low : high + 1] = np.maximum(boost[low : high + 1], extra)
                if 0 <= offset < days:
                    peaks.append((label, year, offset))
        demand *= 1.0 + boost
        demand /= demand.mean()
        cumulative = np.r_[0.0, np.cumsum(demand)]
        return cls(start, days, cumulative, boost > 0, tuple(sorted(peaks, key=lambda p: p[2])))

    @property
    def start_s(self) -> int:
        """Window start as seconds since 1970-01-01 00:00 China time."""
        return (self.start - EPOCH).days * DAY_S

    @property
    def end_s(self) -> int:
        return self.start_s + self.days * DAY_S

    @property
    def start_day(self) -> int:
        return (self.start - EPOCH).days

    @property
    def total(self) -> float:
        return float(self.cumulative[-1])

    def day_index(self, operational: np.ndarray) -> np.ndarray:
        """Day index (0 = window start) of operational times; before the window time is flat."""
        operational = np.asarray(operational, dtype=np.float64)
        inside = np.interp(operational, self.cumulative, np.arange(self.days + 1))
        days = np.where(operational < 0, operational, inside)
        return np.minimum(np.floor(days), self.days - 1).astype(np.int64)

    def operational(self, seconds: np.ndarray) -> np.ndarray:
        days = (np.asarray(seconds, dtype=np.float64) - self.start_s) / DAY_S
        inside = np.interp(days, np.arange(self.days + 1), self.cumulative)
        return np.where(days < 0, days, inside)

    def seconds_on(
        self, rng: np.random.Generator, day_index: np.ndarray, offline: np.ndarray | None = None
    ) -> np.ndarray:
        """A time of day per row, drawn from the online (or offline) hourly profile."""
        n = len(day_index)
        hours = rng.choice(24, size=n, p=_ONLINE_HOUR_WEIGHTS / _ONLINE_HOUR_WEIGHTS.sum())
        if offline is not None:
            shop_hours = rng.choice(
                24, size=n, p=_OFFLINE_HOUR_WEIGHTS / _OFFLINE_HOUR_WEIGHTS.sum()
            )
            hours = np.where(offline, shop_hours, hours)
        within = hours * 3600 + rng.integers(0, 3600, size=n)
        return self.start_s + day_index * DAY_S + within

    def random_times(
        self, rng: np.random.Generator, low: np.ndarray, high: np.ndarray
    ) -> np.ndarray:
        """Times between two operational times, following the seasonal demand."""
        operational = low + rng.random(len(low)) * (high - low)
        return self.seconds_on(rng, self.day_index(operational))

    def local_day(self, seconds: np.ndarray) -> np.ndarray:
        """Epoch day (China time) of local seconds."""
        return np.asarray(seconds, dtype=np.int64) // DAY_S

    def export_day(self, seconds: np.ndarray) -> np.ndarray:
        """Export day of a record: history from before the window lands in the first export."""
        return np.maximum(self.local_day(seconds), self.start_day)

    def day_of(self, seconds: np.ndarray) -> np.ndarray:
        """Day index (0 = window start) of local seconds."""
        return (np.asarray(seconds, dtype=np.int64) - self.start_s) // DAY_S


def _iso(seconds: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(seconds, dtype=np.int64).astype("datetime64[s]"))


def _timestamps(seconds: np.ndarray, formats: np.ndarray) -> np.ndarray:
    """Local seconds as text in the format chosen per row (0 standard, 1 slash, 2 ISO UTC)."""
    out = np.empty(len(seconds), dtype="U20")
    standard, slash, iso = formats == 0, formats == 1, formats == 2
    out[standard] = _replace(_iso(seconds[standard]), "T", " ")
    minutes = _iso(seconds[slash]).astype("U16")
    out[slash] = _replace(_replace(minutes, "-", "/"), "T", " ")
    out[iso] = _join(_iso(seconds[iso] - CHINA_UTC_OFFSET_S), "Z")
    return out


def _mixed_timestamps(rng: np.random.Generator, seconds: np.ndarray) -> np.ndarray:
    formats = rng.choice(3, size=len(seconds), p=TIMESTAMP_FORMAT_SHARES)
    return _timestamps(seconds, formats)


def _epoch_seconds(seconds: np.ndarray) -> np.ndarray:
    return (np.asarray(seconds, dtype=np.int64) - CHINA_UTC_OFFSET_S).astype(str)


# --- messy identifiers ---------------------------------------------------------------------------


def _messy_phones(rng: np.random.Generator, phones: np.ndarray) -> np.ndarray:
    """Canonical 11-digit phones rewritten in the forms people and systems type them."""
    out = phones.astype("U20")
    form = rng.choice(len(PHONE_FORM_SHARES), size=len(phones), p=PHONE_FORM_SHARES)
    form[phones == ""] = 0
    head = np.strings.slice(phones, 0, 3)
    middle = np.strings.slice(phones, 3, 7)
    tail = np.strings.slice(phones, 7, 11)
    variants = {
        1: lambda m: _join("+86 ", head[m], " ", middle[m], " ", tail[m]),
        2: lambda m: _join("86-", head[m], "-", middle[m], "-", tail[m]),
        3: lambda m: _join(head[m], " ", middle[m], " ", tail[m]),
        4: lambda m: np.strings.translate(phones[m], _FULL_WIDTH_DIGITS),
        5: lambda m: np.strings.slice(phones[m], 0, 9),
    }
    for code, rewrite in variants.items():
        mask = form == code
        out[mask] = rewrite(mask)
    return out


def _messy_emails(rng: np.random.Generator, emails: np.ndarray) -> np.ndarray:
    out = emails.astype("U64")
    form = rng.choice(4, size=len(emails), p=(0.95, 0.015, 0.015, 0.02))
    form[emails == ""] = 0
    out[form == 1] = np.strings.upper(emails[form == 1])
    out[form == 2] = np.strings.capitalize(emails[form == 2])
    out[form == 3] = _join(" ", emails[form == 3], " ")
    return out


def _blank(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    """Empty an optional field on a share of rows."""
    out = values.astype(str)
    out[rng.random(len(values)) < share] = ""
    return out


# --- context shared by all blocks --------------------------------------------------------------


@dataclass
class AdsPlan:
    """Every ad (ad / ad group / unit) with its campaign and its daily click expectation."""

    platform: np.ndarray
    campaign_id: np.ndarray
    campaign_name: np.ndarray
    ad_id: np.ndarray
    ad_name: np.ndarray
    category: np.ndarray
    expected_clicks: np.ndarray  # (days, ads)
    impressions: np.ndarray  # (days, ads)
    clicks: np.ndarray  # (days, ads) before the clicks of people the blocks add
    linked_clicks: np.ndarray  # (days, ads), filled by the blocks
    ctr: np.ndarray
    cpc_fen: np.ndarray
    cvr: np.ndarray
    accounts: tuple[str, str, str]

    @property
    def active(self) -> np.ndarray:
        return self.expected_clicks > 0


@dataclass
class Context:
    window: Window
    ads: AdsPlan
    broadcasts: np.ndarray
    group_ids: np.ndarray
    phone_salt: int
    code_salt: int
    email_salt: int
    orders_per_day: np.ndarray
    counters: dict[str, int]
    activity: Activity = field(default_factory=Activity)

    def take(self, counter: str, n: int) -> int:
        """Reserve ``n`` sequence numbers; returns the first."""
        first = self.counters[counter]
        self.counters[counter] = first + n
        return first


def _campaigns(window: Window) -> list[tuple[int, str, int, int, float, int, tuple[str, ...]]]:
    """platform, name, first day, last day, budget weight, product category, ad names."""
    last = window.days - 1
    half = window.days // 2
    campaigns = [
        (OCEAN_ENGINE, "品牌曝光_常投", 0, last, 1.0, DIAPERS, ("信息流_视频1", "信息流_视频2")),
        (OCEAN_ENGINE, "推车种草_A", 0, last, 0.6, STROLLER, ("达人视频_A", "直播切片_A")),
        (OCEAN_ENGINE, "推车种草_B", 0, last, 0.6, STROLLER, ("达人视频_B", "直播切片_B")),
        (TENCENT_ADS, "朋友圈_纸尿裤复购", 0, last, 0.8, DIAPERS, ("朋友圈卡片", "公众号文中")),
        (TENCENT_ADS, "视频号_安全座椅_A", half, last, 0.5, SAFETY_SEAT, ("视频号_A",)),
        (TENCENT_ADS, "视频号_安全座椅_B", half, last, 0.5, SAFETY_SEAT, ("视频号_B",)),
        (BAIDU, "品牌词", 0, last, 0.7, STROLLER, ("品牌词_精确", "品牌词_短语")),
        (BAIDU, "通用词_婴儿推车", 0, last, 0.6, STROLLER, ("推车_通用", "高景观推车")),
        (BAIDU, "竞品词", 0, half, 0.3, SAFETY_SEAT, ("竞品_推车", "竞品_座椅")),
    ]
    for label, year, day in window.peaks:
        campaigns += [
            (OCEAN_ENGINE, f"{year}{label}_大促", day - 20, day + 1, 3.0, STROLLER, ("大促_视频",)),
            (TENCENT_ADS, f"{year}{label}_朋友圈", day - 14, day, 2.0, FORMULA, ("大促_朋友圈",)),
            (BAIDU, f"{year}{label}_搜索", day - 10, day, 1.5, SAFETY_SEAT, ("大促_搜索",)),
        ]
    return [
        (platform, name, max(first, 0), min(end, last), weight, category, ads)
        for platform, name, first, end, weight, category, ads in campaigns
        if first <= last and end >= 0
    ]


def _numeric_ids(rng: np.random.Generator, n: int, base: int) -> np.ndarray:
    """Increasing, distinct numeric ids as platforms hand them out."""
    return (base + np.cumsum(rng.integers(1_000, 99_999, size=n))).astype(str)


def _ads_plan(
    rng: np.random.Generator, window: Window, customers: int, clicks_per_year: float
) -> AdsPlan:
    campaigns = _campaigns(window)
    n_campaigns = len(campaigns)
    campaign_ids = {
        OCEAN_ENGINE: _numeric_ids(rng, n_campaigns, 1_780_000_000_000_000),
        TENCENT_ADS: _numeric_ids(rng, n_campaigns, 41_000_000),
        BAIDU: _numeric_ids(rng, n_campaigns, 620_000_000),
    }
    ad_bases = {
        OCEAN_ENGINE: 7_300_000_000_000_000_000,
        TENCENT_ADS: 8_100_000_000,
        BAIDU: 9_200_000_000,
    }
    rows: list[tuple[int, str, str, str, int, int, int, float]] = []
    for index, (platform, name, first, last, weight, category, ad_names) in enumerate(campaigns):
        for ad_name in ad_names:
            rows.append(
                (platform, campaign_ids[platform][index], name, ad_name, category, first, last,
                 weight / len(ad_names))
            )  # fmt: skip
    n_ads = len(rows)
    platform = np.array([row[0] for row in rows])
    ad_ids = np.empty(n_ads, dtype="U24")
    for code, base in ad_bases.items():
        mask = platform == code
        ad_ids[mask] = _numeric_ids(rng, int(mask.sum()), base)
    days = np.arange(window.days)[:, None]
    first = np.array([row[5] for row in rows])[None, :]
    last = np.array([row[6] for row in rows])[None, :]
    weight = np.array([row[7] for row in rows])[None, :]
    demand = np.diff(window.cumulative)[:, None]
    expected = ((days >= first) & (days <= last)) * weight * demand
    total_clicks = clicks_per_year * customers * window.days / 365
    expected *= total_clicks / expected.sum()
    low = np.array([_PLATFORM_CTR[p][0] for p in platform])
    high = np.array([_PLATFORM_CTR[p][1] for p in platform])
    ctr = rng.uniform(low, high)
    daily_ctr = np.clip(ctr * rng.lognormal(0.0, 0.15, size=expected.shape), 0.005, 0.03)
    impressions = np.where(expected > 0, rng.poisson(expected / daily_ctr) + 1, 0)
    clicks = rng.binomial(impressions, daily_ctr)
    cpc_low = np.array([_PLATFORM_CPC[p][0] for p in platform])
    cpc_high = np.array([_PLATFORM_CPC[p][1] for p in platform])
    return AdsPlan(
        platform=platform,
        campaign_id=np.array([row[1] for row in rows]),
        campaign_name=np.array([row[2] for row in rows]),
        ad_id=ad_ids,
        ad_name=np.array([row[3] for row in rows]),
        category=np.array([row[4] for row in rows]),
        expected_clicks=expected,
        impressions=impressions.astype(np.int64),
        clicks=clicks.astype(np.int64),
        linked_clicks=np.zeros(expected.shape, dtype=np.int64),
        ctr=ctr,
        cpc_fen=np.round(rng.uniform(cpc_low, cpc_high) * 100),
        cvr=rng.uniform(0.02, 0.06, size=n_ads),
        accounts=("1712345678901234", "25610188", "小星星母婴-搜索推广"),
    )


def _build_context(
    rng: np.random.Generator, window: Window, customers: int, activity: Activity
) -> Context:
    broadcast_days = list(range(14, window.days, 30))
    broadcast_times = [window.start_s + day * DAY_S + 10 * 3600 for day in broadcast_days]
    for _label, _year, day in window.peaks:
        if day - 5 >= 0:
            broadcast_times.append(window.start_s + (day - 5) * DAY_S + 20 * 3600)
    group_ids = _join("wrOgQhDgAA", _random_strings(rng, 8, 12, _ALNUM))
    return Context(
        window=window,
        ads=_ads_plan(rng, window, customers, CLICKS_PER_CUSTOMER_YEAR * activity.clicks),
        broadcasts=np.unique(np.array(broadcast_times, dtype=np.int64)),
        group_ids=group_ids,
        phone_salt=int(rng.integers(0, 1_000_000_000)),
        code_salt=int(rng.integers(0, 1 << 40)),
        email_salt=int(rng.integers(0, 1 << 40)),
        orders_per_day=np.zeros(window.days, dtype=np.int64),
        counters={"member": 0, "code": 0, "payment": 0, "refund": 0, "interaction": 0},
        activity=activity,
    )


# --- people ------------------------------------------------------------------------------------


@dataclass
class People:
    """The latent people of one block; empty strings mark identifiers a person does not have."""

    buyer: np.ndarray
    phone: np.ndarray
    email: np.ndarray
    unionid: np.ndarray
    openid: np.ndarray
    external_userid: np.ndarray
    nickname: np.ndarray
    is_member: np.ndarray
    authorised: np.ndarray
    preferred_store: np.ndarray
    spend_level: np.ndarray
    spend_rank: np.ndarray
    category_cdf: np.ndarray
    purchase_rate: np.ndarray
    dropout: np.ndarray
    birth: np.ndarray  # operational time of the first purchase or first contact
    first_purchase: np.ndarray  # local seconds, NO_TIME for people who never buy
    last_purchase: np.ndarray  # local seconds, -1 for people who never buy

    def __len__(self) -> int:
        return len(self.buyer)

    @property
    def has_openid(self) -> np.ndarray:
        return self.openid != ""

    @property
    def has_phone(self) -> np.ndarray:
        return self.phone != ""


def _people(ctx: Context, rng: np.random.Generator, first_index: int, n: int) -> People:
    index = first_index + np.arange(n, dtype=np.int64)

    def share(buyer_share: float, other_share: float) -> np.ndarray:
        return rng.random(n) < np.where(buyer, buyer_share, other_share)

    buyer = rng.random(n) >= 0.15
    wecom = share(0.40, 0.85)
    unionid = np.where(wecom, rng.random(n) < 0.95, share(0.55, 0.9))
    openid = np.where(unionid, rng.random(n) < 0.8, rng.random(n) < 0.15)
    member = share(0.55, 0.3)
    channel_with_openid = rng.choice(4, size=n, p=(0.5, 0.1, 0.1, 0.3))
    channel_without = rng.choice([1, 2, 3], size=n, p=(0.25, 0.2, 0.55))
    channel = np.where(openid, channel_with_openid, channel_without)
    offline_store = FIRST_OFFLINE + rng.choice(len(_OFFLINE_SHARES), size=n, p=_OFFLINE_SHARES)
    preferred = np.where(channel == 3, offline_store, channel)
    # Every buyer owns a phone; whether a source records it is decided per source.
    phone = member | buyer | (rng.random(n) < 0.5)
    email = share(0.3, 0.1)

    second_digit = rng.choice(
        np.array(list("3456789")), size=n, p=(0.3, 0.05, 0.25, 0.05, 0.05, 0.1, 0.2)
    )
    suffix = (index * 387_420_489 + ctx.phone_salt) % 1_000_000_000  # bijective: gcd(3^18, 10^9)=1
    phones = _join("1", second_digit, _digits(suffix, 9))
    qq = rng.random(n) < 0.4
    local = np.strings.lower(_scrambled_codes(index, ctx.email_salt))
    qq_number = ((index * 2_654_435_761 + ctx.email_salt) % 900_000_000 + 100_000_000).astype(str)
    domain = rng.choice(np.array(_EMAIL_DOMAINS), size=n)
    emails = np.where(qq, _join(qq_number, "@qq.com"), _join(local, "@", domain))
    nickname = _join(
        rng.choice(np.array(_NICK_HEADS), size=n), rng.choice(np.array(_NICK_TAILS), size=n)
    )

    spend_level = rng.gamma(2.0, 0.5, size=n)
    return People(
        buyer=buyer,
        phone=np.where(phone, phones, ""),
        email=np.where(email, emails, ""),
        unionid=np.where(unionid, _join("o6_bm", _random_strings(rng, n, 23, _ID_ALPHABET)), ""),
        openid=np.where(openid, _join("oXyz", _random_strings(rng, n, 24, _ID_ALPHABET)), ""),
        external_userid=np.where(wecom, _join("wm", _random_strings(rng, n, 30, _ID_ALPHABET)), ""),
        nickname=nickname,
        is_member=member,
        authorised=unionid & (rng.random(n) < 0.8),
        preferred_store=preferred,
        spend_level=spend_level,
        spend_rank=gammainc(2.0, spend_level / 0.5),
        category_cdf=np.cumsum(rng.dirichlet(_CATEGORY_SHARES * 4, size=n), axis=1),
        purchase_rate=rng.gamma(0.7, 0.04 / 0.7, size=n) * ctx.activity.orders,
        dropout=np.minimum(rng.beta(1.0, 6.0, size=n) / ctx.activity.orders, 1.0),
        birth=rng.uniform(-HISTORY_DAYS, ctx.window.total, size=n),
        first_purchase=np.full(n, NO_TIME, dtype=np.int64),
        last_purchase=np.full(n, -1, dtype=np.int64),
    )


# --- orders ------------------------------------------------------------------------------------


@dataclass
class Orders:
    person: np.ndarray
    time: np.ndarray  # local seconds
    store: np.ndarray


@dataclass
class Items:
    order: np.ndarray  # index into Orders
    sku: np.ndarray
    quantity: np.ndarray


def _choose_stores(rng: np.random.Generator, people: People, person: np.ndarray) -> np.ndarray:
    n = len(person)
    preferred = people.preferred_store[person]
    other = rng.choice(len(_STORES), size=n, p=_STORE_SHARES)
    store = np.where(rng.random(n) < 0.75, preferred, other)
    # Only people with an openid can order in the mini-program.
    return np.where((store == MINI_PROGRAM) & ~people.has_openid[person], preferred, store)


def _orders_on_days(
    ctx: Context, rng: np.random.Generator, person: np.ndarray, day: np.ndarray, store: np.ndarray
) -> Orders:
    time = ctx.window.seconds_on(rng, day, store >= FIRST_OFFLINE)
    return Orders(person, time, store)


def _base_orders(ctx: Context, rng: np.random.Generator, people: People) -> Orders:
    """BG/NBD-like purchases: exponential gaps at an individual rate until the person drops out.

    Purchases before the window are drawn too: they set each person's first and last purchase
    (stored on ``people``) but are not exported.
    """
    window = ctx.window
    buyers = np.flatnonzero(people.buyer)
    count = np.minimum(rng.geometric(people.dropout[buyers]), 200)
    person = np.repeat(buyers, count)
    position = _group_positions(person)
    gaps = rng.exponential(1.0, size=len(person)) / people.purchase_rate[person]
    gaps[position == 0] = 0.0
    running = np.cumsum(gaps)
    operational = people.birth[person] + running - np.repeat(running[position == 0], count)
    keep = operational < window.total
    person, operational, position = person[keep], operational[keep], position[keep]
    store = _choose_stores(rng, people, person)
    orders = _orders_on_days(ctx, rng, person, window.day_index(operational), store)
    people.first_purchase[person[position == 0]] = orders.time[position == 0]
    np.maximum.at(people.last_purchase, person, orders.time)
    inside = orders.time >= window.start_s
    return Orders(person[inside], orders.time[inside], store[inside])


def _first_times(n: int, orders: Orders) -> np.ndarray:
    first = np.full(n, NO_TIME, dtype=np.int64)
    np.minimum.at(first, orders.person, orders.time)
    return first


def _sku_in_category(
    rng: np.random.Generator, category: np.ndarray, spend_rank: np.ndarray
) -> np.ndarray:
    """Big spenders lean to the pricier SKUs of a category."""
    tier = np.clip(rng.normal(spend_rank, 0.25), 0.0, 0.999)
    return _CATEGORY_FIRST_SKU[category] + (tier * _CATEGORY_SKU_COUNT[category]).astype(np.int64)


def _quantities(rng: np.random.Generator, category: np.ndarray, spend: np.ndarray) -> np.ndarray:
    n = len(category)
    consumable = (category == DIAPERS) | (category == FORMULA)
    packs = 1 + np.minimum(rng.poisson(0.6 * spend), 5)
    small = 1 + (rng.random(n) < 0.15)
    return np.where(consumable, packs, np.where(category >= TOYS, small, 1)).astype(np.int64)


def _items(rng: np.random.Generator, people: People, orders: Orders) -> Items:
    spend = people.spend_level[orders.person]
    lines = 1 + np.minimum(rng.poisson(0.25 + 0.3 * spend), 4)
    order = np.repeat(np.arange(len(orders.person)), lines)
    person = orders.person[order]
    draw = rng.random(len(order))[:, None]
    category = np.minimum((people.category_cdf[person] < draw).sum(axis=1), len(CATEGORIES) - 1)
    sku = _sku_in_category(rng, category, people.spend_rank[person])
    return Items(order, sku, _quantities(rng, category, people.spend_level[person]))


def _cross_sell(
    ctx: Context, rng: np.random.Generator, people: People, orders: Orders, items: Items
) -> tuple[Orders, Items]:
    """Many stroller buyers come back for a safety seat within 90 days."""
    has_stroller = np.zeros(len(orders.person), dtype=bool)
    has_stroller[items.order[_SKU_CATEGORY[items.sku] == STROLLER]] = True
    source = np.flatnonzero(has_stroller & (rng.random(len(has_stroller)) < 0.45))
    later = orders.time[source] + _uniform_int(rng, 3 * DAY_S, 90 * DAY_S, len(source))
    source = source[later < ctx.window.end_s]
    day = (later[later < ctx.window.end_s] - ctx.window.start_s) // DAY_S
    person = orders.person[source]
    new = _orders_on_days(ctx, rng, person, day, orders.store[source])
    rank = people.spend_rank[person]
    seat = _sku_in_category(rng, np.full(len(person), SAFETY_SEAT), rank)
    extra = np.flatnonzero(rng.random(len(person)) < 0.3)
    diapers = _sku_in_category(rng, np.full(len(extra), DIAPERS), rank[extra])
    order = np.r_[np.arange(len(person)), extra]
    quantity = np.r_[
        np.ones(len(person), dtype=np.int64),
        _quantities(rng, np.full(len(extra), DIAPERS), people.spend_level[person[extra]]),
    ]
    sort = np.argsort(order, kind="stable")
    return new, Items(order[sort], np.r_[seat, diapers][sort], quantity[sort])


def _combine(parts: Sequence[tuple[Orders, Items]]) -> tuple[Orders, Items]:
    """Concatenate order sets and sort orders by time; items follow their orders."""
    offsets = np.cumsum([0] + [len(orders.person) for orders, _ in parts])
    orders = Orders(
        *(np.concatenate([getattr(o, f) for o, _ in parts]) for f in Orders.__annotations__)
    )
    order = np.concatenate(
        [items.order + offset for (_, items), offset in zip(parts, offsets, strict=False)]
    )
    sku = np.concatenate([items.sku for _, items in parts])
    quantity = np.concatenate([items.quantity for _, items in parts])
    by_time = np.lexsort((orders.person, orders.time))
    new_index = np.empty_like(by_time)
    new_index[by_time] = np.arange(len(by_time))
    orders = Orders(orders.person[by_time], orders.time[by_time], orders.store[by_time])
    order = new_index[order]
    by_order = np.argsort(order, kind="stable")
    return orders, Items(order[by_order], sku[by_order], quantity[by_order])


# --- private domain: WeCom contacts and staff broadcasts ----------------------------------------


@dataclass
class Contacts:
    person: np.ndarray
    add_time: np.ndarray
    consent: np.ndarray
    opt_out_time: np.ndarray  # NO_TIME when the contact never opts out
    change_time: np.ndarray  # -1 when the contact never changes
    owner: np.ndarray


@dataclass
class StaffMessages:
    person: np.ndarray
    time: np.ndarray
    variant: np.ndarray


def _contacts(ctx: Context, rng: np.random.Generator, people: People) -> Contacts:
    window = ctx.window
    person = np.flatnonzero(people.external_userid != "")
    n = len(person)
    buyer = people.buyer[person]
    # Most buyers are added by staff right after a purchase (in store or via the parcel card).
    first_purchase = np.where(buyer, people.first_purchase[person], 0)
    after_purchase = first_purchase + _uniform_int(rng, 60, 1800, n)
    birth = people.birth[person]
    low = np.where(buyer, np.maximum(birth - 30, -HISTORY_DAYS), birth)
    high = np.where(buyer, window.total, np.minimum(birth + 3, window.total))
    added = np.where(
        buyer & (rng.random(n) < 0.6), after_purchase, window.random_times(rng, low, high)
    )
    added = np.minimum(added, window.end_s - 1)
    opt_out = added + _uniform_int(rng, DAY_S, 90 * DAY_S, n)
    opt_out = np.where((rng.random(n) < 0.03) & (opt_out < window.end_s), opt_out, NO_TIME)
    change = added + _uniform_int(rng, DAY_S, 120 * DAY_S, n)
    changes = (rng.random(n) < 0.15) & (change < window.end_s) & (change != opt_out)
    return Contacts(
        person=person,
        add_time=added,
        consent=rng.random(n) < 0.7,
        opt_out_time=opt_out,
        change_time=np.where(changes, change, -1),
        owner=rng.choice(np.array(_STAFF), size=n),
    )


def _staff_messages(ctx: Context, rng: np.random.Generator, contacts: Contacts) -> StaffMessages:
    """Broadcasts go to consenting contacts added before and not opted out; A/B at random."""
    sent = ctx.broadcasts[None, :]
    eligible = (
        contacts.consent[:, None]
        & (contacts.add_time[:, None] < sent)
        & (contacts.opt_out_time[:, None] > sent)
        & (rng.random((len(contacts.person), len(ctx.broadcasts))) < 0.9)
    )
    row, column = np.nonzero(eligible)
    time = ctx.broadcasts[column] + rng.integers(0, 3600, size=len(row))
    variant = np.where(rng.random(len(row)) < 0.5, "A", "B")
    keep = time < ctx.window.end_s
    return StaffMessages(contacts.person[row][keep], time[keep], variant[keep])


def _response_orders(
    ctx: Context, rng: np.random.Generator, people: People, messages: StaffMessages
) -> Orders:
    n = len(messages.person)
    chance = np.where(messages.variant == "B", 0.06, 0.03)
    later = messages.time + _uniform_int(rng, 1800, 7 * DAY_S, n)
    keep = people.buyer[messages.person] & (rng.random(n) < chance) & (later < ctx.window.end_s)
    person = messages.person[keep]
    day = (later[keep] - ctx.window.start_s) // DAY_S
    return _orders_on_days(ctx, rng, person, day, people.preferred_store[person])


# --- members and referral codes ---------------------------------------------------------------


@dataclass
class Members:
    person: np.ndarray
    member_id: np.ndarray
    registered: np.ndarray
    home_store: np.ndarray


def _members(ctx: Context, rng: np.random.Generator, people: People, orders: Orders) -> Members:
    """Members register at their first purchase, at a later order, or before buying at all."""
    window = ctx.window
    person = np.flatnonzero(people.is_member)
    m = len(person)
    per_person = np.bincount(orders.person, minlength=len(people))
    count = per_person[person]
    # One padding row so that people without orders index something harmless.
    by_person = np.r_[np.argsort(orders.person, kind="stable"), len(orders.person)]
    first_position = (np.cumsum(per_person) - per_person)[person]
    time = np.r_[orders.time, 0]
    store = np.r_[orders.store, 0]
    first_purchase = people.first_purchase[person]
    bought = first_purchase != NO_TIME
    mode = rng.random(m)
    ahead = bought & (mode >= 0.95)
    # Registering at a later order leaves the earlier orders without a member id.
    later = bought & (mode >= 0.75) & ~ahead & (count > 0)
    at_order = (later | (bought & ~ahead & (first_purchase >= window.start_s))) & (count > 0)
    step = np.where(later, (rng.random(m) * count).astype(np.int64), 0)
    at = by_person[np.where(at_order, first_position + step, len(by_person) - 1)]
    unprompted = window.random_times(rng, people.birth[person], np.full(m, window.total))
    registered = np.select(
        [at_order, bought & ~ahead, ahead],
        [
            time[at] - _uniform_int(rng, 60, 1200, m),
            np.where(bought, first_purchase, 0) - _uniform_int(rng, 60, 1200, m),
            np.where(bought, first_purchase, 0) - _uniform_int(rng, DAY_S, 60 * DAY_S, m),
        ],
        default=unprompted,
    )

    store_at = store[at]
    fits = at_order & ((store_at == MINI_PROGRAM) | (store_at >= FIRST_OFFLINE))
    preferred = people.preferred_store[person]
    random_shop = FIRST_OFFLINE + rng.choice(len(_OFFLINE_SHARES), size=m, p=_OFFLINE_SHARES)
    shop = np.where(preferred >= FIRST_OFFLINE, preferred, random_shop)
    fallback = np.where(people.has_openid[person], MINI_PROGRAM, shop)
    home = np.where(fits, store_at, fallback)
    # Registrations away from a purchase happen at the home store's hours.
    retimed = window.seconds_on(rng, window.day_of(registered), home >= FIRST_OFFLINE)
    registered = np.where(ahead | ~bought, retimed, registered)
    registered = np.minimum(registered, window.end_s - 1)

    order = np.argsort(registered, kind="stable")
    first_number = ctx.take("member", m) + 1
    member_id = _join("M", _digits(first_number + np.arange(m), 8))
    return Members(person[order], member_id, registered[order], home[order])


@dataclass
class ReferralCodes:
    code: np.ndarray
    member_id: np.ndarray
    created: np.ndarray


def _referral_codes(
    ctx: Context, rng: np.random.Generator, members: Members, first_time: np.ndarray
) -> ReferralCodes:
    """A fifth of buying members get a code within a month of their first order."""
    first = first_time[members.person]
    bought = first != NO_TIME
    base = np.maximum(members.registered, np.where(bought, first, 0))
    room = ctx.window.end_s - 120 - base
    issue = bought & (rng.random(len(base)) < 0.2) & (room > 0)
    created = base + (rng.random(len(base)) * np.clip(room, 0, 30 * DAY_S)).astype(np.int64)
    chosen = np.flatnonzero(issue)
    chosen = chosen[np.argsort(created[chosen], kind="stable")]
    first_code = ctx.take("code", len(chosen))
    code = _join("RC", _scrambled_codes(first_code + np.arange(len(chosen)), ctx.code_salt))
    return ReferralCodes(code, members.member_id[chosen], created[chosen])


def _referral_use(rng: np.random.Generator, orders: Orders, codes: ReferralCodes) -> np.ndarray:
    """Some first orders in the mini-program or in store use a code issued at least an hour ago."""
    used = np.full(len(orders.person), "", dtype="U10")
    _, first = np.unique(orders.person, return_index=True)
    channel_ok = orders.store[first] != TMALL
    channel_ok &= orders.store[first] != JD
    candidates = first[channel_ok & (rng.random(len(first)) < 0.08)]
    available = np.searchsorted(codes.created, orders.time[candidates] - 3600, side="right")
    candidates, available = candidates[available > 0], available[available > 0]
    pick = (rng.random(len(candidates)) * available).astype(np.int64)
    used[candidates] = codes.code[pick]
    return used


# --- ad clicks of people -------------------------------------------------------------------------


@dataclass
class Clicks:
    person: np.ndarray
    time: np.ndarray
    ad: np.ndarray
    openid: np.ndarray


def _person_clicks(ctx: Context, rng: np.random.Generator, people: People) -> Clicks:
    """Clicks shortly before a first purchase (ad-acquired buyers) and stray clicks of anyone."""
    window, ads = ctx.window, ctx.ads
    n = len(people)
    new_buyer = people.buyer & (people.first_purchase >= window.start_s)
    acquired = np.flatnonzero(new_buyer & (rng.random(n) < 0.25))
    first_purchase = people.first_purchase[acquired]
    before_first = first_purchase - _uniform_int(rng, 600, 3 * DAY_S, len(acquired))
    stray = np.flatnonzero(rng.random(n) < 0.08)
    stray = np.repeat(stray, 1 + rng.poisson(0.5, size=len(stray)))
    stray_time = window.random_times(rng, np.zeros(len(stray)), np.full(len(stray), window.total))
    person = np.r_[acquired, stray]
    time = np.r_[before_first, stray_time]
    keep = time >= window.start_s
    person, time = person[keep], time[keep]
    day = (time - window.start_s) // DAY_S
    cdf = np.cumsum(ads.expected_clicks, axis=1)
    total = cdf[:, -1]
    keep = total[day] > 0
    person, time, day = person[keep], time[keep], day[keep]
    draw = rng.random(len(day)) * total[day]
    ad = np.minimum((cdf[day] < draw[:, None]).sum(axis=1), cdf.shape[1] - 1)
    np.add.at(ads.linked_clicks, (day, ad), 1)
    logged_in = people.has_openid[person] & (rng.random(len(person)) < 0.75)
    return Clicks(person, time, ad, np.where(logged_in, people.openid[person], ""))


# --- frames ------------------------------------------------------------------------------------

# A table is its columns in contract order, each an array of strings.
Table = dict[str, np.ndarray]


@dataclass
class Frame:
    """Rows for one source: the table, the export day per row, and which rows to write."""

    name: str
    table: Table
    day: np.ndarray
    rows: np.ndarray | None = None  # row order to write, repeats allowed; None: every row once


def _take(table: Table, index: np.ndarray) -> Table:
    return {column: values[index] for column, values in table.items()}


def _concat(tables: Sequence[Table]) -> Table:
    return {column: np.concatenate([table[column] for table in tables]) for column in tables[0]}


def _with_duplicates(
    name: str, rng: np.random.Generator, table: Table, day: np.ndarray, share: float
) -> Frame:
    """Repeat a few rows verbatim right after themselves, as a glitching export does."""
    n = len(day)
    repeated = np.flatnonzero(_pick(rng, n, share, minimum=1 if n else 0))
    return Frame(name, table, day, np.sort(np.r_[np.arange(n), repeated], kind="stable"))


_STORE_IDS = np.array([store[0] for store in _STORES])


def _stores_frame(window: Window) -> Frame:
    opened = [(window.start - timedelta(days=store[5])).isoformat() for store in _STORES]
    frame = {
        "store_id": _STORE_IDS,
        "store_name": np.array([store[1] for store in _STORES]),
        "channel": np.array([store[2] for store in _STORES]),
        "platform": np.array([store[3] for store in _STORES]),
        "city": np.array([store[4] for store in _STORES]),
        "opened_date": np.array(opened),
    }
    return Frame("shop__stores", frame, np.full(len(_STORES), window.start_day))


def _payment_methods(rng: np.random.Generator, store: np.ndarray) -> np.ndarray:
    n = len(store)
    in_store = rng.choice(
        np.array(["wechat_pay", "alipay", "card", "cash"]), size=n, p=(0.5, 0.3, 0.15, 0.05)
    )
    jd = np.where(rng.random(n) < 0.6, "wechat_pay", "card")
    return np.where(
        store == MINI_PROGRAM,
        "wechat_pay",
        np.where(store == TMALL, "alipay", np.where(store == JD, jd, in_store)),
    )


def _order_frames(
    ctx: Context,
    rng: np.random.Generator,
    people: People,
    orders: Orders,
    items: Items,
    members: Members,
    referral: np.ndarray,
) -> list[Frame]:
    window = ctx.window
    n = len(orders.person)
    person, store = orders.person, orders.store
    day_index = (orders.time - window.start_s) // DAY_S
    sequence = _group_positions(day_index) + ctx.orders_per_day[day_index] + 1
    ctx.orders_per_day += np.bincount(day_index, minlength=window.days)
    day_labels = np.array(
        [(window.start + timedelta(days=day)).strftime("%y%m%d") for day in range(window.days)]
    )
    order_id = _join("SO", day_labels[day_index], _digits(sequence, 6))

    line_fen = _SKU_PRICE_FEN[items.sku] * items.quantity
    gross = np.round(np.bincount(items.order, weights=line_fen, minlength=n)).astype(np.int64)
    promotion = window.promotion[day_index]
    draw = rng.random(n)
    rate = np.where(
        promotion,
        np.where(draw < 0.8, rng.uniform(0.10, 0.20, n), 0.0),
        np.where(draw < 0.35, rng.uniform(0.05, 0.10, n), 0.0),
    )
    discount = (gross * rate // 100).astype(np.int64) * 100 + np.where(referral != "", 3000, 0)
    discount = np.minimum(discount, gross // 200 * 100)
    net = gross - discount

    offline = store >= FIRST_OFFLINE
    cancelled = rng.random(n) < np.where(offline, 0.01, 0.035)
    status = np.where(cancelled, "cancelled", np.where(offline, "completed", "paid"))
    delay = np.where(cancelled, _uniform_int(rng, 300, 7200, n), _uniform_int(rng, 0, 600, n))
    updated = np.minimum(orders.time + delay, window.end_s - 1)

    member_of = np.full(len(people), "", dtype="U9")
    member_of[members.person] = members.member_id
    registered = np.full(len(people), NO_TIME, dtype=np.int64)
    registered[members.person] = members.registered
    mini_program = store == MINI_PROGRAM
    market = (store == TMALL) | (store == JD)
    member_share = np.where(mini_program, 0.85, np.where(market, 0.25, 0.95))
    phone_share = np.where(mini_program, 0.4, np.where(market, 0.95, 0.35))
    with_member = (orders.time >= registered[person]) & (rng.random(n) < member_share)
    with_phone = people.has_phone[person] & (rng.random(n) < phone_share)
    with_openid = mini_program & people.has_openid[person]
    with_phone |= ~(with_member | with_phone | with_openid) & people.has_phone[person]
    guest = _pick(rng, n, GUEST_ORDER_SHARE, minimum=1)
    formats = rng.choice(3, size=n, p=TIMESTAMP_FORMAT_SHARES)
    order_time = _timestamps(orders.time, formats)
    order_time[_pick(rng, n, UNPARSEABLE_SHARE, minimum=1)] = UNPARSEABLE_TIMESTAMP
    frame = {
        "order_id": order_id,
        "store_id": _STORE_IDS[store],
        "member_id": np.where(with_member & ~guest, member_of[person], ""),
        "buyer_phone": _messy_phones(rng, np.where(with_phone & ~guest, people.phone[person], "")),
        "openid": np.where(with_openid & ~guest, people.openid[person], ""),
        "order_time": order_time,
        "order_status": status,
        "total_amount": _yuan(gross),
        "discount_amount": _blank(rng, _yuan(discount), 0.02),
        "referral_code": referral,
        "currency": _blank(rng, np.full(n, "CNY"), 0.01),
        "updated_at": _timestamps(updated, formats),
    }
    export_day = window.local_day(updated)
    # Online orders are re-exported when they complete: same order, later updated_at and file.
    completed_at = updated + _uniform_int(rng, 2 * DAY_S, 15 * DAY_S, n)
    again = np.flatnonzero(
        ~offline & ~cancelled & (rng.random(n) < REEXPORT_SHARE) & (completed_at < window.end_s)
    )
    reexport = _take(frame, again)
    reexport["order_status"] = np.full(len(again), "completed")
    reexport["updated_at"] = _timestamps(completed_at[again], formats[again])
    order_frame = _concat([frame, reexport])
    order_day = np.r_[export_day, window.local_day(completed_at[again])]
    frames: list[Frame] = [
        _with_duplicates("shop__orders", rng, order_frame, order_day, DUPLICATE_ROW_SHARE)
    ]

    line_number = _group_positions(items.order) + 1
    quantity = items.quantity.copy()
    negative = _pick(rng, len(quantity), NEGATIVE_QUANTITY_SHARE, minimum=1 if n else 0)
    quantity[negative] = -quantity[negative]
    category = np.array(CATEGORIES)[_SKU_CATEGORY[items.sku]]
    item_frame = {
        "order_id": order_id[items.order],
        "line_number": line_number.astype(str),
        "product_sku": _SKU[items.sku],
        "product_name": _blank(rng, _SKU_NAME[items.sku], 0.01),
        "category": _blank(rng, category, 0.005),
        "quantity": quantity.astype(str),
        "unit_price": _yuan(_SKU_PRICE_FEN[items.sku]),
    }
    item_day = export_day[items.order]
    frames.append(_with_duplicates("shop__order_items", rng, item_frame, item_day, 0.005))
    frames.append(_payments_frame(ctx, rng, orders, order_id, net, cancelled))
    frames.append(_refunds_frame(ctx, rng, orders, order_id, net, cancelled))
    return frames


def _payments_frame(
    ctx: Context,
    rng: np.random.Generator,
    orders: Orders,
    order_id: np.ndarray,
    net: np.ndarray,
    cancelled: np.ndarray,
) -> Frame:
    end = ctx.window.end_s - 1
    paid = np.flatnonzero(~cancelled)
    k = len(paid)
    paid_at = np.minimum(orders.time[paid] + _uniform_int(rng, 5, 600, k), end)
    method = _payment_methods(rng, orders.store[paid])
    split = rng.random(k) < 0.03
    first_part = np.where(split, np.round(net[paid] * rng.uniform(0.5, 0.9, k)), net[paid])
    first_part = first_part.astype(np.int64)
    second = np.flatnonzero(split)
    order = np.r_[paid, paid[second]]
    amount = np.r_[first_part, net[paid][second] - first_part[second]]
    when = np.r_[
        paid_at, np.minimum(paid_at[second] + _uniform_int(rng, 10, 120, len(second)), end)
    ]
    methods = np.r_[method, np.full(len(second), "card")]
    sort = np.argsort(when, kind="stable")
    order, amount, when, methods = order[sort], amount[sort], when[sort], methods[sort]
    first_number = ctx.take("payment", len(order)) + 1
    frame = {
        "payment_id": _join("PY", _digits(first_number + np.arange(len(order)), 10)),
        "order_id": order_id[order],
        "payment_method": methods,
        "amount": _yuan(amount),
        "paid_at": _mixed_timestamps(rng, when),
    }
    return _with_duplicates("shop__payments", rng, frame, ctx.window.local_day(when), 0.005)


def _refunds_frame(
    ctx: Context,
    rng: np.random.Generator,
    orders: Orders,
    order_id: np.ndarray,
    net: np.ndarray,
    cancelled: np.ndarray,
) -> Frame:
    candidates = np.flatnonzero(~cancelled)
    refunded = candidates[rng.random(len(candidates)) < REFUND_SHARE]
    k = len(refunded)
    soon = _uniform_int(rng, 2 * 3600, 3 * DAY_S, k)
    late = _uniform_int(rng, 3 * DAY_S, 30 * DAY_S, k)
    when = orders.time[refunded] + np.where(rng.random(k) < 0.5, soon, late)
    partial = np.maximum(100, np.round(net[refunded] * rng.uniform(0.1, 0.6, k))).astype(np.int64)
    amount = np.where(rng.random(k) < 0.6, net[refunded], np.minimum(partial, net[refunded]))
    reason = rng.choice(np.array(_REFUND_REASONS), size=k, p=_REFUND_REASON_SHARES)
    keep = np.flatnonzero(when < ctx.window.end_s)
    keep = keep[np.argsort(when[keep], kind="stable")]
    first_number = ctx.take("refund", len(keep)) + 1
    frame = {
        "refund_id": _join("RF", _digits(first_number + np.arange(len(keep)), 10)),
        "order_id": order_id[refunded[keep]],
        "refund_amount": _yuan(amount[keep]),
        "refunded_at": _mixed_timestamps(rng, when[keep]),
        "reason": reason[keep],
    }
    return _with_duplicates("shop__refunds", rng, frame, ctx.window.local_day(when[keep]), 0.005)


def _members_frame(
    ctx: Context, rng: np.random.Generator, people: People, members: Members
) -> Frame:
    person = members.person
    m = len(person)
    mini_program = members.home_store == MINI_PROGRAM
    email = np.where(rng.random(m) < 0.9, people.email[person], "")
    frame = {
        "member_id": members.member_id,
        "phone": _messy_phones(rng, _blank(rng, people.phone[person], 0.03)),
        "email": _messy_emails(rng, email),
        "unionid": np.where(mini_program | (rng.random(m) < 0.1), people.unionid[person], ""),
        "openid": np.where(mini_program, people.openid[person], ""),
        "registered_at": _mixed_timestamps(rng, members.registered),
        "home_store_id": _blank(rng, _STORE_IDS[members.home_store], 0.03),
    }
    day = ctx.window.export_day(members.registered)
    return _with_duplicates("shop__members", rng, frame, day, 0.005)


def _referral_frame(ctx: Context, rng: np.random.Generator, codes: ReferralCodes) -> Frame:
    frame = {
        "referral_code": codes.code,
        "referrer_member_id": codes.member_id,
        "created_at": _mixed_timestamps(rng, codes.created),
    }
    return Frame("shop__referral_codes", frame, ctx.window.local_day(codes.created))


def _consent_text(rng: np.random.Generator, consent: np.ndarray) -> np.ndarray:
    n = len(consent)
    yes = rng.choice(np.array(["1", "true", "是"]), size=n, p=(0.8, 0.12, 0.08))
    no = rng.choice(np.array(["0", "false", "否"]), size=n, p=(0.8, 0.12, 0.08))
    return _blank(rng, np.where(consent, yes, no), 0.03)


def _contacts_frame(
    ctx: Context, rng: np.random.Generator, people: People, contacts: Contacts
) -> Frame:
    """One row per add, tag change and opt-out of a contact."""
    person = contacts.person
    n = len(person)
    stage = rng.choice(np.array(_STAGE_TAGS), size=n)
    parent = rng.choice(np.array(_PARENT_TAGS), size=n, p=(0.85, 0.15))
    favourite = np.argmax(np.diff(people.category_cdf[person], axis=1, prepend=0.0), axis=1)
    interest = _join(np.array(CATEGORIES)[favourite], "_interest")
    extra = rng.choice(np.array(_EXTRA_TAGS), size=n)
    draw = rng.random(n)
    initial = np.where(
        draw < 0.25,
        "",
        np.where(draw < 0.6, _join(parent, "|", stage), _join(parent, "|", stage, "|", interest)),
    )
    changed = _join(parent, "|", stage, "|", interest, "|", extra)
    unionid = _blank(rng, people.unionid[person], 0.05)
    phone = _messy_phones(rng, np.where(rng.random(n) < 0.35, people.phone[person], ""))
    nickname = _blank(rng, people.nickname[person], 0.03)

    changes = np.flatnonzero(contacts.change_time >= 0)
    opt_outs = np.flatnonzero(contacts.opt_out_time != NO_TIME)
    row = np.r_[np.arange(n), changes, opt_outs]
    updated = np.r_[
        contacts.add_time, contacts.change_time[changes], contacts.opt_out_time[opt_outs]
    ]
    opted_out = updated >= contacts.opt_out_time[row]
    has_changed = (contacts.change_time[row] >= 0) & (updated >= contacts.change_time[row])
    # The first export is a snapshot: of the changes before the window only the latest state.
    sort = np.argsort(updated, kind="stable")
    history = np.flatnonzero(updated[sort] < ctx.window.start_s)
    _, latest = np.unique(row[sort][history][::-1], return_index=True)
    superseded = np.ones(len(history), dtype=bool)
    superseded[len(history) - 1 - latest] = False
    sort = np.delete(sort, history[superseded])
    row, updated, opted_out, has_changed = (
        row[sort],
        updated[sort],
        opted_out[sort],
        has_changed[sort],
    )
    frame = {
        "external_userid": people.external_userid[person][row],
        "unionid": unionid[row],
        "nickname": nickname[row],
        "phone": phone[row],
        "tags": np.where(has_changed, changed[row], initial[row]),
        "owner_userid": contacts.owner[row],
        "add_time": _epoch_seconds(contacts.add_time[row]),
        "marketing_consent": _consent_text(rng, contacts.consent[row] & ~opted_out),
        "opt_out": _blank(rng, np.where(opted_out, "1", "0"), 0.02),
        "updated_at": _epoch_seconds(updated),
    }
    day = ctx.window.export_day(updated)
    return _with_duplicates("scrm__wecom_contacts", rng, frame, day, 0.005)


def _community_frame(
    ctx: Context,
    rng: np.random.Generator,
    people: People,
    contacts: Contacts,
    messages: StaffMessages,
) -> Frame:
    """Group joins, leaves and activity of contacts, plus 1:1 staff broadcasts with A/B variant."""
    window = ctx.window
    n = len(contacts.person)
    group = rng.integers(0, len(ctx.group_ids), size=n)
    join = contacts.add_time + _uniform_int(rng, 0, 14 * DAY_S, n)
    joined = (rng.random(n) < 0.55) & (join < window.end_s)
    leave = join + _uniform_int(rng, 7 * DAY_S, 200 * DAY_S, n)
    left = joined & (rng.random(n) < 0.1) & (leave < window.end_s)
    stop = np.where(left, leave, window.end_s)
    rate = rng.gamma(0.6, 0.08 / 0.6, size=n)
    # Only what happens inside the window is exported.
    since = np.maximum(join, window.start_s)
    stay_days = np.maximum(stop - since, 0) / DAY_S
    count = np.where(joined, rng.poisson(rate * stay_days), 0)
    active = np.repeat(np.arange(n), count)
    spread = since[active] + (rng.random(len(active)) * (stop - since)[active]).astype(np.int64)
    active_time = window.seconds_on(rng, window.day_of(spread))
    active_time = np.clip(active_time, since[active], stop[active] - 1)
    kind = rng.choice(np.array(_INTERACTIONS), size=len(active), p=_INTERACTION_SHARES)
    joins = np.flatnonzero(joined & (join >= window.start_s))
    leaves = np.flatnonzero(left & (leave >= window.start_s))
    contact = np.r_[joins, leaves, active]
    sent = len(messages.person)
    frame = {
        "external_userid": np.r_[
            people.external_userid[contacts.person[contact]],
            people.external_userid[messages.person],
        ],
        "group_id": np.r_[ctx.group_ids[group[contact]], np.full(sent, "")],
        "interaction_type": np.r_[
            np.full(len(joins), "join"),
            np.full(len(leaves), "leave"),
            kind,
            np.full(sent, "staff_message"),
        ],
        "message_variant": np.r_[np.full(len(contact), ""), messages.variant],
    }
    time = np.r_[join[joins], leave[leaves], active_time, messages.time]
    sort = np.argsort(time, kind="stable")
    frame, time = _take(frame, sort), time[sort]
    first_number = ctx.take("interaction", len(time)) + 1
    interacted = _mixed_timestamps(rng, time)
    interacted[_pick(rng, len(time), UNPARSEABLE_SHARE, minimum=1 if len(time) else 0)] = (
        UNPARSEABLE_TIMESTAMP
    )
    frame = {
        "interaction_id": _join("CI", _digits(first_number + np.arange(len(time)), 10)),
        "group_id": frame["group_id"],
        "external_userid": frame["external_userid"],
        "interaction_type": frame["interaction_type"],
        "message_variant": frame["message_variant"],
        "interaction_time": interacted,
    }
    return _with_duplicates(
        "scrm__community_interactions", rng, frame, window.local_day(time), 0.005
    )


# --- mini-program events ---------------------------------------------------------------------

PURCHASE, RESEARCH, BROWSE, AD_LANDING = 0, 1, 2, 3
# Event slots of a session: name, page, and per session kind the chance the slot happens.
_SLOTS = (
    ("page_view", "/pages/index/index", (1.0, 1.0, 1.0, 1.0)),
    ("view", "/pages/product/detail", (1.0, 1.0, 1.0, 1.0)),
    ("view", "/pages/product/detail", (0.5, 0.5, 0.5, 0.5)),
    ("view", "/pages/product/detail", (0.25, 0.25, 0.25, 0.25)),
    ("add_to_cart", "/pages/product/detail", (1.0, 0.0, 0.25, 0.15)),
    ("page_view", "/pages/cart/index", (1.0, 0.0, 0.5, 0.5)),
    ("page_view", "/pages/order/confirm", (1.0, 0.0, 0.0, 0.0)),
    ("share", "/pages/product/detail", (0.08, 0.05, 0.05, 0.05)),
)
_CART, _CART_PAGE = 4, 5


@dataclass
class Sessions:
    person: np.ndarray
    anchor: np.ndarray  # order time for purchase and research sessions, else the start
    kind: np.ndarray
    sku: np.ndarray
    campaign: np.ndarray


def _sessions(
    ctx: Context,
    rng: np.random.Generator,
    people: People,
    orders: Orders,
    items: Items,
    clicks: Clicks,
) -> Sessions:
    window = ctx.window
    first_line = np.flatnonzero(_group_positions(items.order) == 0)
    first_sku = np.zeros(len(orders.person), dtype=np.int64)
    first_sku[items.order[first_line]] = items.sku[first_line]
    with_openid = people.has_openid[orders.person]
    purchase = np.flatnonzero(orders.store == MINI_PROGRAM)
    research = np.flatnonzero(
        (orders.store != MINI_PROGRAM) & with_openid & (rng.random(len(with_openid)) < 0.25)
    )

    users = np.flatnonzero(people.has_openid)
    last = people.last_purchase[users]
    birth = people.birth[users]
    bought = last >= 0
    # Visits start a little before the first purchase and fade two months after the last one.
    low = np.maximum(np.where(bought, birth - 20, birth), 0)
    high = np.where(bought, np.minimum(window.operational(last) + 60, window.total), window.total)
    rate = rng.gamma(1.0, 0.05, size=len(users)) * ctx.activity.events
    visits = rng.poisson(rate * np.maximum(high - low, 0))
    browser = np.repeat(users, visits)
    browse_time = window.random_times(rng, np.repeat(low, visits), np.repeat(high, visits))
    draw = rng.random(len(browser))[:, None]
    category = np.minimum((people.category_cdf[browser] < draw).sum(axis=1), len(CATEGORIES) - 1)
    browse_sku = _sku_in_category(rng, category, people.spend_rank[browser])

    landed = np.flatnonzero(clicks.openid != "")
    ad_category = ctx.ads.category[clicks.ad[landed]]
    ad_sku = _sku_in_category(rng, ad_category, people.spend_rank[clicks.person[landed]])
    ad_time = clicks.time[landed] + _uniform_int(rng, 3, 60, len(landed))

    kinds = (PURCHASE, RESEARCH, BROWSE, AD_LANDING)
    sizes = (len(purchase), len(research), len(browser), len(landed))
    return Sessions(
        person=np.r_[
            orders.person[purchase], orders.person[research], browser, clicks.person[landed]
        ],
        anchor=np.r_[orders.time[purchase], orders.time[research], browse_time, ad_time],
        kind=np.repeat(np.array(kinds), sizes),
        sku=np.r_[first_sku[purchase], first_sku[research], browse_sku, ad_sku],
        campaign=np.r_[
            np.full(len(purchase) + len(research) + len(browser), ""),
            ctx.ads.campaign_id[clicks.ad[landed]],
        ],
    )


def _events_frame(
    ctx: Context, rng: np.random.Generator, people: People, sessions: Sessions
) -> Frame:
    window = ctx.window
    s = len(sessions.person)
    chance = np.array([slot[2] for slot in _SLOTS]).T[sessions.kind]
    happens = rng.random((s, len(_SLOTS))) < chance
    happens[:, _CART_PAGE] &= happens[:, _CART]
    gaps = rng.exponential(40.0, size=(s, len(_SLOTS))) + 2
    offsets = (np.cumsum(gaps, axis=1) - gaps[:, :1]).astype(np.int64)
    lead = np.where(
        sessions.kind == PURCHASE,
        offsets[:, -1] + _uniform_int(rng, 20, 300, s),
        np.where(sessions.kind == RESEARCH, _uniform_int(rng, 3600, 72 * 3600, s), 0),
    )
    start = sessions.anchor - lead
    session, slot = np.nonzero(happens)
    local = start[session] + offsets[session, slot]
    keep = (local >= window.start_s) & (local < window.end_s)
    session, slot, local = session[keep], slot[keep], local[keep]
    millis = rng.integers(0, 1000, size=len(local))
    event_ms = (local - CHINA_UTC_OFFSET_S) * 1000 + millis
    sort = np.argsort(event_ms, kind="stable")
    session, slot, local, event_ms = session[sort], slot[sort], local[sort], event_ms[sort]

    names = np.array([slot_[0] for slot_ in _SLOTS])[slot]
    pages = np.array([slot_[1] for slot_ in _SLOTS])[slot]
    landing = (slot == 0) & (sessions.kind[session] == AD_LANDING)
    pages = np.where(landing, "/pages/activity/landing", pages)
    sku = sessions.sku[session]
    browsed = (slot == 2) | (slot == 3)
    category = _SKU_CATEGORY[sku]
    other = (
        _CATEGORY_FIRST_SKU[category]
        + rng.integers(0, 1 << 30, size=len(sku)) % _CATEGORY_SKU_COUNT[category]
    )
    sku = np.where(browsed, other, sku)
    product = np.isin(names, ("view", "add_to_cart", "share"))
    person = sessions.person[session]
    frame = {
        "event_id": _random_strings(rng, len(local), 32, _HEX),
        "openid": people.openid[person],
        "unionid": np.where(people.authorised[person], people.unionid[person], ""),
        "event_name": names,
        "page": _blank(rng, pages, 0.005),
        "product_sku": np.where(product, _SKU[sku], ""),
        "campaign_id": sessions.campaign[session],
        "event_time": event_ms.astype(str),
    }
    return _with_duplicates("scrm__miniprogram_events", rng, frame, window.local_day(local), 0.01)


# --- ads -------------------------------------------------------------------------------------

_CLICK_ID_SHAPES = {
    OCEAN_ENGINE: ("EJ", 30, _ALNUM),
    TENCENT_ADS: ("wx0", 16, _LOWER_ALNUM),
    BAIDU: ("", 20, _DIGITS),
}


def _clicks_frame(
    ctx: Context, rng: np.random.Generator, ad: np.ndarray, time: np.ndarray, openid: np.ndarray
) -> Frame:
    n = len(ad)
    platform = ctx.ads.platform[ad]
    click_id = np.empty(n, dtype="U40")
    label = np.empty(n, dtype="U12")
    for code, (prefix, length, alphabet) in _CLICK_ID_SHAPES.items():
        mask = platform == code
        click_id[mask] = _join(prefix, _random_strings(rng, int(mask.sum()), length, alphabet))
        names, shares = _PLATFORM_LABELS[code]
        label[mask] = rng.choice(np.array(names), size=int(mask.sum()), p=shares)
    click_time = _mixed_timestamps(rng, time)
    click_time[_pick(rng, n, UNPARSEABLE_SHARE, minimum=1 if n else 0)] = UNPARSEABLE_TIMESTAMP
    frame = {
        "click_id": click_id,
        "platform": label,
        "campaign_id": ctx.ads.campaign_id[ad],
        "ad_id": _blank(rng, ctx.ads.ad_id[ad], 0.01),
        "click_time": click_time,
        "openid": openid,
    }
    return _with_duplicates("ads__ad_clicks", rng, frame, ctx.window.local_day(time), 0.01)


def _anonymous_clicks(ctx: Context, rng: np.random.Generator) -> Iterator[Frame]:
    """Click callbacks of people outside the population: a sample of the reported clicks.

    Yields a month at a time so that a large population never holds a year of clicks.
    """
    window = ctx.window
    for first in range(0, window.days, 31):
        callbacks = rng.binomial(ctx.ads.clicks[first : first + 31], CALLBACK_SHARE)
        day, ad = np.nonzero(callbacks)
        count = callbacks[day, ad]
        day, ad = np.repeat(day + first, count), np.repeat(ad, count)
        time = window.seconds_on(rng, day)
        sort = np.argsort(time, kind="stable")
        time, ad = time[sort], ad[sort]
        # Some visitors were logged in to the mini-program without ever becoming known.
        strangers = _join("oXyz", _random_strings(rng, len(ad), 24, _ID_ALPHABET))
        openid = np.where(rng.random(len(ad)) < 0.1, strangers, "")
        yield _clicks_frame(ctx, rng, ad, time, openid)


def _ad_report_frames(ctx: Context, rng: np.random.Generator) -> list[Frame]:
    ads, window = ctx.ads, ctx.window
    clicks = ads.clicks + ads.linked_clicks
    conversions = rng.binomial(clicks, ads.cvr[None, :])
    noise = rng.lognormal(0.0, 0.08, size=clicks.shape)
    cost_per_click = ads.cpc_fen[None, :] * noise
    # Feed platforms bill per impression (oCPM), search per click.
    paid_clicks = np.where(
        ads.platform[None, :] == BAIDU, clicks, ads.impressions * ads.ctr[None, :]
    )
    spend = np.round(paid_clicks * cost_per_click).astype(np.int64)
    frames = []
    for code, name in (
        (OCEAN_ENGINE, "ads__ocean_engine_campaign_daily"),
        (TENCENT_ADS, "ads__tencent_ads_daily"),
        (BAIDU, "ads__baidu_campaign_daily"),
    ):
        active = ads.active & (ads.platform[None, :] == code)
        day, ad = np.nonzero(active)
        report_day = (window.start_s // DAY_S + day).astype("datetime64[D]").astype(str)
        if code == BAIDU:
            report_day = _replace(report_day, "-", "/")
        cost = spend[day, ad]
        values = {
            "date": report_day,
            "account": np.full(len(day), ads.accounts[code]),
            "campaign_id": ads.campaign_id[ad],
            "campaign_name": ads.campaign_name[ad],
            "ad_id": ads.ad_id[ad],
            "ad_name": ads.ad_name[ad],
            "cost": cost.astype(str) if code == TENCENT_ADS else _yuan(cost),
            "impressions": ads.impressions[day, ad].astype(str),
            "clicks": clicks[day, ad].astype(str),
            "conversions": conversions[day, ad].astype(str),
        }
        columns = get_source(name).column_names
        frame = dict(zip(columns, values.values(), strict=True))
        file_day = window.start_day + day
        if code == OCEAN_ENGINE:
            frame["convert_cnt"] = _blank(rng, frame["convert_cnt"], 0.005)
            frames.append(_with_duplicates(name, rng, frame, file_day, 0.005))
        else:
            frames.append(Frame(name, frame, file_day))
    return frames


# --- one block of people --------------------------------------------------------------------


def _generate_block(
    ctx: Context, rng: np.random.Generator, first_index: int, n: int
) -> list[Frame]:
    people = _people(ctx, rng, first_index, n)
    base = _base_orders(ctx, rng, people)
    contacts = _contacts(ctx, rng, people)
    messages = _staff_messages(ctx, rng, contacts)
    response = _response_orders(ctx, rng, people, messages)
    base_items = _items(rng, people, base)
    response_items = _items(rng, people, response)
    cross = _cross_sell(ctx, rng, people, base, base_items)
    orders, items = _combine([(base, base_items), (response, response_items), cross])
    first_time = _first_times(n, orders)
    # A broadcast can bring a buyer back before their first regular purchase.
    people.first_purchase = np.minimum(people.first_purchase, first_time)
    np.maximum.at(people.last_purchase, orders.person, orders.time)
    members = _members(ctx, rng, people, orders)
    codes = _referral_codes(ctx, rng, members, first_time)
    referral = _referral_use(rng, orders, codes)
    clicks = _person_clicks(ctx, rng, people)
    sessions = _sessions(ctx, rng, people, orders, items, clicks)
    frames = _order_frames(ctx, rng, people, orders, items, members, referral)
    frames += [
        _members_frame(ctx, rng, people, members),
        _referral_frame(ctx, rng, codes),
        _contacts_frame(ctx, rng, people, contacts),
        _community_frame(ctx, rng, people, contacts, messages),
        _events_frame(ctx, rng, people, sessions),
        _clicks_frame(ctx, rng, clicks.ad, clicks.time, clicks.openid),
    ]
    return frames


# --- writing -----------------------------------------------------------------------------------


_NEEDS_QUOTES = '[,"\r\n]'


def _arrow_strings(values: np.ndarray) -> pa.Array:
    """A numpy unicode array as an Arrow large_string array, built from buffers.

    Encoding to fixed-width UTF-8 bytes and cutting the padding off with a mask makes no Python
    object per value; it is about three times faster than going through a list, and Arrow's own
    conversion of numpy unicode arrays is slower still.
    """
    if values.dtype.kind != "U":
        return pa.array(values.tolist(), type=pa.large_string())
    encoded = np.strings.encode(values, "utf-8")
    n, width = len(encoded), encoded.dtype.itemsize
    lengths = np.strings.str_len(encoded).astype(np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if n and width:
        data = encoded.view(np.uint8).reshape(n, width)[np.arange(width) < lengths[:, None]]
    else:
        data = np.zeros(0, dtype=np.uint8)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def _csv_lines(table: Table, order: np.ndarray, newline: str) -> tuple[memoryview, np.ndarray]:
    """Rows as UTF-8 CSV lines in one buffer, with the byte offset where each line starts.

    Fields are quoted only when they hold a delimiter, quote or line break (like csv.QUOTE_MINIMAL);
    Arrow builds the lines so no per-row Python object is made.
    """
    text = pa.large_string()
    columns = []
    for values in table.values():
        column = _arrow_strings(np.asarray(values)[order])
        needs_quotes = pc.match_substring_regex(column, _NEEDS_QUOTES)
        if pc.any(needs_quotes).as_py():
            doubled = pc.replace_substring(column, '"', '""')
            quote = pa.scalar('"', text)
            quoted = pc.binary_join_element_wise(quote, doubled, quote, pa.scalar("", text))
            column = pc.if_else(needs_quotes, quoted, column)
        columns.append(column)
    lines = pc.binary_join_element_wise(*columns, pa.scalar(",", text))
    lines = pc.binary_join_element_wise(lines, pa.scalar(newline, text), pa.scalar("", text))
    _, offset_buffer, data_buffer = lines.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int64)[lines.offset :][: len(lines) + 1]
    return memoryview(data_buffer), offsets


class LandingWriter:
    """Appends rows to per-day landing files; the first write of a file carries the header.

    Rows are buffered per table and flushed in batches, because opening a day's file for every
    block of people would dominate the run time of a large population.
    """

    def __init__(self, out_dir: Path, flush_bytes: int = FLUSH_BYTES) -> None:
        self.out_dir = out_dir
        self.flush_bytes = flush_bytes
        self.rows: dict[str, int] = {source.name: 0 for source in SOURCES}
        self.files: dict[str, set[str]] = {source.name: set() for source in SOURCES}
        self._pending: dict[str, dict[str, list[bytes]]] = {source.name: {} for source in SOURCES}
        self._pending_bytes: dict[str, int] = {source.name: 0 for source in SOURCES}

    def clear(self) -> None:
        """Remove earlier files of every contract table, and nothing else."""
        for source in SOURCES:
            shutil.rmtree(self.out_dir / source.family / source.table, ignore_errors=True)

    def write(self, frame: Frame) -> None:
        name, table = frame.name, frame.table
        source = get_source(name)
        if list(table) != source.column_names:
            raise ValueError(f"{name}: columns {list(table)} differ from the contract")
        rows = np.arange(len(frame.day)) if frame.rows is None else frame.rows
        if len(rows) == 0:
            return
        order = rows[np.argsort(frame.day[rows], kind="stable")]
        day = frame.day[order]
        data, offsets = _csv_lines(table, order, _newline(source))
        days, starts = np.unique(day, return_index=True)
        ends = np.r_[starts[1:], len(day)]
        pending = self._pending[name]
        for file_day, first, end in zip(days.tolist(), starts.tolist(), ends.tolist(), strict=True):
            file_name = f"{source.table}_{_day_label(file_day)}.csv"
            pending.setdefault(file_name, []).append(bytes(data[offsets[first] : offsets[end]]))
        self._pending_bytes[name] += int(offsets[-1] - offsets[0])
        self.rows[name] += len(day)
        if self._pending_bytes[name] >= self.flush_bytes:
            self._flush(name)

    def close(self, last_day: int) -> None:
        """Write everything still buffered; a table without rows gets a header-only file."""
        for source in SOURCES:
            self._flush(source.name)
            if not self.files[source.name]:
                # Only a tiny population can leave a table without rows.
                logger.warning("%s: no rows generated, writing a header-only file", source.name)
                self._pending[source.name][f"{source.table}_{_day_label(last_day)}.csv"] = []
                self._flush(source.name)

    def _flush(self, name: str) -> None:
        source = get_source(name)
        folder = self.out_dir / source.family / source.table
        folder.mkdir(parents=True, exist_ok=True)
        for file_name, chunks in self._pending[name].items():
            if file_name in self.files[name]:
                with (folder / file_name).open("ab") as handle:
                    handle.writelines(chunks)
            else:
                header = ",".join(source.column_names) + _newline(source)
                with (folder / file_name).open("wb") as handle:
                    handle.write(header.encode(source.encoding))
                    handle.writelines(chunks)
                self.files[name].add(file_name)
        self._pending[name] = {}
        self._pending_bytes[name] = 0


def _newline(source: SourceTable) -> str:
    # Excel writes CRLF, everything else LF.
    return "\r\n" if source.encoding == "utf-8-sig" else "\n"


# --- entry points ------------------------------------------------------------------------------


def generate(
    out_dir: Path,
    seed: int = 42,
    customers: int = 2000,
    days: int = 365,
    end_date: date = DEFAULT_END_DATE,
    activity: Activity | None = None,
) -> dict[str, int]:
    """Write every contract source as daily landing CSVs under ``out_dir``.

    Earlier files of the contract tables under ``out_dir`` are removed first. Returns the rows
    written per source (``<family>__<table>``), duplicates and re-exports included.
    """
    return _generate(Path(out_dir), seed, customers, days, end_date, BLOCK_SIZE, activity)


def _generate(
    out_dir: Path,
    seed: int,
    customers: int,
    days: int,
    end_date: date,
    block_size: int,
    activity: Activity | None = None,
) -> dict[str, int]:
    if customers < 1 or days < 1 or block_size < 1:
        raise ValueError("customers, days and block size must be positive")
    window = Window.build(end_date, days)
    rng = np.random.default_rng(seed)
    ctx = _build_context(rng, window, customers, activity or Activity())
    writer = LandingWriter(out_dir)
    writer.clear()
    writer.write(_stores_frame(window))
    starts = range(0, customers, block_size)
    for number, (first, block_rng) in enumerate(zip(starts, rng.spawn(len(starts)), strict=True)):
        size = min(block_size, customers - first)
        for frame in _generate_block(ctx, block_rng, first, size):
            writer.write(frame)
        logger.info("block %d of %d: %d people", number + 1, len(starts), size)
    for frame in _anonymous_clicks(ctx, rng):
        writer.write(frame)
    for frame in _ad_report_frames(ctx, rng):
        writer.write(frame)
    writer.close(window.start_day + window.days - 1)
    for source in SOURCES:
        logger.info(
            "%s: %d rows in %d files",
            source.name,
            writer.rows[source.name],
            len(writer.files[source.name]),
        )
    return dict(writer.rows)


def default_landing_dir() -> Path:
    """``$CVW_DATA_DIR/landing``; a relative data dir is taken from the repository root."""
    data_dir = Path(os.environ.get("CVW_DATA_DIR", "data"))
    return (data_dir if data_dir.is_absolute() else REPO_ROOT / data_dir) / "landing"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write deterministic demo landing CSV exports.")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--customers", type=int, default=2000, help="people (default 2000)")
    parser.add_argument("--days", type=int, default=365, help="days of data (default 365)")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=DEFAULT_END_DATE,
        help=f"last export day, YYYY-MM-DD (default {DEFAULT_END_DATE.isoformat()})",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="landing folder (default $CVW_DATA_DIR/landing)"
    )
    for knob, what in (
        ("orders", "purchase rate (more orders per customer)"),
        ("events", "mini-program browsing (more events per customer)"),
        ("clicks", "ad clicks (more click callbacks per customer)"),
    ):
        parser.add_argument(
            f"--{knob}-scale", type=float, default=1.0, help=f"multiplier of {what}; default 1"
        )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out_dir = arguments.out if arguments.out is not None else default_landing_dir()
    activity = Activity(arguments.orders_scale, arguments.events_scale, arguments.clicks_scale)
    generate(
        out_dir, arguments.seed, arguments.customers, arguments.days, arguments.end_date, activity
    )
    logger.info("landing files written to %s", out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
