"""``dbt_models/marts/predictions/_models__sources.yml``, rendered from the model-output schemas.

The Parquet schemas in ``lib/model_outputs.py`` are the one owner of the model-output columns:
this file gives dbt their names and SQL types, and the ``model_output`` macro casts each column to
the type declared here, so no prediction mart lists them again.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from dagster_project.lib.base_models import GENERATED_YML_HEADER, MODELS_DIR
from dagster_project.lib.model_outputs import SCHEMAS

SOURCES_YML = MODELS_DIR / "marts" / "predictions" / "_models__sources.yml"
DESCRIPTIONS = {
    "clv_predictions": "BG/NBD and Gamma-Gamma predictions per customer, with the model status.",
    "clv_parameters": "Fitted BG/NBD and Gamma-Gamma parameters, one row per model and parameter.",
    "clv_validation": (
        "Calibration / holdout comparison of the CLV models against a naive baseline."
    ),
    "churn_predictions": "Churn probability per customer from the supervised churn model.",
    "churn_metrics": "Holdout ROC AUC and precision at the top decile of the churn model.",
}


def sql_type(arrow_type: pa.DataType) -> str:
    """The portable SQL type of an Arrow type (``string`` becomes each engine's text type)."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_float64(arrow_type):
        return "double"
    if pa.types.is_int64(arrow_type):
        return "bigint"
    if pa.types.is_int32(arrow_type):
        return "integer"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_date32(arrow_type):
        return "date"
    raise ValueError(f"no SQL type for the Arrow type {arrow_type}")


def render_model_outputs_yml() -> str:
    lines = [
        GENERATED_YML_HEADER.format(origin="the schemas in dagster_project/lib/model_outputs.py"),
        "version: 2",
        "",
        "sources:",
        "  - name: models",
        "    description: >",
        "      Tables written by the model-fitting Dagster assets (dagster_project/defs/models) as",
        "      Parquet under `<data>/models/<table>/<table>.parquet`, read back by the prediction",
        "      marts through the `model_output` macro, which casts every column to its data_type",
        "      here and returns no rows instead of failing before the assets first run.",
        "    meta:",
        "      # Keep in step with the models_root() macro in"
        " macros/predictions/model_outputs.sql.",
        "      external_location: >-",
        "        read_parquet('{{ var('models_root') or env_var('CVW_DATA_DIR', 'data') ~ '/models'"
        " }}/{name}/*.parquet')",
        "    tables:",
    ]
    for table, schema in SCHEMAS.items():
        lines += [
            f"      - name: {table}",
            f"        description: {DESCRIPTIONS[table]}",
            "        meta:",
            "          dagster:",
            f'            asset_key: ["models", "{table}"]',
            "        columns:",
        ]
        for field in schema:
            lines += [
                f"          - name: {field.name}",
                f"            data_type: {sql_type(field.type)}",
            ]
    return "\n".join(lines) + "\n"


def model_outputs_generated_files() -> dict[Path, str]:
    return {SOURCES_YML: render_model_outputs_yml()}
