"""The customer marts equal independent pandas computations on a small demo warehouse.

``built_warehouse`` (conftest) generates demo data, loads it and runs ``dbt build`` once per
session. The ``reference`` package recomputes RFM, cohorts, lifetime value and identity
components from ``fct_orders``, staging and the identity edges, so a wrong rule in SQL shows up
as a value difference here, not only as a count difference. Assertion messages name customers
only by their pseudonymous key and never print identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import reference

DATE_COLUMNS = ("order_date", "last_order_date", "first_order_date", "cohort_month")


@dataclass(frozen=True)
class Warehouse:
    fct_orders: pd.DataFrame
    customer_rfm: pd.DataFrame
    customer_ltv: pd.DataFrame
    cohort_retention: pd.DataFrame
    dim_customers: pd.DataFrame
    identity_edges: pd.DataFrame
    identity_components: pd.DataFrame
    clean_orders: pd.DataFrame
    clean_refunds: pd.DataFrame


def _as_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """DATE columns as ``datetime.date`` whatever the DuckDB-to-pandas conversion gives."""
    for column in frame.columns:
        if column in DATE_COLUMNS or column.endswith("_month") or column == "as_of_date":
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


@pytest.fixture(scope="module")
def warehouse(built_warehouse: Path) -> Warehouse:
    connection = duckdb.connect(str(built_warehouse / "warehouse.duckdb"), read_only=True)
    try:

        def read(sql: str) -> pd.DataFrame:
            return _as_dates(connection.sql(sql).df())

        return Warehouse(
            fct_orders=read("select * from marts.fct_orders"),
            customer_rfm=read("select * from marts.customer_rfm"),
            customer_ltv=read("select * from marts.customer_ltv"),
            cohort_retention=read("select * from marts.cohort_retention"),
            dim_customers=read("select * from marts.dim_customers"),
            identity_edges=read("select node_a, node_b from intermediate.int_identity_edges"),
            identity_components=read("select * from intermediate.int_identity_components"),
            clean_orders=read("select order_id, order_amount_cents from staging.stg_shop__orders"),
            clean_refunds=read(
                "select order_id, refund_amount_cents from staging.stg_shop__refunds"
            ),
        )
    finally:
        connection.close()


@pytest.fixture(scope="module")
def as_of(warehouse: Warehouse) -> date:
    """The as_of_date var, or with it unset the latest order day, as the marts measure to."""
    return reference.as_of_date(warehouse.fct_orders["order_date"]).date()


def _mismatches(actual: pd.DataFrame, expected: pd.DataFrame, columns: list[str]) -> list[str]:
    """Index labels and columns where the two frames differ (same index assumed)."""
    problems = []
    for column in columns:
        differs = actual[column].to_numpy() != expected[column].to_numpy()
        problems += [f"{label}: {column}" for label in actual.index[differs][:5]]
    return problems


def test_the_marts_are_built_and_not_empty(warehouse: Warehouse) -> None:
    for name in ("fct_orders", "customer_rfm", "customer_ltv", "cohort_retention"):
        assert len(getattr(warehouse, name)) > 0, name
    assert len(warehouse.dim_customers) >= len(warehouse.customer_rfm)


def test_every_customer_rfm_value_and_score_equals_the_pandas_reference(
    warehouse: Warehouse, as_of: date
) -> None:
    expected = _as_dates(reference.rfm(warehouse.fct_orders, as_of)).set_index("customer_key")
    actual = warehouse.customer_rfm.set_index("customer_key").sort_index()
    assert list(actual.index) == list(expected.index)
    columns = ["last_order_date", "recency_days", "frequency", "monetary_cents"]
    columns += ["r_score", "f_score", "m_score", "rfm_score"]
    assert _mismatches(actual, expected, columns) == []
    assert set(actual["as_of_date"]) == {as_of}


def test_rfm_scores_fill_five_buckets_of_equal_size_give_or_take_one(
    warehouse: Warehouse,
) -> None:
    for column in ("r_score", "f_score", "m_score"):
        sizes = warehouse.customer_rfm[column].value_counts()
        assert sorted(sizes.index) == [1, 2, 3, 4, 5], column
        assert sizes.max() - sizes.min() <= 1, column


def test_the_most_recent_buyers_get_the_highest_recency_score(warehouse: Warehouse) -> None:
    by_score = warehouse.customer_rfm.groupby("r_score")["recency_days"]
    assert list(by_score.min().sort_index(ascending=False)) == sorted(by_score.min())
    assert (by_score.max().sort_index().diff().dropna() <= 0).all()


def test_every_cohort_retention_cell_equals_the_pandas_reference(
    warehouse: Warehouse, as_of: date
) -> None:
    expected = _as_dates(reference.cohort_retention(warehouse.fct_orders, as_of))
    expected = expected.set_index(["cohort_month", "months_since_first"])
    actual = warehouse.cohort_retention.set_index(["cohort_month", "months_since_first"])
    actual = actual.sort_index()
    assert list(actual.index) == list(expected.index)
    exact = ["activity_month", "cohort_size", "active_customers"]
    assert _mismatches(actual, expected, exact) == []
    np.testing.assert_allclose(
        actual["retention_rate"].to_numpy(), expected["retention_rate"].to_numpy(), rtol=1e-12
    )


def test_cohorts_cover_every_month_up_to_the_as_of_month_with_full_retention_at_month_zero(
    warehouse: Warehouse, as_of: date
) -> None:
    cells = warehouse.cohort_retention
    first_months = cells.loc[cells["months_since_first"] == 0]
    assert (first_months["retention_rate"] == 1.0).all()
    assert first_months["cohort_size"].sum() == len(warehouse.customer_rfm)
    last_activity = cells.groupby("cohort_month")["activity_month"].max()
    assert set(last_activity) == {as_of.replace(day=1)}


def test_customer_ltv_equals_the_pandas_reference(warehouse: Warehouse, as_of: date) -> None:
    grouped = reference.revenue_orders(warehouse.fct_orders, as_of).groupby("customer_key")
    expected = pd.DataFrame(
        {
            "first_order_date": grouped["order_date"].min(),
            "order_count": grouped.size(),
            "gross_revenue_cents": grouped["order_amount_cents"].sum(),
            "refund_amount_cents": grouped["refund_amount_cents"].sum(),
            "net_revenue_cents": grouped["net_amount_cents"].sum(),
        }
    ).sort_index()
    expected["tenure_days"] = [(as_of - day).days for day in expected["first_order_date"]]
    # Half-up rounding of a positive mean: floor(x + 0.5) in exact integer arithmetic.
    expected["average_order_value_cents"] = (
        2 * expected["net_revenue_cents"] + expected["order_count"]
    ) // (2 * expected["order_count"])
    actual = warehouse.customer_ltv.set_index("customer_key").sort_index()
    assert list(actual.index) == list(expected.index)
    assert _mismatches(actual, expected, list(expected.columns)) == []


def test_fct_orders_has_every_clean_order_once_with_refunds_netted(warehouse: Warehouse) -> None:
    orders = warehouse.fct_orders.set_index("order_id").sort_index()
    clean = warehouse.clean_orders.set_index("order_id").sort_index()
    assert list(orders.index) == list(clean.index)
    refunds = warehouse.clean_refunds.groupby("order_id")["refund_amount_cents"].sum()
    expected_refunds = refunds.reindex(orders.index, fill_value=0)
    assert (orders["refund_amount_cents"] == expected_refunds).all()
    net = orders["order_amount_cents"] - expected_refunds
    assert (orders["net_amount_cents"] == net).all()
    revenue_statuses = set(reference.revenue_statuses())
    assert set(orders.loc[orders["is_revenue_order"], "order_status"]) <= revenue_statuses
    assert orders.loc[~orders["is_revenue_order"], "order_status"].eq("cancelled").all()


def test_identity_components_equal_a_union_find_over_the_edges(warehouse: Warehouse) -> None:
    edges = warehouse.identity_edges.itertuples(index=False, name=None)
    expected = reference.connected_components(edges)
    components = warehouse.identity_components.set_index("node_id")
    assert set(components.index) == set(expected)
    anchors = pd.Series(expected).reindex(components.index)
    assert (components["anchor_node_id"] == anchors).all()
    keys = anchors.map(reference.customer_key)
    assert (components["customer_key"] == keys).all()
    sizes = components.groupby("customer_key")["node_type"].transform("size")
    assert (components["component_node_count"] == sizes).all()


def test_identity_resolution_merges_identifiers_from_several_sources(
    warehouse: Warehouse,
) -> None:
    components = warehouse.identity_components
    per_customer = components.groupby("customer_key")["node_type"].nunique()
    assert len(per_customer) < len(components)
    assert (per_customer >= 3).sum() > 0
    # Each buyer's orders resolve to one customer even when orders carry different identifiers.
    assert warehouse.fct_orders["customer_key"].notna().all()


def test_dim_customers_holds_no_raw_identifiers(warehouse: Warehouse) -> None:
    identifiers = set(warehouse.identity_components["node_id"].str.split(":", n=1).str[1])
    text_columns = warehouse.dim_customers.select_dtypes(include=["object", "string"])
    for column in text_columns.columns:
        leaked = text_columns[column].dropna().isin(identifiers)
        assert not leaked.any(), column
    assert set(warehouse.dim_customers["customer_key"]) == set(
        warehouse.identity_components["customer_key"]
    )
