"""The pandas reference run on the raw Parquet, and the check that both references equal the marts.

Both references take identity resolution as given and read the warehouse's identifier-to-customer
map, so the dbt time they are compared with excludes the identity models too (see
``RFM_COHORT_MODELS``).
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tests.reference import (
    COHORT_COLUMNS,
    RFM_COLUMNS,
    as_of_date,
    cohort_retention,
    orders_from_raw,
    rfm,
)

# The dbt models on the path from the raw Parquet to the two marts: the staging models that
# int_orders_enriched reads (the references redo their cleaning and deduplication), then the
# order and customer models.
RFM_COHORT_MODELS = (
    "base_shop__orders",
    "base_shop__order_items",
    "base_shop__refunds",
    "base_shop__referral_codes",
    "stg_shop__orders",
    "stg_shop__order_items",
    "stg_shop__refunds",
    "stg_shop__referral_codes",
    "int_orders_resolved",
    "int_referral_codes_resolved",
    "int_orders_enriched",
    "int_as_of_date",
    "int_customer_orders_aggregated",
    "customer_rfm",
    "cohort_retention",
)
MART_KEYS = {"rfm": ["customer_key"], "cohort": ["cohort_month", "months_since_first"]}


def run_pandas(data_dir: Path, out_dir: Path) -> float:
    """Run the pandas reference; write its results; return the seconds of the computation alone."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        identifiers = connection.sql(
            "select node_id, customer_key from intermediate.int_customer_identifiers"
        ).df()
    started = time.perf_counter()
    orders = orders_from_raw(data_dir, identifiers)
    as_of = as_of_date(orders["order_date"])
    rfm_frame = rfm(orders, as_of)
    cohort_frame = cohort_retention(orders, as_of)
    seconds = time.perf_counter() - started
    rfm_frame.to_parquet(out_dir / "rfm.parquet")
    cohort_frame.to_parquet(out_dir / "cohort.parquet")
    return seconds


def _normalised(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One dtype per column whatever engine wrote it: ISO dates, text keys, integer counts."""
    frame = frame.copy()
    for column in frame.columns:
        if column.endswith(("_date", "_month")) and column != "months_since_first":
            frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
        elif column in ("rfm_score", "customer_key"):
            frame[column] = frame[column].astype(str)
        elif column == "retention_rate":
            frame[column] = frame[column].astype(float)
        else:
            frame[column] = frame[column].astype("int64")
    return frame.sort_values(keys).reset_index(drop=True)


def _equal(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    if left.shape != right.shape or list(left.columns) != list(right.columns):
        return False
    for column in left.columns:
        if column == "retention_rate":
            if not np.allclose(left[column], right[column], rtol=0, atol=1e-12):
                return False
        elif not (left[column].to_numpy() == right[column].to_numpy()).all():
            return False
    return True


def compare_results(data_dir: Path, work: Path) -> dict[str, bool]:
    """Whether the floor and pandas results equal the marts, per mart and reference."""
    columns = {"rfm": RFM_COLUMNS, "cohort": COHORT_COLUMNS}
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        ours = {
            "rfm": connection.sql(f"select {', '.join(RFM_COLUMNS)} from marts.customer_rfm").df(),
            "cohort": connection.sql(
                f"select {', '.join(COHORT_COLUMNS)} from marts.cohort_retention"
            ).df(),
        }
    equal = {}
    for reference in ("floor", "pandas"):
        for mart, keys in MART_KEYS.items():
            theirs = pd.read_parquet(work / reference / f"{mart}.parquet")[columns[mart]]
            equal[f"{reference} = ours, {mart}"] = _equal(
                _normalised(ours[mart], keys), _normalised(theirs, keys)
            )
    return equal
