"""Independent pandas computations of the customer marts, written from their documented rules.

The reference tests compare the dbt marts with these, so nothing here reuses the SQL: RFM, cohorts
and identity components are derived again from ``fct_orders`` and the identity edges.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

SCORE_BUCKETS = 5
# Node types from the most to the least durable: the anchor of a component is its first node
# in this order, then by id.
NODE_TYPE_RANK = {
    "member": 1,
    "phone": 2,
    "unionid": 3,
    "email": 4,
    "openid": 5,
    "wecom": 6,
    "click": 7,
}


def ntile(count: int, buckets: int = SCORE_BUCKETS) -> np.ndarray:
    """Bucket numbers of ``count`` ordered rows as SQL ``ntile`` gives them.

    Buckets differ in size by at most one and the remainder goes to the lowest buckets, which is
    exactly how ``numpy.array_split`` cuts a sequence.
    """
    parts = np.array_split(np.arange(count), buckets)
    return np.concatenate(
        [np.full(len(part), number, dtype=np.int64) for number, part in enumerate(parts, 1)]
    )


def _scores(frame: pd.DataFrame, column: str, ascending: bool) -> pd.Series:
    """1-5 scores over ``column`` with ties broken by ascending customer_key."""
    ordered = frame.sort_values([column, "customer_key"], ascending=[ascending, True])
    return pd.Series(ntile(len(ordered)), index=ordered.index)


def revenue_orders(orders: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Paid or completed orders placed on or before the as-of day."""
    keep = orders["is_revenue_order"] & (orders["order_date"] <= as_of)
    return orders.loc[keep]


def rfm(orders: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """customer_rfm from order rows: one row per customer with a revenue order, indexed by key."""
    grouped = revenue_orders(orders, as_of).groupby("customer_key")
    frame = pd.DataFrame(
        {
            "last_order_date": grouped["order_date"].max(),
            "frequency": grouped.size(),
            "monetary_cents": grouped["net_amount_cents"].sum(),
        }
    ).reset_index()
    frame["recency_days"] = [(as_of - day).days for day in frame["last_order_date"]]
    frame["r_score"] = _scores(frame, "recency_days", ascending=False)
    frame["f_score"] = _scores(frame, "frequency", ascending=True)
    frame["m_score"] = _scores(frame, "monetary_cents", ascending=True)
    frame["rfm_score"] = (
        frame["r_score"].astype(str) + frame["f_score"].astype(str) + frame["m_score"].astype(str)
    )
    return frame.set_index("customer_key").sort_index()


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


def cohort_retention(orders: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """cohort_retention from order rows, indexed by (cohort_month, months_since_first)."""
    revenue = revenue_orders(orders, as_of)
    months = pd.DataFrame(
        {
            "customer_key": revenue["customer_key"],
            "month": [_month_number(day) for day in revenue["order_date"]],
        }
    ).drop_duplicates()
    cohort = months.groupby("customer_key")["month"].min().rename("cohort")
    months = months.join(cohort, on="customer_key")
    months["offset"] = months["month"] - months["cohort"]
    active = months.groupby(["cohort", "offset"]).size()
    sizes = cohort.value_counts()
    last_month = _month_number(as_of)
    rows = []
    for cohort_number, size in sorted(sizes.items()):
        for offset in range(last_month - cohort_number + 1):
            customers = int(active.get((cohort_number, offset), 0))
            rows.append(
                {
                    "cohort_month": _month_start(cohort_number),
                    "months_since_first": offset,
                    "activity_month": _month_start(cohort_number + offset),
                    "cohort_size": int(size),
                    "active_customers": customers,
                    "retention_rate": customers / size,
                }
            )
    return pd.DataFrame(rows).set_index(["cohort_month", "months_since_first"])


def connected_components(edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Anchor (minimum node by type rank, then id) of every node's component, by union-find."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = parent.setdefault(node, node)
        while root != parent[root]:
            root = parent[root]
        while node != root:
            parent[node], node = root, parent[node]
        return root

    for node_a, node_b in edges:
        root_a, root_b = find(node_a), find(node_b)
        if root_a != root_b:
            parent[max(root_a, root_b, key=sort_key)] = min(root_a, root_b, key=sort_key)
    return {node: find(node) for node in parent}


def sort_key(node_id: str) -> tuple[int, str]:
    return NODE_TYPE_RANK[node_id.split(":", 1)[0]], node_id


def customer_key(anchor_node_id: str, salt: str = "") -> str:
    return hashlib.md5((salt + anchor_node_id).encode()).hexdigest()
