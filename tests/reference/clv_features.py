"""The CLV holdout split and the churn model's point-in-time features, recomputed in pandas.

Written from the documented rules of ``int_customer_calibration_summary`` and
``int_churn_model_features``: ``purchase_days`` has one row per customer and purchase day
(customer_key, purchase_date, net_amount_cents), ``interactions`` one per customer and day
(customer_key, interaction_date, interaction_count), ``refunds`` one per refund (customer_key,
refund_date, refund_amount_cents). Windows are (start, end], day counts are whole days. Defaults
of the holdout, the horizon and the interaction window are the vars of dbt_project.yml.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .project_vars import project_var

DAY = pd.Timedelta(days=1)


def _on(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.assign(**{column: pd.to_datetime(frame[column]).dt.normalize()})


def _within(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return (dates > start) & (dates <= end)


def calibration_summary(
    purchase_days: pd.DataFrame,
    observation_end: date,
    holdout_days: int | None = None,
    unit_days: float = 7.0,
) -> pd.DataFrame:
    """One row per customer who bought by the calibration end, sorted by customer_key."""
    holdout = int(project_var("clv_holdout_days")) if holdout_days is None else holdout_days
    end = pd.Timestamp(observation_end)
    cut = end - holdout * DAY
    days = _on(purchase_days, "purchase_date")
    rows = []
    for key, own in days.groupby("customer_key", sort=True):
        before = own[own["purchase_date"] <= cut].sort_values("purchase_date")
        if before.empty:
            continue
        later = own[_within(own["purchase_date"], cut, end)]
        first, last = before["purchase_date"].iloc[0], before["purchase_date"].iloc[-1]
        frequency = len(before) - 1
        repeat = int(before["net_amount_cents"].iloc[1:].sum())
        rows.append(
            {
                "customer_key": key,
                "frequency": frequency,
                "recency": (last - first).days / unit_days,
                "t": (cut - first).days / unit_days,
                "monetary_value_cents": repeat / frequency if frequency else np.nan,
                "repeat_net_amount_cents": repeat,
                "holdout_purchases": len(later),
                "holdout_net_amount_cents": int(later["net_amount_cents"].sum()),
            }
        )
    return pd.DataFrame(rows, columns=_SUMMARY_COLUMNS)


_SUMMARY_COLUMNS = [
    "customer_key",
    "frequency",
    "recency",
    "t",
    "monetary_value_cents",
    "repeat_net_amount_cents",
    "holdout_purchases",
    "holdout_net_amount_cents",
]


def _customer_features(
    own: pd.DataFrame, events: pd.DataFrame, refunds: pd.DataFrame, cut: pd.Timestamp, window: int
) -> dict[str, float]:
    dates = own["purchase_date"].sort_values().reset_index(drop=True)
    first, last, count = dates.iloc[0], dates.iloc[-1], len(dates)
    mean_interval = (last - first).days / (count - 1) if count > 1 else np.nan
    last_interval = float((last - dates.iloc[-2]).days) if count > 1 else np.nan
    recency = (cut - last).days
    year = own[own["purchase_date"] > cut - 365 * DAY]["net_amount_cents"].sum()
    recent = events[_within(events["interaction_date"], cut - window * DAY, cut)]
    prior = events[_within(events["interaction_date"], cut - 2 * window * DAY, cut - window * DAY)]
    last_window, prior_window = recent["interaction_count"].sum(), prior["interaction_count"].sum()
    refunded = refunds[_within(refunds["refund_date"], cut - 365 * DAY, cut)]
    refund_amount = refunded["refund_amount_cents"].fillna(0).sum()
    return {
        "recency_days": recency,
        "tenure_days": (cut - first).days,
        "purchase_days": count,
        "purchase_days_90d": int(_within(dates, cut - 90 * DAY, cut).sum()),
        "purchase_days_prior_90d": int(_within(dates, cut - 180 * DAY, cut - 90 * DAY).sum()),
        "mean_spend_cents": own["net_amount_cents"].sum() / count,
        "net_amount_cents_12m": year,
        "mean_interval_days": mean_interval,
        "last_interval_days": last_interval,
        "gap_to_interval_ratio": recency / mean_interval,
        "interval_trend": last_interval / mean_interval,
        "interactions_30d": last_window,
        "interactions_prior_30d": prior_window,
        "interaction_trend": (
            (last_window - prior_window) / max(prior_window, 1) if len(events) else np.nan
        ),
        "days_since_interaction": (
            (cut - events["interaction_date"].max()).days if len(events) else np.nan
        ),
        "refunds_12m": len(refunded),
        "refund_amount_cents_12m": refund_amount,
        "refund_share_12m": refund_amount / year if year > 0 else np.nan,
    }


def churn_features(
    purchase_days: pd.DataFrame,
    observation_end: date,
    interactions: pd.DataFrame,
    refunds: pd.DataFrame,
    horizon_days: int | None = None,
    window_days: int | None = None,
) -> pd.DataFrame:
    """Features and labels per customer and cutoff kind (train, holdout, scoring)."""
    horizon = int(project_var("churn_horizon_days")) if horizon_days is None else horizon_days
    window = (
        int(project_var("crm_churn_interaction_window_days"))
        if window_days is None
        else window_days
    )
    end = pd.Timestamp(observation_end)
    days = _on(purchase_days, "purchase_date")
    events = _on(interactions, "interaction_date")
    refund_rows = _on(refunds, "refund_date")
    rows = []
    for kind, cut in (
        ("train", end - 2 * horizon * DAY),
        ("holdout", end - horizon * DAY),
        ("scoring", end),
    ):
        for key, own in days.groupby("customer_key", sort=True):
            before = own[own["purchase_date"] <= cut]
            if before.empty:
                continue
            mine = events[(events["customer_key"] == key) & (events["interaction_date"] <= cut)]
            refunded = refund_rows[refund_rows["customer_key"] == key]
            label = np.nan
            if kind != "scoring":
                label = float(not _within(own["purchase_date"], cut, cut + horizon * DAY).any())
            rows.append(
                {
                    "customer_key": key,
                    "cutoff_kind": kind,
                    "cutoff_date": cut.date(),
                    **_customer_features(before, mine, refunded, cut, window),
                    "churn_label": label,
                }
            )
    return pd.DataFrame(rows)
