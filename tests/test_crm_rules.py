"""The CRM plan's segment, lifecycle, tier and churn rules equal pandas re-implementations.

The boundaries (R = 7 vs 8 days, R = 89 vs 90, spend 4,999.99 vs 5,000.00 yuan, gap at 130% of
the own interval, interactions down 50% vs 40%) are hand-worked dbt unit tests in
``dbt_models/intermediate/crm/_crm__models.yml`` and ``dbt_models/marts/crm/_crm__models.yml``;
they run in every ``dbt build``, so the session warehouse build fails if one breaks. Here the
same rules are recomputed by ``reference.crm`` from orders, identity edges and interaction days
of the generated demo warehouse, with the thresholds of dbt_project.yml's vars, and compared
customer by customer.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import reference


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


def test_every_plan_segment_and_lifecycle_stage_equals_the_pandas_reference(
    tables: dict[str, pd.DataFrame], as_of: date
) -> None:
    expected = reference.segments(tables["orders"], tables["first_seen"], as_of)
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


def test_membership_tier_history_equals_the_pandas_reference(
    tables: dict[str, pd.DataFrame], as_of: date
) -> None:
    expected = reference.tier_changes(tables["orders"], as_of)
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
    gap_and_drop, silent = reference.churn_warnings(
        tables["orders"], tables["interactions"], tables["identifiers"], as_of
    )
    warnings = tables["churn_warnings"]
    assert set(warnings.loc[warnings["is_gap_and_interaction_drop"], "customer_key"]) == (
        gap_and_drop
    )
    assert set(warnings.loc[warnings["is_no_recent_interaction"], "customer_key"]) == silent
    assert len(gap_and_drop) > 0
