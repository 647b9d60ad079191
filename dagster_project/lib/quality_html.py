"""The HTML validation report: GX asset-check outcomes and the figures per source on one page.

``record_validation`` keeps each check's outcome as JSON under ``<data>/reports/validation/``;
``write_validation_report`` renders them with the figures as ``<data>/reports/data_quality.html``.
Only counts and rule names are shown, never row values.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.lib.atomic_write import write_text_atomically
from dagster_project.lib.quality_figures import SourceQuality, figures_as_dicts, quality_figures

REPORT_FILE_NAME = "data_quality.html"
FIGURES_CACHE_FILE_NAME = "quality_figures.json"
VALIDATION_RESULTS_DIR = "validation"


def record_validation(reports_dir: Path, suite_name: str, result: dict[str, object]) -> Path:
    """Keep one asset check's outcome as JSON next to the report, replacing the last run's."""
    target = Path(reports_dir) / VALIDATION_RESULTS_DIR / f"{suite_name}.json"
    stamped = {"suite": suite_name, "validated_at": datetime.now(UTC).isoformat(), **result}
    return write_text_atomically(target, json.dumps(stamped, indent=2, default=str))


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
    write_text_atomically(cache, json.dumps(payload))
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
    return write_text_atomically(reports_dir / REPORT_FILE_NAME, page)
