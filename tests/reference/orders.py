"""Order rows as the marts use them: revenue orders, the as-of day, fct_orders from raw data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from .project_vars import configured_as_of, revenue_statuses
from .staging import clean_orders, clean_refunds, read_raw


def revenue_orders(orders: pd.DataFrame, as_of: date | pd.Timestamp) -> pd.DataFrame:
    """Orders with a revenue status (the ``revenue_order_statuses`` var) up to the as-of day."""
    on_time = pd.to_datetime(orders["order_date"]) <= pd.Timestamp(as_of)
    keep = orders["order_status"].isin(revenue_statuses()) & on_time
    return orders.loc[keep]


def as_of_date(order_dates: pd.Series) -> pd.Timestamp:
    """The ``as_of_date`` var, or the latest order day when it is empty."""
    configured = configured_as_of()
    return pd.Timestamp(configured) if configured else pd.to_datetime(order_dates).max()


def orders_from_raw(data_dir: Path, identifiers: pd.DataFrame) -> pd.DataFrame:
    """fct_orders' columns the RFM and cohort marts read, from the raw Parquet.

    ``identifiers`` maps an identity node id to its customer_key: identity resolution is taken
    as given. An order's node is its member id, else its phone, else its openid.
    """
    orders = clean_orders(read_raw(data_dir, "orders"))
    refunds = clean_refunds(read_raw(data_dir, "refunds"))
    refund_cents = refunds.groupby("order_id")["amount"].sum()
    node = ("member:" + orders["member_id"]).fillna("phone:" + orders["phone"])
    orders["node_id"] = node.fillna("openid:" + orders["openid"])
    orders = orders.merge(identifiers, on="node_id", how="left")
    refunded = orders["order_id"].map(refund_cents).fillna(0)
    return pd.DataFrame(
        {
            "order_id": orders["order_id"],
            "customer_key": orders["customer_key"],
            "order_status": orders["order_status"],
            "order_date": orders["ordered_at"].dt.normalize(),
            "net_amount_cents": orders["gross"] - orders["discount"] - refunded,
        }
    )
