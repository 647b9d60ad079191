"""The BI snapshot: published after every mart, only when the run's error-level checks passed.

The asset depends on every dbt model under ``dbt_models/marts/`` (read from the dbt manifest, so
a new mart is picked up without editing this file). Dagster does not start it when a mart's step
failed (a failing dbt model or dbt test fails the dbt step) or when a blocking check on a mart
failed with error severity; the asset also refuses to publish if any check of its own run failed
with error severity, in case a check that does not block it (one on a staging model, say) did.
"""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from dagster_project.defs.dbt.translator import WarehouseTranslator
from dagster_project.lib import publish
from dagster_project.resources import WarehouseResource, dbt_project

PUBLISHED_SNAPSHOT = AssetKey(["published", "warehouse_snapshot"])
MARTS_LAYER = "marts"


def mart_keys(manifest: Mapping[str, Any]) -> list[AssetKey]:
    """Every dbt model whose asset key starts with ``marts``, as the dbt assets key them."""
    translator = WarehouseTranslator()
    keys = {
        translator.get_asset_key(node)
        for node in manifest.get("nodes", {}).values()
        if node["resource_type"] == "model"
    }
    return sorted((key for key in keys if key.path[0] == MARTS_LAYER), key=lambda key: key.path)


def _manifest() -> Mapping[str, Any]:
    path = Path(dbt_project.manifest_path)
    return json.loads(path.read_text()) if path.exists() else {}


MART_KEYS = mart_keys(_manifest())


def run_check_results(instance: DagsterInstance, run_id: str) -> pd.DataFrame:
    """Every asset check evaluated in this run: asset, check, passed, severity."""
    rows = []
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.get_dagster_event().event_specific_data
        rows.append(
            {
                "asset_key": evaluation.asset_key.to_user_string(),
                "check_name": evaluation.check_name,
                "passed": bool(evaluation.passed),
                "severity": evaluation.severity.value.lower(),
                "run_id": run_id,
            }
        )
    columns = ["asset_key", "check_name", "passed", "severity", "run_id"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"passed": "bool"}).sort_values(["asset_key", "check_name"])


@asset(
    key=PUBLISHED_SNAPSHOT,
    deps=MART_KEYS,
    group_name="publish",
    description=(
        "Read-only copy of every mart for BI: published/warehouse.duckdb and "
        "published/parquet/<mart>.parquet, swapped in atomically after a clean run."
    ),
)
def warehouse_snapshot(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    checks = run_check_results(context.instance, context.run_id)
    failed_errors = checks[(~checks["passed"]) & (checks["severity"] == "error")]
    if not failed_errors.empty:
        names = ", ".join(failed_errors["asset_key"] + ":" + failed_errors["check_name"])
        raise Failure(f"not publishing: error-level checks failed in this run: {names}")
    root = publish.published_root(Path(warehouse.data_dir))
    snapshot = publish.publish_snapshot(
        warehouse_path=warehouse.duckdb_path,
        root=root,
        label=publish.snapshot_label(context.run_id),
        marts=[key.path[-1] for key in MART_KEYS],
        extra_tables={"check_results": checks},
    )
    return MaterializeResult(
        metadata={
            "snapshot": snapshot.label,
            "duckdb_path": MetadataValue.path(str(publish.stable_duckdb_path(root))),
            "parquet_dir": MetadataValue.path(str(publish.stable_parquet_dir(root))),
            "marts": len(snapshot.row_counts),
            "rows": MetadataValue.json(snapshot.row_counts),
            "checks_in_run": len(checks),
        }
    )
