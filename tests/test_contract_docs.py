"""docs/sources.md is rendered from the contract and never drifts from it."""

from __future__ import annotations

from dagster_project.lib.contract import SOURCES
from dagster_project.lib.contract_docs import DOC_PATH, render_sources_markdown


def test_the_committed_sources_doc_equals_the_rendered_contract() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render_sources_markdown(), (
        "docs/sources.md is out of date: run python -m dagster_project.cli.contract_docs"
    )


def test_the_doc_describes_every_source_and_column() -> None:
    text = render_sources_markdown()
    for source in SOURCES:
        assert f"### `{source.name}`" in text
        assert f"`{source.family}/{source.table}/{source.table}_<YYYY-MM-DD>.csv`" in text
        for column in source.columns:
            assert f"| `{column.name}` |" in text, f"{source.name}.{column.name}"


def test_the_doc_explains_layout_time_zones_money_and_own_exports() -> None:
    text = render_sources_markdown()
    for heading in (
        "## Landing folder layout",
        "## Time zones",
        "## Money",
        "## Bringing your own exports",
    ):
        assert heading in text
    assert "UTC+8" in text
    assert "_cents" in text


def test_pipes_inside_cells_are_escaped_so_tables_keep_their_shape() -> None:
    table_rows = [
        line for line in render_sources_markdown().splitlines() if line.startswith(("| `", "| [`"))
    ]
    for row in table_rows:
        cells = row.replace("\\|", "").split("|")
        assert len(cells) in (5, 7), row
