"""The Dagster code location loads and shows every dbt model, raw source and suite."""

from __future__ import annotations

import json

from dagster import AssetKey, Definitions

from dagster_project.definitions import defs
from dagster_project.defs.quality.checks import asset_key_for_suite, suite_names
from dagster_project.lib.contract import SOURCES
from dagster_project.resources import dbt_project


def _manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text())


def _asset_keys() -> set[AssetKey]:
    return set(defs.resolve_asset_graph().get_all_asset_keys())


def test_definitions_load_without_error() -> None:
    Definitions.validate_loadable(defs)


def test_every_dbt_model_is_an_asset_keyed_by_layer() -> None:
    keys = _asset_keys()
    models = [node for node in _manifest()["nodes"].values() if node["resource_type"] == "model"]
    assert len(models) >= 20
    for model in models:
        assert AssetKey([model["fqn"][1], model["name"]]) in keys, model["name"]


def test_every_landing_source_has_a_raw_asset_that_dbt_sources_depend_on() -> None:
    keys = _asset_keys()
    for source in SOURCES:
        assert AssetKey(["raw", source.family, source.table]) in keys
    dbt_sources = _manifest()["sources"].values()
    declared = {tuple(source["meta"]["dagster"]["asset_key"]) for source in dbt_sources}
    raw_declared = {key for key in declared if key[0] == "raw"}
    assert raw_declared == {("raw", source.family, source.table) for source in SOURCES}


def test_fitted_model_outputs_read_by_dbt_are_produced_by_model_assets() -> None:
    keys = _asset_keys()
    dbt_sources = _manifest()["sources"].values()
    model_outputs = [
        AssetKey(source["meta"]["dagster"]["asset_key"])
        for source in dbt_sources
        if source["source_name"] == "models"
    ]
    assert model_outputs
    for key in model_outputs:
        assert key in keys, key


def test_foundation_marts_are_assets() -> None:
    keys = _asset_keys()
    for mart in ("dim_customers", "fct_orders", "customer_rfm", "cohort_retention", "customer_ltv"):
        assert AssetKey(["marts", mart]) in keys


def test_every_expectation_suite_checks_an_existing_asset() -> None:
    keys = _asset_keys()
    names = suite_names()
    assert any(name.startswith("raw.") for name in names)
    assert any(name.startswith("marts.") for name in names)
    for name in names:
        assert asset_key_for_suite(name) in keys, name


def test_nightly_schedule_runs_at_two_in_shanghai() -> None:
    schedule = defs.resolve_schedule_def("nightly_warehouse_0200_shanghai")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
