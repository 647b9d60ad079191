"""Data-quality figures per source: rows in, clean, quarantined by reason, flagged outliers.

``render_quality_summary`` is the text block ``make run`` prints; ``reconcile_source`` compares
raw Parquet row counts with the clean and quarantined rows per load date (the loss-free check);
``write_validation_report`` renders the GX asset-check outcomes and these figures as one HTML page
under ``<data>/reports/``. Only counts and rule names are shown, never row values.

Command line: ``python -m dagster_project.lib.quality_report [--duckdb PATH]`` prints the summary.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow.compute as pa_compute
import pyarrow.dataset as pa_dataset

from dagster_project.lib.contract import SOURCES, SourceTable

REPORT_FILE_NAME = "data_quality.html"
FIGURES_CACHE_FILE_NAME = "quality_figures.json"
VALIDATION_RESULTS_DIR = "validation"

# Outlier flags live in intermediate/quality; each maps to the staging source whose rows it marks.
# (source name, relation, flag column, extra filter) per flagged source.
_OUTLIER_FLAGS: tuple[tuple[str, str, str, str], ...] = (
    (
        "shop__orders",
        "intermediate.int_order_amount_outliers_flagged",
        "is_amount_outlier",
        "true",
    ),
    (
        "ads__ocean_engine_campaign_daily",
        "intermediate.int_ad_spend_spikes_flagged",
        "is_spend_spike",
        "platform = 'ocean_engine'",
    ),
    (
        "ads__tencent_ads_daily",
        "intermediate.int_ad_spend_spikes_flagged",
        "is_spend_spike",
        "platform = 'tencent_ads'",
    ),
    (
        "ads__baidu_campaign_daily",
        "intermediate.int_ad_spend_spikes_flagged",
        "is_spend_spike",
        "platform = 'baidu'",
    ),
)


@dataclass(frozen=True)
class SourceQuality:
    """Quality figures of one source over all its loads."""

    source: str
    rows_in: int
    clean: int
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    outliers_flagged: int | None = None

    @property
    def quarantined(self) -> int:
        return sum(self.quarantined_by_reason.values())

    @property
    def reconciled(self) -> bool:
        return self.rows_in == self.clean + self.quarantined


@dataclass(frozen=True)
class LoadReconciliation:
    """Raw rows against clean plus quarantined rows for one load date of one source."""

    load_date: date
    raw_rows: int
    clean_rows: int
    quarantined_rows: int

    @property
    def difference(self) -> int:
        return self.raw_rows - self.clean_rows - self.quarantined_rows


# --- figures ------------------------------------------------------------------------------------


def base_model(source: SourceTable) -> str:
    """The staging model holding every raw row of a source, clean or not."""
    return f"base_{source.name}"


def clean_model(source: SourceTable) -> str:
    """The staging model holding a source's clean rows."""
    return f"stg_{source.name}"


def quarantine_model(source: SourceTable) -> str:
    return f"quarantine_{source.name}"


def _existing_relations(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
    ).fetchall()
    return {name for (name,) in rows}


def source_quality(connection: duckdb.DuckDBPyConnection, source: SourceTable) -> SourceQuality:
    quarantine = f"quarantine.{quarantine_model(source)}"
    rows_in, clean = connection.execute(
        f"select (select count(*) from staging.{base_model(source)}), "
        f"(select count(*) from staging.{clean_model(source)})"
    ).fetchone()
    reasons = connection.execute(
        f"select quarantine_reason, count(*) from {quarantine} group by 1 order by 2 desc, 1"
    ).fetchall()
    return SourceQuality(
        source=source.name,
        rows_in=int(rows_in),
        clean=int(clean),
        quarantined_by_reason={str(reason): int(count) for reason, count in reasons},
    )


def outlier_counts(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Flagged rows per source; sources without an outlier rule are absent."""
    existing = _existing_relations(connection)
    counts = {}
    for source_name, relation, flag, condition in _OUTLIER_FLAGS:
        if relation not in existing:
            continue
        (count,) = connection.execute(
            f"select count(*) from {relation} where {flag} and {condition}"
        ).fetchone()
        counts[source_name] = int(count)
    return counts


def quality_figures(duckdb_path: Path) -> list[SourceQuality]:
    """Figures for every contract source, in contract order."""
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        outliers = outlier_counts(connection)
        figures = []
        for source in SOURCES:
            base = source_quality(connection, source)
            figures.append(
                SourceQuality(
                    source=base.source,
                    rows_in=base.rows_in,
                    clean=base.clean,
                    quarantined_by_reason=base.quarantined_by_reason,
                    outliers_flagged=outliers.get(source.name),
                )
            )
        return figures


def render_quality_summary(duckdb_path: Path) -> str:
    """Text table per source: rows in, clean, quarantined (by reason), flagged outliers."""
    figures = quality_figures(Path(duckdb_path))
    width = max(len(item.source) for item in figures)
    header = (
        f"{'source':<{width}}  {'rows in':>9}  {'clean':>9}  {'quarantined':>11}  "
        f"{'outliers':>8}  reconciled"
    )
    lines = ["Data quality per source", header, "-" * len(header)]
    for item in figures:
        outliers = "-" if item.outliers_flagged is None else str(item.outliers_flagged)
        lines.append(
            f"{item.source:<{width}}  {item.rows_in:>9}  {item.clean:>9}  "
            f"{item.quarantined:>11}  {outliers:>8}  {'yes' if item.reconciled else 'NO'}"
        )
        for reason, count in item.quarantined_by_reason.items():
            lines.append(f"{'':<{width}}    quarantined {reason}: {count}")
    total_in = sum(item.rows_in for item in figures)
    total_quarantined = sum(item.quarantined for item in figures)
    total_outliers = sum(item.outliers_flagged or 0 for item in figures)
    lines.append(
        f"total: {total_in} rows in, {total_in - total_quarantined} clean, "
        f"{total_quarantined} quarantined, {total_outliers} flagged outliers "
        "(order amounts: median/MAD of log amount per store; ad spend: one-sided median/MAD of "
        "log daily spend per campaign)"
    )
    return "\n".join(lines)


# --- reconciliation -----------------------------------------------------------------------------


def raw_rows_per_load_date(raw_root: Path, source: SourceTable) -> dict[date, int]:
    """Rows of the raw Parquet layer per hive ``load_date`` partition, read with Arrow."""
    table_dir = Path(raw_root) / source.family / source.table
    if not table_dir.is_dir():
        return {}
    dataset = pa_dataset.dataset(table_dir, format="parquet", partitioning="hive")
    load_dates = dataset.to_table(columns=["load_date"]).column("load_date")
    counts = pa_compute.value_counts(load_dates.cast("string")).to_pylist()
    return {date.fromisoformat(item["values"]): int(item["counts"]) for item in counts}


def _rows_per_load_date(connection: duckdb.DuckDBPyConnection, relation: str) -> dict[date, int]:
    rows = connection.execute(f"select _load_date, count(*) from {relation} group by 1").fetchall()
    return {load_date: int(count) for load_date, count in rows}


def reconcile_source(
    raw_root: Path, duckdb_path: Path, source: SourceTable
) -> list[LoadReconciliation]:
    """Raw rows against clean + quarantined rows, per load date (every date seen anywhere)."""
    raw = raw_rows_per_load_date(raw_root, source)
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        clean = _rows_per_load_date(connection, f"staging.{clean_model(source)}")
        quarantined = _rows_per_load_date(connection, f"quarantine.{quarantine_model(source)}")
    return [
        LoadReconciliation(
            load_date=load_date,
            raw_rows=raw.get(load_date, 0),
            clean_rows=clean.get(load_date, 0),
            quarantined_rows=quarantined.get(load_date, 0),
        )
        for load_date in sorted(set(raw) | set(clean) | set(quarantined))
    ]


# --- HTML validation report ---------------------------------------------------------------------


def record_validation(reports_dir: Path, suite_name: str, result: dict[str, object]) -> Path:
    """Keep one asset check's outcome as JSON next to the report, replacing the last run's."""
    target = Path(reports_dir) / VALIDATION_RESULTS_DIR / f"{suite_name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    stamped = {"suite": suite_name, "validated_at": datetime.now(UTC).isoformat(), **result}
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(json.dumps(stamped, indent=2, default=str), encoding="utf-8")
    os.replace(temporary, target)
    return target


def _cell(value: object) -> str:
    return f"<td>{html.escape(str(value))}</td>"


def _validation_section(reports_dir: Path) -> list[str]:
    results_dir = Path(reports_dir) / VALIDATION_RESULTS_DIR
    results = [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted(results_dir.glob("*.json"))
    ]
    passed = sum(bool(item.get("success")) for item in results)
    parts = [
        "<h2>Great Expectations suites</h2>",
        f"<p>{passed} of {len(results)} suites passed.</p>",
        "<table><tr><th>suite</th><th>result</th><th>rows</th><th>expectation</th>"
        "<th>column</th><th>severity</th><th>unexpected</th></tr>",
    ]
    for item in results:
        status = "passed" if item.get("success") else "FAILED"
        outcomes = item.get("outcomes") or [{}]
        for index, outcome in enumerate(outcomes):
            ok = outcome.get("success", True)
            row_class = (
                ""
                if ok
                else ' class="error"'
                if outcome.get("severity") == "error"
                else (' class="warn"')
            )
            first = [item["suite"], status, item.get("row_count", "")] if index == 0 else [""] * 3
            parts.append(
                f"<tr{row_class}>"
                + "".join(_cell(value) for value in first)
                + _cell(outcome.get("expectation_type", ""))
                + _cell(outcome.get("column") or "")
                + _cell(outcome.get("severity", ""))
                + _cell(outcome.get("unexpected_count", ""))
                + "</tr>"
            )
    parts.append("</table>")
    return parts


def _figures_section(figures: Sequence[SourceQuality]) -> list[str]:
    parts = [
        "<h2>Rows per source</h2>",
        "<table><tr><th>source</th><th>rows in</th><th>clean</th><th>quarantined</th>"
        "<th>by reason</th><th>outliers flagged</th><th>reconciled</th></tr>",
    ]
    for item in figures:
        reasons = ", ".join(
            f"{reason}: {count}" for reason, count in item.quarantined_by_reason.items()
        )
        outliers = "-" if item.outliers_flagged is None else item.outliers_flagged
        parts.append(
            "<tr>"
            + "".join(
                _cell(value)
                for value in (
                    item.source,
                    item.rows_in,
                    item.clean,
                    item.quarantined,
                    reasons,
                    outliers,
                    "yes" if item.reconciled else "NO",
                )
            )
            + "</tr>"
        )
    parts.append("</table>")
    return parts


def cached_quality_figures(reports_dir: Path, duckdb_path: Path) -> list[SourceQuality]:
    """Figures, recomputed only when the warehouse file changed since they were last counted.

    Every asset check re-renders the report; counting every staging view each time would read
    the whole raw layer once per check.
    """
    cache = Path(reports_dir) / FIGURES_CACHE_FILE_NAME
    stamp = duckdb_path.stat().st_mtime_ns
    if cache.exists():
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("duckdb_mtime_ns") == stamp and cached.get("duckdb_path") == str(duckdb_path):
            return [SourceQuality(**item) for item in cached["figures"]]
    figures = quality_figures(duckdb_path)
    payload = {
        "duckdb_path": str(duckdb_path),
        "duckdb_mtime_ns": stamp,
        "figures": figures_as_dicts(figures),
    }
    temporary = cache.with_name(f".{cache.name}.tmp")
    temporary.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(temporary, cache)
    return figures


def write_validation_report(reports_dir: Path, duckdb_path: Path | None = None) -> Path:
    """Render ``<reports_dir>/data_quality.html`` from the recorded results and the figures."""
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    body = [
        "<h1>Data quality report</h1>",
        f"<p>Rendered {html.escape(datetime.now(UTC).isoformat(timespec='seconds'))} UTC.</p>",
    ]
    if duckdb_path is not None and Path(duckdb_path).exists():
        try:
            body += _figures_section(cached_quality_figures(reports_dir, Path(duckdb_path)))
        except duckdb.Error as error:
            # The warehouse may be mid-build (locked) or not built yet: the suites still render.
            body.append(f"<p>Row figures unavailable: {html.escape(type(error).__name__)}</p>")
    body += _validation_section(reports_dir)
    style = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
        "tr.error{background:#f8d0d0}tr.warn{background:#fff2c0}"
    )
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Data quality report</title>'
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
    target = reports_dir / REPORT_FILE_NAME
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(page, encoding="utf-8")
    os.replace(temporary, target)
    return target


def figures_as_dicts(figures: Sequence[SourceQuality]) -> list[dict[str, object]]:
    return [asdict(item) for item in figures]


# --- command line -------------------------------------------------------------------------------


def _default_duckdb_path() -> Path:
    override = os.environ.get("CVW_DUCKDB_PATH")
    if override:
        return Path(override)
    data_dir = Path(os.environ.get("CVW_DATA_DIR", "data"))
    if not data_dir.is_absolute():
        data_dir = Path(__file__).resolve().parents[2] / data_dir
    return data_dir / "warehouse.duckdb"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print rows in / clean / quarantined per source.")
    parser.add_argument("--duckdb", type=Path, default=None, help="warehouse DuckDB file")
    parser.add_argument(
        "--html", action="store_true", help="also render <data>/reports/data_quality.html"
    )
    arguments = parser.parse_args(argv)
    duckdb_path = arguments.duckdb or _default_duckdb_path()
    if not duckdb_path.exists():
        sys.stderr.write(f"no warehouse at {duckdb_path}: build it first\n")
        return 1
    sys.stdout.write(render_quality_summary(duckdb_path) + "\n")
    if arguments.html:
        target = write_validation_report(duckdb_path.parent / "reports", duckdb_path)
        sys.stdout.write(f"report: {target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
