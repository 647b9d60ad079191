"""cohort_retention: per first-purchase month, the share of its customers buying n months on."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .orders import revenue_orders

COHORT_COLUMNS = [
    "cohort_month",
    "months_since_first",
    "activity_month",
    "cohort_size",
    "active_customers",
    "retention_rate",
]


def _month_number(days: pd.Series) -> pd.Series:
    return days.dt.year * 12 + days.dt.month - 1


def _month_start(number: pd.Series) -> pd.Series:
    return pd.to_datetime(pd.DataFrame({"year": number // 12, "month": number % 12 + 1, "day": 1}))


def cohort_retention(orders: pd.DataFrame, as_of: date | pd.Timestamp) -> pd.DataFrame:
    """Every (cohort, month offset) cell up to the as-of month, zero-activity cells included.

    Rows in ``COHORT_COLUMNS`` ordered by cohort and offset; months as datetime64.
    """
    as_of_day = pd.Timestamp(as_of)
    revenue = revenue_orders(orders, as_of_day)
    months = pd.DataFrame(
        {
            "customer_key": revenue["customer_key"],
            "month": _month_number(pd.to_datetime(revenue["order_date"])),
        }
    ).drop_duplicates()
    months["cohort"] = months.groupby("customer_key")["month"].transform("min")
    months["offset"] = months["month"] - months["cohort"]
    active = months.groupby(["cohort", "offset"]).size().rename("active_customers")
    sizes = months.drop_duplicates("customer_key")["cohort"].value_counts().sort_index()
    last_month = as_of_day.year * 12 + as_of_day.month - 1
    spans = last_month - sizes.index.to_numpy() + 1
    cells = pd.DataFrame(
        {
            "cohort": np.repeat(sizes.index.to_numpy(), spans),
            "offset": np.concatenate([np.arange(span) for span in spans]),
        }
    )
    cells["cohort_size"] = cells["cohort"].map(sizes)
    cells = cells.join(active, on=["cohort", "offset"])
    cells["active_customers"] = cells["active_customers"].fillna(0).astype("int64")
    cells["retention_rate"] = cells["active_customers"] / cells["cohort_size"]
    cells["cohort_month"] = _month_start(cells["cohort"])
    cells["months_since_first"] = cells["offset"]
    cells["activity_month"] = _month_start(cells["cohort"] + cells["offset"])
    return cells[COHORT_COLUMNS]
