"""The CRM plan's segment, lifecycle, tier and churn rules equal pandas re-implementations.

The boundaries (R = 7 vs 8 days, R = 89 vs 90, spend 4,999.99 vs 5,000.00 yuan, gap at 130% of
the own interval, interactions down 50% vs 40%) are hand-worked dbt unit tests in
``dbt_models/intermediate/crm/_crm__models.yml`` and ``dbt_models/marts/crm/_crm__models.yml``;
they run in every ``dbt build``, so the session warehouse build fails if one breaks. Here the
same rules are recomputed in pandas from orders, identity edges and interaction days of the
generated demo warehouse, with the default thresholds of dbt_project.yml, and compared customer
by customer.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

CORE_MAX_R, CORE_MIN_F, CORE_MIN_PCT = 7, 5, 0.8
NEW_MAX_R, NEW_MAX_F = 7, 1
POTENTIAL_MAX_R, POTENTIAL_F, POTENTIAL_BAND = 15, (1, 2), 0.2
DORMANT_MIN_R, DORMANT_MIN_F = 90, 1
CHURNED_DAYS, LIFECYCLE_DORMANT_DAYS, LOYAL_ORDERS, REPEAT_ORDERS = 180, 90, 5, 2
GOLD_CENTS, PLATINUM_CENTS = 500_000, 2_000_000
WINDOW_DAYS = 30


@pytest.fixture(scope="module")
def tables(built_warehouse: Path) -> dict[str, pd.DataFrame]:
    connection = duckdb.connect(str(built_warehouse / "warehouse.duckdb"), read_only=True)
    queries = {
        "orders": "select customer_key, order_date, net_amount_cents from "
        "intermediate.int_orders_enriched where is_revenue_order and customer_key is not null",
        "first_seen": "select components.customer_key, "
        "cast(min(edges.first_observed_at) as date) as first_seen_date "
        "from intermediate.int_identity_edges as edges inner join "
        "intermediate.int_identity_components as components on edges.node_a = components.node_id "
        "group by 1",
        "identifiers": "select customer_key, identifier_type from "
        "intermediate.int_customer_identifiers",
        "interactions": "select customer_key, interaction_date, interaction_count from "
        "intermediate.int_customer_interaction_days",
        "segments": "select * from marts.customer_segments",
        "rfm": "select customer_key, r_score, f_score from marts.customer_rfm",
        "tier_changes": "select * from marts.fct_membership_tier_changes",
        "churn_warnings": "select * from marts.churn_warnings",
        "as_of": "select as_of_date from intermediate.int_as_of_date",
    }
    try:
        frames = {name: connection.sql(sql).df() for name, sql in queries.items()}
    finally:
        connection.close()
    for frame in frames.values():
        for column in frame.columns:
            if column.endswith("_date"):
                frame[column] = pd.to_datetime(frame[column]).dt.date
    return frames


@pytest.fixture(scope="module")
def as_of(tables: dict[str, pd.DataFrame]) -> date:
    return tables["as_of"]["as_of_date"].iloc[0]


def _plan_segment(row: pd.Series, mean: float) -> str:
    r, f, m, pct = row["r"], row["f"], row["m"], row["pct"]
    if f >= CORE_MIN_F and r <= CORE_MAX_R and pct >= CORE_MIN_PCT:
        return "core"
    if f <= NEW_MAX_F and r <= NEW_MAX_R:
        return "new"
    in_band = 0.5 - POTENTIAL_BAND <= pct <= 0.5 + POTENTIAL_BAND
    if POTENTIAL_F[0] <= f <= POTENTIAL_F[1] and r <= POTENTIAL_MAX_R and in_band:
        return "potential"
    if f >= DORMANT_MIN_F and r >= DORMANT_MIN_R and m >= mean:
        return "dormant"
    if f == 0:
        return "prospect"
    return "lapsed_low_value" if r >= DORMANT_MIN_R else "developing"


def _lifecycle(row: pd.Series) -> str:
    if row["f"] == 0:
        return "prospect"
    if row["r"] >= CHURNED_DAYS:
        return "churned"
    if row["r"] >= LIFECYCLE_DORMANT_DAYS:
        return "dormant"
    if row["f"] >= LOYAL_ORDERS:
        return "loyal"
    return "repeat" if row["f"] >= REPEAT_ORDERS else "new"


def _reference_segments(tables: dict[str, pd.DataFrame], as_of: date) -> pd.DataFrame:
    orders = tables["orders"][tables["orders"]["order_date"] <= as_of]
    buyers = orders.groupby("customer_key").agg(
        f=("order_date", "size"),
        last=("order_date", "max"),
        first=("order_date", "min"),
        m=("net_amount_cents", "sum"),
    )
    people = tables["first_seen"].set_index("customer_key").join(buyers, how="outer")
    known = people[["first_seen_date", "first"]].min(axis=1)
    people["f"] = people["f"].fillna(0).astype(int)
    people["m"] = people["m"].fillna(0)
    since = people["last"].where(people["f"] > 0, known)
    people["r"] = [(as_of - day).days for day in since]
    is_buyer = people["f"] > 0
    ranks = people.loc[is_buyer, "m"].rank(method="min")
    people["pct"] = (ranks - 1) / max(int(is_buyer.sum()) - 1, 1)
    mean = float(people.loc[is_buyer, "m"].mean())
    people["plan_segment"] = people.apply(_plan_segment, axis=1, mean=mean)
    people["lifecycle_stage"] = people.apply(_lifecycle, axis=1)
    return people


def test_every_plan_segment_and_lifecycle_stage_equals_the_pandas_reference(
    tables: dict[str, pd.DataFrame], as_of: date
) -> None:
    expected = _reference_segments(tables, as_of)
    actual = tables["segments"].set_index("customer_key")
    assert set(actual.index) == set(expected.index)
    joined = actual.join(expected, rsuffix="_expected")
    for column in ("plan_segment", "lifecycle_stage"):
        wrong = joined.index[joined[column] != joined[f"{column}_expected"]]
        assert list(wrong) == [], f"{column} differs for {len(wrong)} customers"
    assert (joined["recency_days"] == joined["r"]).all()


def test_the_demo_data_reaches_every_plan_segment_and_lifecycle_stage(
    tables: dict[str, pd.DataFrame],
) -> None:
    segments = tables["segments"]
    assert {"core", "new", "potential", "dormant", "prospect"} <= set(segments["plan_segment"])
    assert {"prospect", "new", "repeat", "loyal", "dormant", "churned"} == set(
        segments["lifecycle_stage"]
    )


def test_rf_scores_of_the_segments_equal_customer_rfm(tables: dict[str, pd.DataFrame]) -> None:
    joined = tables["rfm"].merge(tables["segments"], on="customer_key", suffixes=("", "_seg"))
    assert len(joined) == len(tables["rfm"])
    assert (joined["r_score"] == joined["r_score_seg"]).all()
    assert (joined["f_score"] == joined["f_score_seg"]).all()


def _tier(spend: float) -> str:
    if spend >= PLATINUM_CENTS:
        return "platinum"
    return "gold" if spend >= GOLD_CENTS else "silver"


def _reference_tier_changes(orders: pd.DataFrame, as_of: date) -> pd.DataFrame:
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
            tier = _tier(spend)
            if tier != previous:
                rows.append((customer_key, day.date(), previous, tier, int(spend)))
            previous = tier
    columns = ["customer_key", "changed_date", "from_tier", "to_tier", "rolling_12m_net_cents"]
    return pd.DataFrame(rows, columns=columns)


def test_membership_tier_history_equals_the_pandas_reference(
    tables: dict[str, pd.DataFrame], as_of: date
) -> None:
    expected = _reference_tier_changes(tables["orders"], as_of)
    key = ["customer_key", "changed_date"]
    actual = tables["tier_changes"].sort_values(key).reset_index(drop=True)
    expected = expected.sort_values(key).reset_index(drop=True)
    assert len(actual) == len(expected)
    for column in ("customer_key", "changed_date", "to_tier", "rolling_12m_net_cents"):
        assert actual[column].tolist() == expected[column].tolist(), column
    assert actual["from_tier"].fillna("").tolist() == expected["from_tier"].fillna("").tolist()
    assert {"gold", "platinum"} <= set(actual["to_tier"])


def test_churn_warnings_equal_the_pandas_reference(
    tables: dict[str, pd.DataFrame], as_of: date
) -> None:
    orders = tables["orders"][tables["orders"]["order_date"] <= as_of]
    days = orders.drop_duplicates(["customer_key", "order_date"]).groupby("customer_key")
    history = days["order_date"].agg(["min", "max", "size"])
    span = np.array(
        [(last - first).days for first, last in zip(history["min"], history["max"], strict=True)]
    )
    gap = np.array([(as_of - last).days for last in history["max"]])
    repeat = history["size"].to_numpy() >= 2
    # 130% of the mean interval, compared in integers: gap * (days - 1) * 10 >= 13 * span.
    gap_exceeded = pd.Series(
        repeat & (gap * (history["size"].to_numpy() - 1) * 10 >= 13 * span), history.index
    )
    interactions = tables["interactions"]
    age = np.array([(as_of - day).days for day in interactions["interaction_date"]])
    last_window = interactions[age < WINDOW_DAYS].groupby("customer_key")["interaction_count"]
    prior_mask = (age >= WINDOW_DAYS) & (age < 2 * WINDOW_DAYS)
    prior_window = interactions[prior_mask].groupby("customer_key")["interaction_count"]
    counts = pd.DataFrame({"last": last_window.sum(), "prior": prior_window.sum()}).fillna(0)
    dropped = (counts["prior"] > 0) & (counts["last"] * 2 <= counts["prior"])
    wecom = tables["identifiers"].query("identifier_type == 'wecom'")["customer_key"]
    private = set(wecom) | set(interactions["customer_key"])
    silent = private - set(counts.index[counts["last"] > 0])
    gap_and_drop = set(gap_exceeded.index[gap_exceeded]) & set(dropped.index[dropped])
    warnings = tables["churn_warnings"]
    assert set(warnings.loc[warnings["is_gap_and_interaction_drop"], "customer_key"]) == (
        gap_and_drop
    )
    assert set(warnings.loc[warnings["is_no_recent_interaction"], "customer_key"]) == silent
    assert len(gap_and_drop) > 0
