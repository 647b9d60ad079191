"""customer_rfm: recency, frequency and monetary value of revenue orders and their 1-5 scores."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .orders import revenue_orders

SCORE_BUCKETS = 5
RFM_COLUMNS = [
    "customer_key",
    "as_of_date",
    "last_order_date",
    "recency_days",
    "frequency",
    "monetary_cents",
    "r_score",
    "f_score",
    "m_score",
    "rfm_score",
]


def ntile(count: int, buckets: int = SCORE_BUCKETS) -> np.ndarray:
    """Bucket numbers of ``count`` ordered rows as SQL ``ntile`` gives them.

    Buckets differ in size by at most one and the remainder goes to the lowest buckets, which is
    exactly how ``numpy.array_split`` cuts a sequence.
    """
    parts = np.array_split(np.arange(count), buckets)
    return np.concatenate(
        [np.full(len(part), number, dtype=np.int64) for number, part in enumerate(parts, 1)]
    )


def scores(frame: pd.DataFrame, column: str, ascending: bool) -> pd.Series:
    """1-5 scores over ``column`` with ties broken by ascending customer_key."""
    ordered = frame.sort_values([column, "customer_key"], ascending=[ascending, True])
    return pd.Series(ntile(len(ordered)), index=ordered.index)


def rfm(orders: pd.DataFrame, as_of: date | pd.Timestamp) -> pd.DataFrame:
    """One row per customer with a revenue order, in ``RFM_COLUMNS``; dates as datetime64.

    ``orders`` needs customer_key, order_status, order_date and net_amount_cents.
    """
    as_of_day = pd.Timestamp(as_of)
    revenue = revenue_orders(orders, as_of_day)
    days = pd.to_datetime(revenue["order_date"])
    grouped = days.groupby(revenue["customer_key"])
    frame = pd.DataFrame(
        {
            "last_order_date": grouped.max(),
            "frequency": grouped.size(),
            "monetary_cents": revenue.groupby("customer_key")["net_amount_cents"].sum(),
        }
    ).reset_index()
    frame["as_of_date"] = as_of_day
    frame["recency_days"] = (as_of_day - frame["last_order_date"]).dt.days
    frame["r_score"] = scores(frame, "recency_days", ascending=False)
    frame["f_score"] = scores(frame, "frequency", ascending=True)
    frame["m_score"] = scores(frame, "monetary_cents", ascending=True)
    frame["rfm_score"] = (
        frame["r_score"].astype(str) + frame["f_score"].astype(str) + frame["m_score"].astype(str)
    )
    return frame[RFM_COLUMNS].sort_values("customer_key", ignore_index=True)
