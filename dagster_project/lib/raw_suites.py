"""The raw layer's Great Expectations suites, rendered from the landing contract.

A raw table holds a landing file's rows as text, so what can be expected of it follows from the
contract alone: its columns, one row per landing row, and required values that are nearly always
there. What dbt tests already check (lineage not null) is not repeated here; these are the
volume and share-of-rows expectations GX is for.
"""

from __future__ import annotations

import json
from pathlib import Path

from dagster_project.lib.base_models import PROJECT_ROOT
from dagster_project.lib.contract import SOURCES, SourceTable
from dagster_project.lib.landing_files import ROW_NUMBER_COLUMN, SOURCE_FILE_COLUMN

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
# The loader's lineage columns, and the hive partition column every raw file is read with.
LINEAGE = [SOURCE_FILE_COLUMN, ROW_NUMBER_COLUMN, "load_date"]


def _expectation(
    kind: str, kwargs: dict[str, object], severity: str, why: str
) -> dict[str, object]:
    return {"type": kind, "kwargs": kwargs, "meta": {"severity": severity, "why": why}}


def raw_suite(source: SourceTable) -> dict[str, object]:
    expectations = []
    if source.never_empty:
        expectations.append(
            _expectation(
                "expect_table_row_count_to_be_between",
                {"min_value": 1},
                "error",
                f"an empty {source.table} extract means the export failed",
            )
        )
    expectations += [
        _expectation(
            "expect_table_columns_to_match_set",
            {"column_set": [*source.column_names, *LINEAGE], "exact_match": True},
            "error",
            "the raw layer keeps the landing contract's columns plus lineage",
        ),
        _expectation(
            "expect_compound_columns_to_be_unique",
            {"column_list": [SOURCE_FILE_COLUMN, ROW_NUMBER_COLUMN]},
            "error",
            "a landing row is loaded once: re-delivered files replace, never add",
        ),
        _expectation(
            "expect_column_values_to_be_between",
            {"column": ROW_NUMBER_COLUMN, "min_value": 1},
            "error",
            "row numbers are 1-based",
        ),
    ]
    for column in source.columns:
        if column.required:
            expectations.append(
                _expectation(
                    "expect_column_values_to_not_be_null",
                    {"column": column.name, "mostly": 0.99},
                    "warn",
                    "rows missing a required value are quarantined downstream; many of them "
                    "point at a broken export",
                )
            )
        if column.expected_values:
            expectations.append(
                _expectation(
                    "expect_column_values_to_be_in_set",
                    {
                        "column": column.name,
                        "value_set": list(column.expected_values),
                        "mostly": 0.99,
                    },
                    "warn",
                    f"other {column.name} values are quarantined or warned about downstream",
                )
            )
        if column.expected_pattern:
            expectations.append(
                _expectation(
                    "expect_column_values_to_match_regex",
                    {"column": column.name, "regex": column.expected_pattern, "mostly": 0.99},
                    "warn",
                    f"{column.name} values of another form are quarantined downstream",
                )
            )
    return {"name": f"raw.{source.family}.{source.table}", "expectations": expectations}


def render_raw_suite(source: SourceTable) -> str:
    """One expectation per line, as every suite in expectations/ is written."""
    suite = raw_suite(source)
    body = ",\n".join(
        "    " + json.dumps(expectation, ensure_ascii=False)
        for expectation in suite["expectations"]
    )
    return f'{{\n  "name": "{suite["name"]}",\n  "expectations": [\n{body}\n  ]\n}}\n'


def raw_suite_files() -> dict[Path, str]:
    return {
        EXPECTATIONS_DIR / f"raw.{source.family}.{source.table}.json": render_raw_suite(source)
        for source in SOURCES
    }
