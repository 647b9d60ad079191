"""Each family's ``_<family>__sources.yml``, rendered from the landing contract."""

from __future__ import annotations

from dagster_project.lib.base_models import GENERATED_YML_HEADER, folded, quoted
from dagster_project.lib.contract import FAMILY_DESCRIPTIONS, SOURCES, SourceTable


def _table_description(source: SourceTable) -> str:
    parts = [source.description, f"Primary key: {', '.join(source.primary_key)}.", *source.notes]
    return " ".join(parts)


def _warn_test(name: str) -> list[str]:
    return [
        "            data_tests:",
        f"              - {name}:",
        "                  config: {severity: warn}",
    ]


def render_sources_yml(family: str) -> str:
    """A family's ``_<family>__sources.yml``: the raw tables exactly as the contract has them."""
    lead = FAMILY_DESCRIPTIONS[family]
    family_text = (
        f"{lead} Raw layer written by the extraction assets: one Parquet file per landing file "
        f"under <raw_root>/{family}/<table>/load_date=YYYY-MM-DD/, every contract column as text "
        "exactly as exported, plus the landing file name and row number. Nothing is typed or "
        "cleaned here; the base models do that and give every row they cannot use its reason."
    )
    lines = [
        GENERATED_YML_HEADER.format(origin="dagster_project/lib/contract.py").rstrip("\n"),
        "version: 2",
        "",
        "sources:",
        f"  - name: {family}",
        "    description: >",
        folded(family_text, 6),
        "    loader: dagster (landing loader)",
        f"    schema: raw_{family}",
        "    config:",
        "      meta:",
        "        # dbt-duckdb reads the Parquet files in place; {name} is the table name. Other"
        " engines",
        f"        # (Spark) read the tables raw_{family}.<table> registered over the same files.",
        "        # YAML sees var() unrendered, so the project default of raw_root (which holds"
        " Jinja)",
        "        # is spelled out here; a raw_root given with --vars is used as is.",
        "        external_location: >-",
        '          read_parquet(\'{{ env_var("CVW_DATA_DIR", "data") ~ "/raw" if "{" in '
        'var("raw_root")',
        f'          else var("raw_root") }}}}/{family}/{{name}}/*/*.parquet\', '
        "hive_partitioning = true,",
        "          union_by_name = true)",
        "      loaded_at_field: cast(load_date as timestamp)",
        "      freshness:",
        "        warn_after: {count: 2, period: day}",
        "    tables:",
    ]
    for source in (s for s in SOURCES if s.family == family):
        lines += [
            f"      - name: {source.table}",
            "        description: >",
            folded(_table_description(source), 10),
            "        config:",
            "          meta:",
            "            dagster:",
            f'              asset_key: ["raw", "{family}", "{source.table}"]',
        ]
        if source.exports_only_changes:
            lines += [
                "          # Exports arrive only on days with changes: a quiet week is no"
                " staleness.",
                "          freshness: null",
            ]
        lines.append("        columns:")
        for column in source.columns:
            required = " Required." if column.required else ""
            text = f"{column.description} Raw text; contract type: {column.type}.{required}"
            lines += [
                f"          - name: {column.name}",
                f"            description: {quoted(text)}",
            ]
            if column.pii:
                lines += ["            config:", "              meta: {sensitive: true}"]
            if column.required:
                lines += _warn_test("not_blank")
        lineage = (
            (
                "_source_file",
                f"Landing file the row was read from, e.g. {source.table}_2026-03-01.csv.",
            ),
            ("_row_number", "1-based data row within the landing file (header excluded)."),
            (
                "load_date",
                "Export day of the landing file, China time (hive partition of the raw file).",
            ),
        )
        for name, text in lineage:
            # Written by the loader on every row: a missing one is a bug, so it fails the build.
            lines += [f"          - name: {name}", f"            description: {text}"]
            lines += ["            data_tests:", "              - not_null"]
    return "\n".join(lines) + "\n"
