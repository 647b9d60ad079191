"""The model-output tables: their Parquet schemas, where they live, and how they are written.

The model-fitting assets write ``<data>/models/<table>/<table>.parquet``; dbt reads the files back
as the ``models`` source for the prediction marts, so the schemas here are column for column what
those marts cast.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dagster_project.lib import churn_model
from dagster_project.lib.atomic_write import write_atomically

# The Parquet schemas, column for column as the prediction marts cast them.
SCHEMAS: dict[str, pa.Schema] = {
    "clv_predictions": pa.schema(
        [
            ("customer_key", pa.string()),
            ("p_alive", pa.float64()),
            ("expected_purchases_90d", pa.float64()),
            ("expected_purchases_180d", pa.float64()),
            ("expected_purchases_365d", pa.float64()),
            ("expected_average_spend_cents", pa.int64()),
            ("predicted_clv_cents", pa.int64()),
            ("clv_horizon_months", pa.int32()),
            ("annual_discount_rate", pa.float64()),
            ("model_status", pa.string()),
            ("model_reason", pa.string()),
            ("observation_end_date", pa.date32()),
        ]
    ),
    "clv_parameters": pa.schema(
        [
            ("model_name", pa.string()),
            ("parameter_name", pa.string()),
            ("parameter_value", pa.float64()),
            ("standard_error", pa.float64()),
            ("model_status", pa.string()),
            ("model_reason", pa.string()),
            ("detail", pa.string()),
            ("log_likelihood", pa.float64()),
            ("is_converged", pa.bool_()),
            ("optimizer_message", pa.string()),
            ("iterations", pa.int32()),
            ("customers", pa.int64()),
            ("customers_in_fit", pa.int64()),
            ("distinct_rows", pa.int64()),
            ("time_unit", pa.string()),
            ("fit_date", pa.date32()),
        ]
    ),
    "clv_validation": pa.schema(
        [
            ("frequency_bucket", pa.string()),
            ("bucket_order", pa.int32()),
            ("customers", pa.int64()),
            *(
                (f"{prefix}_{measure}_{statistic}", pa.float64())
                for measure in ("purchases", "revenue_cents")
                for prefix, statistics in (
                    ("actual", ("mean", "total")),
                    ("model", ("mean", "total", "mae", "aggregate_error")),
                    ("naive", ("mean", "total", "mae", "aggregate_error")),
                )
                for statistic in statistics
            ),
            ("calibration_end_date", pa.date32()),
            ("observation_end_date", pa.date32()),
            ("holdout_days", pa.int32()),
            ("model_status", pa.string()),
            ("model_reason", pa.string()),
            ("is_model_better", pa.bool_()),
        ]
    ),
    "churn_predictions": pa.schema(
        [
            ("customer_key", pa.string()),
            ("churn_probability", pa.float64()),
            ("churn_risk_decile", pa.int32()),
            ("horizon_days", pa.int32()),
            ("scored_as_of_date", pa.date32()),
            ("model_status", pa.string()),
            ("model_reason", pa.string()),
        ]
    ),
    "churn_metrics": pa.schema(
        [
            ("model_name", pa.string()),
            ("model_status", pa.string()),
            ("model_reason", pa.string()),
            ("horizon_days", pa.int32()),
            ("train_cutoff_date", pa.date32()),
            ("holdout_cutoff_date", pa.date32()),
            ("observation_end_date", pa.date32()),
            ("train_customers", pa.int64()),
            ("holdout_customers", pa.int64()),
            *((name, pa.float64()) for name in churn_model.METRIC_COLUMNS[2:]),
            ("features", pa.string()),
        ]
    ),
}


def model_output_path(data_dir: str | Path, table: str) -> Path:
    return Path(data_dir) / "models" / table / f"{table}.parquet"


def write_model_table(frame: pd.DataFrame, data_dir: str | Path, table: str) -> Path:
    """Write one model table as Parquet, atomically, with the table's fixed schema.

    The file appears under its final name only once complete (``os.replace`` within one folder),
    and other Parquet files in the folder are removed, since dbt reads ``<table>/*.parquet``.
    """
    path = model_output_path(data_dir, table)
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = SCHEMAS[table]
    arrow = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    # No pandas metadata: the bytes depend on the data only, not on the library versions.
    arrow = arrow.replace_schema_metadata(None)
    write_atomically(path, lambda target: pq.write_table(arrow, target, compression="zstd"))
    for stale in path.parent.glob("*.parquet"):
        if stale != path:
            stale.unlink()
    return path
