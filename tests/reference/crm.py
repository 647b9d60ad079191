"""The CRM plan's segment, lifecycle, membership tier and churn-warning rules.

Thresholds are the ``crm_*`` vars of dbt_project.yml. ``orders`` are revenue orders with
customer_key, order_date (``datetime.date``) and net_amount_cents.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd

from .project_vars import project_var


def _int(name: str) -> int:
    return int(project_var(f"crm_{name}"))


def _ratio(name: str) -> Fraction:
    """A ratio var as an exact fraction, so the boundary cases compare in integers like SQL."""
    return Fraction(str(project_var(f"crm_{name}")))


def plan_segment(row: pd.Series, mean: float) -> str:
    """First match wins: core, new, potential, dormant; then prospect, lapsed or developing."""
    r, f, m, pct = row["r"], row["f"], row["m"], row["pct"]
    core_pct = float(project_var("crm_core_min_monetary_percentile"))
    if f >= _int("core_min_frequency") and r <= _int("core_max_recency_days") and pct >= core_pct:
        return "core"
    if f <= _int("new_max_frequency") and r <= _int("new_max_recency_days"):
        return "new"
    band = float(project_var("crm_potential_median_band"))
    in_band = 0.5 - band <= pct <= 0.5 + band
    potential_f = _int("potential_min_frequency") <= f <= _int("potential_max_frequency")
    if potential_f and r <= _int("potential_max_recency_days") and in_band:
        return "potential"
    dormant_r = _int("dormant_min_recency_days")
    if f >= _int("dormant_min_frequency") and r >= dormant_r and m >= mean:
        return "dormant"
    if f == 0:
        return "prospect"
    return "lapsed_low_value" if r >= dormant_r else "developing"


def lifecycle_stage(row: pd.Series) -> str:
    if row["f"] == 0:
        return "prospect"
    if row["r"] >= _int("lifecycle_churned_min_recency_days"):
        return "churned"
    if row["r"] >= _int("lifecycle_dormant_min_recency_days"):
        return "dormant"
    if row["f"] >= _int("lifecycle_loyal_min_orders"):
        return "loyal"
    return "repeat" if row["f"] >= _int("lifecycle_repeat_min_orders") else "new"


def segments(orders: pd.DataFrame, first_seen: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per customer (buyers and identified prospects): r, f, m, pct and both classifications.

    ``first_seen`` holds customer_key and first_seen_date; a prospect's recency counts from it.
    """
    orders = orders[orders["order_date"] <= as_of]
    buyers = orders.groupby("customer_key").agg(
        f=("order_date", "size"),
        last=("order_date", "max"),
        first=("order_date", "min"),
        m=("net_amount_cents", "sum"),
    )
    people = first_seen.set_index("customer_key").join(buyers, how="outer")
    known = people[["first_seen_date", "first"]].min(axis=1)
    people["f"] = people["f"].fillna(0).astype(int)
    people["m"] = people["m"].fillna(0)
    since = people["last"].where(people["f"] > 0, known)
    people["r"] = [(as_of - day).days for day in since]
    is_buyer = people["f"] > 0
    ranks = people.loc[is_buyer, "m"].rank(method="min")
    people["pct"] = (ranks - 1) / max(int(is_buyer.sum()) - 1, 1)
    mean = float(people.loc[is_buyer, "m"].mean())
    people["plan_segment"] = people.apply(plan_segment, axis=1, mean=mean)
    people["lifecycle_stage"] = people.apply(lifecycle_stage, axis=1)
    return people


def tier(spend: float) -> str:
    if spend >= _int("tier_platinum_min_spend_cents"):
        return "platinum"
    return "gold" if spend >= _int("tier_gold_min_spend_cents") else "silver"


def tier_changes(orders: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Every change of a customer's tier on rolling 12-month net spend, first tier included.

    The spend can change only on an order day or twelve months after one.
    """
    rows = []
    year = pd.DateOffset(months=12)
    for customer_key, history in orders[orders["order_date"] <= as_of].groupby("customer_key"):
        days = pd.to_datetime(history["order_date"])
        candidates = sorted({*days, *(day + year for day in days)})
        previous = None
        for day in candidates:
            if day.date() > as_of:
                continue
            in_window = (days <= day) & (days > day - year)
            spend = history.loc[in_window.to_numpy(), "net_amount_cents"].sum()
            current = tier(spend)
            if current != previous:
                rows.append((customer_key, day.date(), previous, current, int(spend)))
            previous = current
    columns = ["customer_key", "changed_date", "from_tier", "to_tier", "rolling_12m_net_cents"]
    return pd.DataFrame(rows, columns=columns)


def churn_warnings(
    orders: pd.DataFrame, interactions: pd.DataFrame, identifiers: pd.DataFrame, as_of: date
) -> tuple[set[str], set[str]]:
    """Customers with a purchase gap and an interaction drop, and silent private-domain ones.

    ``interactions`` holds customer_key, interaction_date and interaction_count per day;
    ``identifiers`` customer_key and identifier_type (a WeCom contact is in the private domain).
    """
    orders = orders[orders["order_date"] <= as_of]
    days = orders.drop_duplicates(["customer_key", "order_date"]).groupby("customer_key")
    history = days["order_date"].agg(["min", "max", "size"])
    span = np.array(
        [(last - first).days for first, last in zip(history["min"], history["max"], strict=True)]
    )
    gap = np.array([(as_of - last).days for last in history["max"]])
    day_count = history["size"].to_numpy()
    gap_ratio = _ratio("churn_gap_ratio")
    # gap >= ratio * mean interval, i.e. gap * (days - 1) >= ratio * span, in integers.
    exceeded = (day_count >= 2) & (
        gap * (day_count - 1) * gap_ratio.denominator >= gap_ratio.numerator * span
    )
    gap_exceeded = pd.Series(exceeded, history.index)

    window = _int("churn_interaction_window_days")
    age = np.array([(as_of - day).days for day in interactions["interaction_date"]])

    def interactions_within(mask: np.ndarray) -> pd.Series:
        return interactions[mask].groupby("customer_key")["interaction_count"].sum()

    windows = pd.DataFrame(
        {
            "last": interactions_within(age < window),
            "prior": interactions_within((age >= window) & (age < 2 * window)),
        }
    ).fillna(0)
    drop = _ratio("churn_interaction_drop_ratio")
    lost = (windows["prior"] - windows["last"]) * drop.denominator
    dropped = (windows["prior"] > 0) & (lost >= drop.numerator * windows["prior"])

    recent_counts = interactions_within(age < _int("churn_silence_days"))
    recent = set(recent_counts.index[recent_counts > 0])
    wecom = identifiers.query("identifier_type == 'wecom'")["customer_key"]
    private = set(wecom) | set(interactions["customer_key"])
    gap_and_drop = set(gap_exceeded.index[gap_exceeded]) & set(dropped.index[dropped])
    return gap_and_drop, private - recent
