"""The short summary ``make run`` ends with: rows per mart, check outcomes, where the data is.

Reads the latest run from the Dagster instance (``DAGSTER_HOME``) and the marts from DuckDB.
Exits non-zero when the latest run failed or an error-severity check failed, so ``make run``
cannot look green over broken data.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

from dagster_project.lib.data_layout import DataLayout
from dagster_project.lib.publish import stable_duckdb_path
from dagster_project.lib.quality_figures import render_quality_summary
from dagster_project.lib.quality_html import REPORT_FILE_NAME as QUALITY_REPORT_FILE
from dagster_project.lib.report import REPORT_NAME as REPORT_FILE
from dagster_project.lib.source_lineage import EMPTY_BECAUSE_KEY
from dagster_project.resources import WarehouseResource, default_data_dir

logger = logging.getLogger("dagster_project.summary")


@dataclass(frozen=True)
class CheckTally:
    passed: int
    failed_warn: int
    failed_error: int
    failed_names: tuple[str, ...]


def mart_row_counts(duckdb_path: Path) -> dict[str, int]:
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name"
        ).fetchall()
        return {
            name: connection.execute(f'select count(*) from marts."{name}"').fetchone()[0]
            for (name,) in tables
        }


def latest_run_checks(instance: DagsterInstance) -> tuple[str, str, CheckTally]:
    runs = instance.get_runs(limit=1)
    if not runs:
        raise SystemExit("no Dagster run found: run `make run` first")
    run = runs[0]
    outcomes: Counter[str] = Counter()
    failed: list[str] = []
    for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.get_dagster_event().event_specific_data
        if evaluation.passed:
            outcomes["passed"] += 1
            continue
        severity = evaluation.severity.value.lower()
        outcomes[f"failed_{severity}"] += 1
        # A check excused by empty optional sources says which, so the warning explains itself.
        excuse = evaluation.metadata.get(EMPTY_BECAUSE_KEY)
        failed.append(
            f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name} ({severity})"
            + (f": {excuse.value}" if excuse is not None else "")
        )
    tally = CheckTally(
        passed=outcomes["passed"],
        failed_warn=outcomes["failed_warn"],
        failed_error=outcomes["failed_error"],
        failed_names=tuple(sorted(failed)),
    )
    return run.run_id, run.status.value, tally


def _relation_exists(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def model_lines(duckdb_path: Path) -> list[str]:
    """Holdout figures of the fitted models, so a nightly run shows whether they still predict."""
    lines = ["  models (holdout):"]
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        if _relation_exists(connection, "marts", "clv_validation"):
            row = connection.execute(
                "select model_status, model_reason, holdout_days, model_purchases_mae, "
                "naive_purchases_mae, model_revenue_cents_mae, naive_revenue_cents_mae "
                "from marts.clv_validation where frequency_bucket = 'all'"
            ).fetchone()
            if row is None:
                lines.append("    CLV: no validation rows")
            elif row[0] != "fitted":
                lines.append(f"    CLV: not fitted ({row[1]})")
            else:
                verdict = "beats" if row[3] < row[4] else "does NOT beat"
                lines.append(
                    f"    CLV {row[2]} d: purchases MAE {row[3]:.3f} vs naive {row[4]:.3f} "
                    f"({verdict} the baseline); revenue MAE {row[5] / 100:,.2f} vs "
                    f"{row[6] / 100:,.2f} yuan"
                )
        if _relation_exists(connection, "marts", "churn_model_metrics"):
            row = connection.execute(
                "select model_status, model_reason, roc_auc, precision_top_decile, horizon_days "
                "from marts.churn_model_metrics"
            ).fetchone()
            if row is None or row[0] != "fitted":
                reason = row[1] if row else "no metrics row"
                lines.append(f"    churn: not fitted ({reason})")
            else:
                lines.append(
                    f"    churn {row[4]} d: ROC AUC {row[2]:.3f}, "
                    f"precision at top decile {row[3]:.3f}"
                )
    return lines if len(lines) > 1 else []


def two_columns(rows: dict[str, int]) -> list[str]:
    """``name  rows`` cells, two to a line, so a long list of marts stays one screen."""
    width = max((len(name) for name in rows), default=10)
    cells = [f"{name.ljust(width)} {count:>10,}" for name, count in rows.items()]
    half = (len(cells) + 1) // 2
    left, right = cells[:half], cells[half:]
    return [f"    {a}    {b}".rstrip() for a, b in zip(left, [*right, ""], strict=False)]


def render(
    run_id: str, status: str, tally: CheckTally, rows: dict[str, int], layout: DataLayout
) -> str:
    snapshot = stable_duckdb_path(layout.published)
    lines = [
        "",
        "Customer value warehouse: run summary",
        f"  run {run_id}: {status}",
        f"  checks: {tally.passed} passed, {tally.failed_warn} failed (warn), "
        f"{tally.failed_error} failed (error)",
        *(f"    failed: {name}" for name in tally.failed_names),
        "  marts (rows):",
        *two_columns(rows),
        f"  working DuckDB file: {layout.warehouse}",
        f"  published snapshot (BI reads it): "
        f"{snapshot if snapshot.exists() else 'not published (a check or step failed)'}",
        f"  reports: {layout.reports / REPORT_FILE}, {layout.reports / QUALITY_REPORT_FILE}",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    warehouse = WarehouseResource(data_dir=default_data_dir())
    run_id, status, tally = latest_run_checks(DagsterInstance.get())
    rows = mart_row_counts(warehouse.duckdb_path)
    logger.info(render_quality_summary(warehouse.duckdb_path))
    logger.info("\n".join(model_lines(warehouse.duckdb_path)))
    logger.info(render(run_id, status, tally, rows, warehouse.layout))
    failed_run = status != DagsterRunStatus.SUCCESS.value
    return 1 if failed_run or tally.failed_error else 0


if __name__ == "__main__":
    sys.exit(main())
