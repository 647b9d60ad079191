"""GX suites turn into asset-check results with the right outcome, severity and counts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetCheckSeverity, AssetKey

from dagster_project.defs.quality.checks import check_result, read_asset_frame
from dagster_project.lib.gx_validation import EXPECTATIONS_DIR, load_suite_json, validate_dataframe
from dagster_project.resources import WarehouseResource


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


# --- severity in a Dagster run: error blocks downstream, warn does not ----------------------------


def _toy_suite(expectations_dir: Path, severity: str) -> None:
    suite = {
        "name": "marts.toy_upstream",
        "expectations": [
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "amount", "min_value": 0},
                "meta": {"severity": severity},
            }
        ],
    }
    (expectations_dir / "marts.toy_upstream.json").write_text(json.dumps(suite))


def _run_toy_pipeline(tmp_path: Path, severity: str) -> tuple[set[str], bool]:
    """Upstream writes a table with a negative amount; return materialized assets and check."""
    import duckdb
    from dagster import AssetKey, asset, materialize

    from dagster_project.defs.quality.checks import build_suite_check
    from dagster_project.resources import WarehouseResource

    expectations_dir = tmp_path / "expectations"
    expectations_dir.mkdir()
    _toy_suite(expectations_dir, severity)
    warehouse = WarehouseResource(data_dir=str(tmp_path))

    @asset(key=AssetKey(["marts", "toy_upstream"]))
    def toy_upstream() -> None:
        with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
            connection.execute("create schema if not exists marts")
            connection.execute(
                "create or replace table marts.toy_upstream as "
                "select * from (values (1), (-5)) as amounts(amount)"
            )

    @asset(key=AssetKey(["marts", "toy_downstream"]), deps=[toy_upstream])
    def toy_downstream() -> None:
        return None

    check = build_suite_check("marts.toy_upstream", expectations_dir)
    result = materialize(
        [toy_upstream, toy_downstream, check],
        resources={"warehouse": warehouse},
        raise_on_error=False,
    )
    materialized = {event.asset_key.path[-1] for event in result.get_asset_materialization_events()}
    evaluations = result.get_asset_check_evaluations()
    return materialized, all(evaluation.passed for evaluation in evaluations)


def test_error_severity_failure_stops_the_downstream_asset(tmp_path: Path) -> None:
    materialized, check_passed = _run_toy_pipeline(tmp_path, "error")
    assert not check_passed
    assert materialized == {"toy_upstream"}


def test_warn_severity_failure_lets_the_downstream_asset_run(tmp_path: Path) -> None:
    materialized, check_passed = _run_toy_pipeline(tmp_path, "warn")
    assert not check_passed
    assert materialized == {"toy_upstream", "toy_downstream"}
    # The check also rendered the HTML report with the failed expectation.
    report = (tmp_path / "reports" / "data_quality.html").read_text(encoding="utf-8")
    assert "marts.toy_upstream" in report
    assert "expect_column_values_to_be_between" in report


@pytest.mark.parametrize(
    ("key", "row_key"),
    [
        (AssetKey(["raw", "shop", "orders"]), ["_source_file", "_row_number"]),
        (AssetKey(["marts", "fct_orders"]), ["order_id"]),
    ],
)
def test_a_table_past_the_row_limit_is_validated_on_a_sample_of_its_own_rows(
    built_warehouse: Path, key: AssetKey, row_key: list[str]
) -> None:
    warehouse = WarehouseResource(data_dir=str(built_warehouse))
    whole = read_asset_frame(warehouse, key, max_rows=10**9)
    sample = read_asset_frame(warehouse, key, max_rows=100)
    assert len(whole) > 100
    assert len(sample) == 100
    assert list(sample.columns) == list(whole.columns)
    assert not sample.duplicated(row_key).any()
    # Every sampled row is a row of the table, value for value.
    matched = sample.merge(whole, on=row_key, suffixes=("", "_whole"))
    assert len(matched) == 100
    for column in whole.columns.difference(row_key):
        # A column that is null in every sampled row comes back as object dtype: compare values.
        pd.testing.assert_series_equal(
            _values(matched[column]), _values(matched[f"{column}_whole"]), check_names=False
        )


def _values(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)
