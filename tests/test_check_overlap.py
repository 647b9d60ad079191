"""One check system per rule: no Great Expectations suite restates a dbt test.

dbt tests own structure (keys, not-null, accepted values, relationships, row expressions); the
suites in ``expectations/`` own what dbt does not express well (volume, column sets, share of
missing values, distributions). This test reads the dbt manifest and every suite and fails on an
expectation that says what a dbt test already says about the same column of the same relation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from dagster_project.lib.base_models import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "target" / "manifest.json"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
# A row-expression test restates a range check when it compares the column with a bound.
_COMPARISON = r"(?:>=|<=|<>|!=|=|>|<|\bbetween\b)"


@dataclass(frozen=True)
class DbtTest:
    relation: str
    kind: str
    columns: frozenset[str]
    expression: str = ""


def _relation_of(test: dict[str, Any], manifest: dict[str, Any]) -> str | None:
    attached = test.get("attached_node")
    if attached:
        return manifest["nodes"][attached]["name"]
    sources = [node for node in test["depends_on"]["nodes"] if node.startswith("source.")]
    if len(sources) == 1:
        source = manifest["sources"][sources[0]]
        return f"{source['source_name']}.{source['name']}"
    return None


def dbt_tests(manifest: dict[str, Any]) -> list[DbtTest]:
    tests = []
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata")
        relation = _relation_of(node, manifest) if metadata else None
        if relation is None:
            continue
        kwargs = metadata["kwargs"]
        columns = kwargs.get("columns") or (
            [node["column_name"]] if node.get("column_name") else []
        )
        tests.append(
            DbtTest(
                relation=relation,
                kind=metadata["name"],
                columns=frozenset(columns),
                expression=str(kwargs.get("expression", "")),
            )
        )
    return tests


def _suite_relation(suite_name: str) -> str:
    """``raw.shop.orders`` checks the source shop.orders; ``marts.x`` and ``staging.x`` model x."""
    layer, _, rest = suite_name.partition(".")
    return rest if layer == "raw" else rest.split(".")[-1]


def _mentions(expression: str, column: str) -> bool:
    return re.search(rf"\b{re.escape(column)}\b\s*{_COMPARISON}", expression) is not None


def restated_by(expectation: dict[str, Any], tests: list[DbtTest]) -> DbtTest | None:
    """The dbt test that already says what ``expectation`` says, if any."""
    kind, kwargs = expectation["type"], expectation.get("kwargs", {})
    if "mostly" in kwargs:
        return None  # a share of rows is a statistical expectation, not a structural rule
    column = kwargs.get("column")
    same_column = [test for test in tests if column and test.columns == frozenset([column])]
    candidates: list[DbtTest] = []
    if kind == "expect_column_values_to_not_be_null":
        candidates = [t for t in same_column if t.kind in ("not_null", "not_blank")]
    elif kind == "expect_column_values_to_be_unique":
        candidates = [t for t in same_column if t.kind == "unique"]
    elif kind == "expect_column_values_to_be_in_set":
        candidates = [t for t in same_column if t.kind == "accepted_values"]
    elif kind == "expect_compound_columns_to_be_unique":
        wanted = frozenset(kwargs.get("column_list", []))
        candidates = [
            t for t in tests if t.kind == "column_combination_is_unique" and t.columns == wanted
        ]
    elif kind == "expect_column_values_to_be_between" and column:
        candidates = [t for t in same_column if t.kind == "accepted_values"] + [
            t for t in tests if t.kind == "every_row_satisfies" and _mentions(t.expression, column)
        ]
    return candidates[0] if candidates else None


def suites() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(EXPECTATIONS_DIR.glob("*.json")):
        yield path.stem, json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    if not MANIFEST.exists():
        pytest.fail(f"{MANIFEST} is missing: run make dbt-parse first")
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def test_no_expectation_restates_a_dbt_test_on_the_same_column(manifest: dict[str, Any]) -> None:
    tests = dbt_tests(manifest)
    restated = []
    for name, suite in suites():
        relation = _suite_relation(name)
        on_relation = [test for test in tests if test.relation == relation]
        for expectation in suite["expectations"]:
            test = restated_by(expectation, on_relation)
            if test is not None:
                column = expectation["kwargs"].get("column") or expectation["kwargs"].get(
                    "column_list"
                )
                restated.append(f"{name}: {expectation['type']} {column} = dbt {test.kind}")
    assert not restated, "expectations restating dbt tests:\n" + "\n".join(restated)


def test_the_overlap_finder_recognises_each_kind_of_restatement() -> None:
    tests = [
        DbtTest("x", "not_null", frozenset(["a"])),
        DbtTest("x", "unique", frozenset(["a"])),
        DbtTest("x", "accepted_values", frozenset(["s"])),
        DbtTest("x", "column_combination_is_unique", frozenset(["a", "b"])),
        DbtTest("x", "every_row_satisfies", frozenset(), "score between 1 and 5 and n >= 0"),
    ]

    def finds(kind: str, **kwargs: Any) -> bool:
        return restated_by({"type": kind, "kwargs": kwargs}, tests) is not None

    assert finds("expect_column_values_to_not_be_null", column="a")
    assert finds("expect_column_values_to_be_unique", column="a")
    assert finds("expect_column_values_to_be_in_set", column="s", value_set=["p"])
    assert finds("expect_compound_columns_to_be_unique", column_list=["b", "a"])
    assert finds("expect_column_values_to_be_between", column="score", min_value=1)
    assert finds("expect_column_values_to_be_between", column="n", min_value=0)
    # Not restatements: another column, a share of rows, a volume expectation.
    assert not finds("expect_column_values_to_not_be_null", column="b")
    assert not finds("expect_column_values_to_not_be_null", column="a", mostly=0.99)
    assert not finds("expect_column_values_to_be_between", column="nscore", min_value=0)
    assert not finds("expect_table_row_count_to_be_between", min_value=1)
