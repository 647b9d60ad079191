"""The demo's exchange rates and the foreign-currency orders it writes when asked to.

The demo shop sells in CNY: every order is CNY unless ``foreign_currency_share`` (the
``--foreign-currency-share`` option) is above zero, so the default marts never depend on a rate.
The rates are written anyway, one file per export day, so the conversion path always runs. A
foreign-currency order is chosen by a hash of its order id (no random draw, so the rest of the
demo stays byte for byte the same) and its amounts, lines, payments and refunds are its CNY
amounts divided by the rate, so its CNY value in the warehouse is about the same.
"""

from __future__ import annotations

import zlib

import numpy as np

from dagster_project.lib.demo.frames import Frame
from dagster_project.lib.demo.window import Window

# CNY yuan for one unit, the same every day: round figures near late-2026 central parities.
DEMO_CNY_PER_UNIT: dict[str, str] = {
    "USD": "7.1000",
    "HKD": "0.9100",
    "EUR": "7.7000",
    "JPY": "0.0470",
}
RATE_SOURCE = "demo fixing"
_CODES = np.array(list(DEMO_CNY_PER_UNIT))
_RATES = np.array([float(rate) for rate in DEMO_CNY_PER_UNIT.values()])
_HASH_BUCKETS = 10_000


def fx_rates_frame(window: Window) -> Frame:
    """One rate per demo currency for every day of the window, in that day's file."""
    days = window.start_day + np.arange(window.days)
    count = len(_CODES)
    labels = (days.astype("datetime64[D]")).astype(str)
    frame = {
        "rate_date": np.repeat(labels, count),
        "currency": np.tile(_CODES, window.days),
        "cny_per_unit": np.tile(np.array(list(DEMO_CNY_PER_UNIT.values())), window.days),
        "source": np.full(window.days * count, RATE_SOURCE),
    }
    return Frame("shop__fx_rates", frame, np.repeat(days, count))


def order_currencies(order_id: np.ndarray, share: float) -> np.ndarray:
    """Per order its foreign currency code, or '' for CNY; about ``share`` of them are foreign."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"foreign currency share must be between 0 and 1, got {share}")
    if share == 0.0:
        return np.full(len(order_id), "", dtype="U3")
    hashes = np.array([zlib.crc32(value.encode()) for value in order_id.tolist()], dtype=np.int64)
    foreign = hashes % _HASH_BUCKETS < round(share * _HASH_BUCKETS)
    return np.where(foreign, _CODES[(hashes // _HASH_BUCKETS) % len(_CODES)], "")


def in_currency(fen: np.ndarray, currency: np.ndarray) -> np.ndarray:
    """CNY fen as hundredths of ``currency`` ('' = CNY: unchanged), rounded to the nearest."""
    fen = np.asarray(fen, dtype=np.int64)
    rate = np.ones(len(fen))
    for code, cny_per_unit in zip(_CODES, _RATES, strict=True):
        rate[currency == code] = cny_per_unit
    return np.where(currency == "", fen, np.round(fen / rate)).astype(np.int64)
