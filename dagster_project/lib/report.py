"""The warehouse report: one static HTML file with the charts people look at every morning.

``python -m dagster_project.cli.report`` writes ``<data>/reports/warehouse_report.html``. It reads
the published snapshot (``<data>/published/warehouse.duckdb``) when there is one, else the working
warehouse, always read-only. The sections are in ``report_sections``, their building blocks in
``report_blocks``; this module assembles the page and writes the file.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.lib import publish
from dagster_project.lib.atomic_write import write_text_atomically
from dagster_project.lib.data_layout import DataLayout
from dagster_project.lib.report_blocks import Section, Warehouse
from dagster_project.lib.report_sections import SECTIONS

REPORT_NAME = "warehouse_report.html"


STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
section { margin-bottom: 2.5em; }
img.chart { max-width: 100%; display: block; margin: 0.5em 0; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
.not-available { color: #8a6d3b; background: #fcf8e3; padding: 0.5em; }
"""


def render(sections: list[Section], source: Path, generated_at: datetime) -> str:
    toc = "".join(
        f'<li><a href="#{item.slug}">{html.escape(item.title)}</a></li>' for item in sections
    )
    bodies = "".join(
        f'<section id="{item.slug}"><h2>{html.escape(item.title)}</h2>{item.body}</section>'
        for item in sections
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Customer value warehouse report</title>"
        f"<style>{STYLE}</style></head><body>"
        "<h1>Customer value warehouse report</h1>"
        f"<p>Source: {html.escape(source.name)}, generated "
        f"{generated_at:%Y-%m-%d %H:%M} UTC.</p>"
        f"<ul>{toc}</ul>{bodies}</body></html>"
    )


def build_report(db_path: Path, generated_at: datetime | None = None) -> tuple[str, list[Section]]:
    with duckdb.connect(str(db_path), read_only=True) as connection:
        warehouse = Warehouse(connection)
        sections = [build(warehouse) for build in SECTIONS]
    document = render(sections, db_path, generated_at or datetime.now(UTC))
    return document, sections


def write_report(data_dir: Path, out_path: Path | None = None) -> tuple[Path, list[Section]]:
    """Render from the snapshot (or warehouse) of ``data_dir``; the file is replaced atomically."""
    target = out_path or DataLayout(Path(data_dir)).reports / REPORT_NAME
    document, sections = build_report(publish.readable_duckdb_path(Path(data_dir)))
    return write_text_atomically(target, document), sections
