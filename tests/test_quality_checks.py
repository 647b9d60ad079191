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


def _toy_manifest() -> dict:
    """Ads reports feed the ad mart; the funnel reads it and the orders; RFM reads the orders."""
    sources = {
        f"source.p.{family}.{table}": {
            "resource_type": "source",
            "source_name": family,
            "name": table,
        }
        for family, table in [
            ("ads", "tencent_ads_daily"),
            ("shop", "orders"),
            ("shop", "stores"),
            ("models", "clv_predictions"),
        ]
    }
    parent_map = {
        "model.p.ad_mart": ["source.p.ads.tencent_ads_daily"],
        "model.p.orders_mart": ["source.p.shop.orders"],
        "model.p.funnel": ["model.p.ad_mart", "model.p.orders_mart"],
        "model.p.dim": ["model.p.orders_mart", "source.p.shop.stores"],
        "model.p.predictions": ["source.p.models.clv_predictions", "model.p.orders_mart"],
    }
    return {"sources": sources, "parent_map": parent_map}


def test_the_landing_sources_of_a_table_come_from_the_lineage_through_its_parents() -> None:
    from dagster_project.lib.source_lineage import emptiness_groups, upstream_landing_sources

    manifest = _toy_manifest()
    assert upstream_landing_sources(manifest, "model.p.funnel") == {
        "ads__tencent_ads_daily",
        "shop__orders",
    }
    # The model outputs are no landing source: the predictions depend on the orders only.
    assert upstream_landing_sources(manifest, "model.p.predictions") == {"shop__orders"}
    assert emptiness_groups(manifest, "model.p.funnel") == (
        frozenset({"ads__tencent_ads_daily", "shop__orders"}),
        frozenset({"ads__tencent_ads_daily"}),
        frozenset({"shop__orders"}),
    )
    assert emptiness_groups(manifest, "source.p.shop.stores") == (frozenset({"shop__stores"}),)


def test_only_empty_optional_sources_explain_an_empty_table() -> None:
    from dagster_project.lib.source_lineage import emptiness_groups, missing_sources_explaining

    manifest = _toy_manifest()
    funnel = emptiness_groups(manifest, "model.p.funnel")
    assert missing_sources_explaining(funnel, {"ads__tencent_ads_daily"}) == {
        "ads__tencent_ads_daily"
    }
    assert missing_sources_explaining(funnel, set()) is None
    # The orders are never_empty in the contract: without them a table is an error, not a gap.
    orders_mart = emptiness_groups(manifest, "model.p.orders_mart")
    assert missing_sources_explaining(orders_mart, {"shop__orders"}) is None
    # Exchange rates convert the ad reports' spend; their rows do not make the report non-empty.
    converted_reports = [frozenset({"ads__tencent_ads_daily", "shop__fx_rates"})]
    assert missing_sources_explaining(converted_reports, {"ads__tencent_ads_daily"}) == {
        "ads__tencent_ads_daily"
    }
    assert missing_sources_explaining([frozenset({"shop__fx_rates"})], {"shop__fx_rates"}) is None


def test_the_ad_marts_depend_on_the_ad_reports_in_the_real_manifest() -> None:
    from dagster_project.defs.quality.checks import emptiness_by_asset_key
    from dagster_project.resources import dbt_project

    manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
    lineage = emptiness_by_asset_key(manifest)
    reports = {
        "ads__baidu_campaign_daily",
        "ads__ocean_engine_campaign_daily",
        "ads__tencent_ads_daily",
    }
    # The reports' spend is converted with the exchange rates, a lookup source.
    converted = frozenset({*reports, "shop__fx_rates"})
    assert lineage[AssetKey(["marts", "fct_ad_performance_daily"])] == (converted,)
    assert converted in lineage[AssetKey(["marts", "fct_funnel_daily"])]
    assert "shop__orders" in frozenset().union(*lineage[AssetKey(["marts", "customer_rfm"])])
    assert lineage[AssetKey(["raw", "shop", "orders"])] == (frozenset({"shop__orders"}),)


def _empty_table_outcome(raw_root: Path, raw_rows: int) -> tuple[object, str]:
    import pyarrow as pa

    from dagster_project.defs.quality.checks import explain_empty_table
    from dagster_project.lib.contract import SOURCES_BY_NAME
    from dagster_project.lib.landing_files import raw_schema, write_parquet_atomically

    source = SOURCES_BY_NAME["ads__tencent_ads_daily"]
    schema = raw_schema(source)
    rows = {field.name: [None] * raw_rows for field in schema}
    write_parquet_atomically(
        pa.table(rows, schema=schema),
        raw_root / "ads" / "tencent_ads_daily" / "load_date=2026-10-01" / "tencent.parquet",
    )
    suite = {
        "name": "empty_mart",
        "expectations": [
            {
                "type": "expect_table_row_count_to_be_between",
                "kwargs": {"min_value": 1},
                "meta": {"severity": "error"},
            }
        ],
    }
    suite_dir = raw_root.parent / "suites"
    suite_dir.mkdir()
    (suite_dir / "empty_mart.json").write_text(json.dumps(suite))
    outcome = validate_dataframe(pd.DataFrame({"clicks": []}), "empty_mart", suite_dir)
    return explain_empty_table(outcome, (frozenset({"ads__tencent_ads_daily"}),), raw_root)


def test_an_empty_table_whose_sources_are_empty_is_a_warning_that_names_them(
    tmp_path: Path,
) -> None:
    outcome, reason = _empty_table_outcome(tmp_path / "raw", raw_rows=0)
    assert not outcome.success
    assert not outcome.has_error_failure
    assert "ads__tencent_ads_daily" in reason
    result = check_result(outcome, reason)
    assert result.severity == AssetCheckSeverity.WARN
    assert result.metadata["empty_because"].value == reason


def test_an_empty_table_whose_sources_have_rows_stays_an_error(tmp_path: Path) -> None:
    outcome, reason = _empty_table_outcome(tmp_path / "raw", raw_rows=2)
    assert outcome.has_error_failure
    assert reason == ""
    assert check_result(outcome, reason).severity == AssetCheckSeverity.ERROR
