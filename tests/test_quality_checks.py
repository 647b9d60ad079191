"""GX suites turn into asset-check results with the right outcome, severity and counts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetCheckSeverity

from dagster_project.defs.quality.checks import check_result
from dagster_project.lib.gx_validation import EXPECTATIONS_DIR, load_suite_json, validate_dataframe


@pytest.fixture
def suite_dir(tmp_path: Path) -> Path:
    suite = {
        "name": "orders_fixture",
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "order_id"},
                "meta": {"severity": "error"},
            },
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "amount", "min_value": 0},
                "meta": {"severity": "warn"},
            },
        ],
    }
    (tmp_path / "orders_fixture.json").write_text(json.dumps(suite))
    return tmp_path


def test_clean_frame_passes_every_expectation(suite_dir: Path) -> None:
    clean = pd.DataFrame({"order_id": ["a", "b", "c"], "amount": [1.0, 2.0, 0.0]})
    result = check_result(validate_dataframe(clean, "orders_fixture", suite_dir))
    assert result.passed
    assert result.metadata["unexpected_count"].value == 0
    assert result.metadata["rows_validated"].value == 3


def test_negative_amount_only_warns_and_counts_the_bad_rows(suite_dir: Path) -> None:
    dirty = pd.DataFrame({"order_id": ["a", "b", "c"], "amount": [1.0, -2.0, -3.0]})
    result = check_result(validate_dataframe(dirty, "orders_fixture", suite_dir))
    assert not result.passed
    assert result.severity == AssetCheckSeverity.WARN
    assert result.metadata["unexpected_count"].value == 2


def test_missing_order_id_is_an_error(suite_dir: Path) -> None:
    dirty = pd.DataFrame({"order_id": ["a", None, "c"], "amount": [1.0, 2.0, 3.0]})
    result = check_result(validate_dataframe(dirty, "orders_fixture", suite_dir))
    assert not result.passed
    assert result.severity == AssetCheckSeverity.ERROR
    assert result.metadata["failed_expectations"].value == 1


def test_unknown_severity_is_rejected_with_the_suite_name(tmp_path: Path) -> None:
    suite = {"name": "s", "expectations": [{"type": "x", "kwargs": {}, "meta": {"severity": "hi"}}]}
    (tmp_path / "s.json").write_text(json.dumps(suite))
    with pytest.raises(ValueError, match="suite 's'"):
        load_suite_json("s", tmp_path)


def test_every_committed_suite_is_valid_json_with_known_severities() -> None:
    for path in EXPECTATIONS_DIR.glob("*.json"):
        suite = load_suite_json(path.stem)
        assert suite["name"] == path.stem
        assert suite["expectations"]
