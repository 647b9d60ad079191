"""The dbt-score layer conventions (dbt_rules/conventions.py) on tiny hand-written manifests.

Each violating model is added to a small compliant project and must be flagged by exactly the
rule it breaks, so a rule that silently stops matching (or starts matching too much) fails here.
The manifests are loaded with dbt-score's own ManifestLoader, which fills in the parents the
lineage rules read, the same way `dbt-score lint` does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from dbt_score import Model, Rule, RuleViolation
from dbt_score.config import Config
from dbt_score.lint import lint_dbt_project
from dbt_score.models import ManifestLoader
from dbt_score.rule import RuleConfig

from dbt_rules import conventions

REPO = Path(__file__).resolve().parents[1]
PROJECT = "cvw"

CUSTOM_RULES: list[type[Rule]] = [
    conventions.model_in_a_layer,
    conventions.staging_model_name,
    conventions.quarantine_model_name,
    conventions.intermediate_model_name,
    conventions.mart_model_name,
    conventions.base_model_reads_only_sources,
    conventions.stg_model_reads_only_its_base,
    conventions.quarantine_model_reads_only_base,
    conventions.intermediate_model_reads_no_mart,
    conventions.mart_reads_no_raw_input,
]


def _column(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "description": description, "meta": {}, "constraints": [], "tags": []}


def _model(
    name: str,
    path: str,
    parents: list[str],
    description: str = "A documented model.",
    columns: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A model node; parents are unique_id tails such as ``model.x`` or ``source.shop.orders``."""
    return {
        "resource_type": "model",
        "unique_id": f"model.{PROJECT}.{name}",
        "name": name,
        "description": description,
        "original_file_path": path,
        "config": {"materialized": "table"},
        "meta": {},
        "columns": {
            column: _column(column, text) for column, text in (columns or {"id": "Key."}).items()
        },
        "package_name": PROJECT,
        "database": "warehouse",
        "schema": "main",
        "raw_code": "select 1 as id",
        "language": "sql",
        "access": "protected",
        "alias": name,
        "tags": [],
        "depends_on": {"macros": [], "nodes": [_unique_id(parent) for parent in parents]},
        "constraints": [],
    }


def _unique_id(tail: str) -> str:
    kind, rest = tail.split(".", 1)
    return f"{kind}.{PROJECT}.{rest}"


def _source(source_name: str, table: str, path: str) -> dict[str, Any]:
    return {
        "resource_type": "source",
        "unique_id": f"source.{PROJECT}.{source_name}.{table}",
        "name": table,
        "description": "A documented source table.",
        "source_name": source_name,
        "source_description": "A documented source.",
        "original_file_path": path,
        "config": {},
        "meta": {},
        "columns": {},
        "package_name": PROJECT,
        "database": "warehouse",
        "schema": source_name,
        "identifier": table,
        "loader": "",
        "tags": [],
    }


def _seed(name: str) -> dict[str, Any]:
    return {
        "resource_type": "seed",
        "unique_id": f"seed.{PROJECT}.{name}",
        "name": name,
        "description": "A documented seed.",
        "original_file_path": f"seeds/{name}.csv",
        "config": {},
        "meta": {},
        "columns": {},
        "package_name": PROJECT,
        "database": "warehouse",
        "schema": "reference",
        "alias": name,
        "tags": [],
    }


STAGING = "dbt_models/staging/shop"

# A small project that keeps every convention, shaped like the real one: a raw source and a
# seed, the base / stg / quarantine trio, intermediate models and marts, one of them reading
# back the model-fitting assets' `models` source.
SOURCES = [
    _source("shop", "orders", f"{STAGING}/_shop__sources.yml"),
    _source("models", "clv_predictions", "dbt_models/marts/predictions/_models__sources.yml"),
]
COMPLIANT_MODELS = [
    _model(
        "base_shop__orders",
        f"{STAGING}/base_shop__orders.sql",
        ["source.shop.orders", "seed.platform_aliases"],
    ),
    _model("stg_shop__orders", f"{STAGING}/stg_shop__orders.sql", ["model.base_shop__orders"]),
    _model(
        "quarantine_shop__orders",
        "dbt_models/quarantine/quarantine_shop__orders.sql",
        ["model.base_shop__orders"],
    ),
    _model(
        "int_orders_enriched",
        "dbt_models/intermediate/orders/int_orders_enriched.sql",
        ["model.stg_shop__orders"],
    ),
    _model(
        "int_as_of_date",
        "dbt_models/intermediate/orders/int_as_of_date.sql",
        ["model.int_orders_enriched"],
    ),
    _model(
        "fct_orders",
        "dbt_models/marts/core/fct_orders.sql",
        ["model.int_orders_enriched", "model.stg_shop__orders"],
    ),
    _model(
        "customer_clv_predictions",
        "dbt_models/marts/predictions/customer_clv_predictions.sql",
        ["source.models.clv_predictions", "model.int_as_of_date"],
    ),
]


def _load(tmp_path: Path, extra_models: list[dict[str, Any]]) -> Path:
    nodes = {node["unique_id"]: node for node in [*COMPLIANT_MODELS, *extra_models]}
    nodes[f"seed.{PROJECT}.platform_aliases"] = _seed("platform_aliases")
    manifest = {
        "metadata": {"project_name": PROJECT},
        "nodes": nodes,
        "sources": {source["unique_id"]: source for source in SOURCES},
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return path


def _models(tmp_path: Path, extra_models: list[dict[str, Any]]) -> dict[str, Model]:
    loader = ManifestLoader(_load(tmp_path, extra_models))
    return {model.name: model for model in loader.models.values()}


def _failing_custom_rules(model: Model) -> dict[str, RuleViolation]:
    results = {rule.__name__: rule().evaluate(model) for rule in CUSTOM_RULES}
    return {name: result for name, result in results.items() if result is not None}


def test_compliant_project_passes_every_convention(tmp_path: Path) -> None:
    models = _models(tmp_path, [])
    assert set(models) == {node["name"] for node in COMPLIANT_MODELS}
    for model in models.values():
        assert _failing_custom_rules(model) == {}, model.name


VIOLATIONS = [
    ("model_in_a_layer", _model("orders_copy", "dbt_models/misc/orders_copy.sql", [])),
    (
        "staging_model_name",
        _model("orders_clean", f"{STAGING}/orders_clean.sql", ["source.shop.orders"]),
    ),
    (
        "staging_model_name",
        _model("base_shop_orders", f"{STAGING}/base_shop_orders.sql", ["source.shop.orders"]),
    ),
    (
        # The family in the name must be the staging sub-folder.
        "staging_model_name",
        _model("base_ads__orders", f"{STAGING}/base_ads__orders.sql", ["source.shop.orders"]),
    ),
    (
        "quarantine_model_name",
        _model(
            "orders_rejected",
            "dbt_models/quarantine/orders_rejected.sql",
            ["model.base_shop__orders"],
        ),
    ),
    (
        "intermediate_model_name",
        _model(
            "orders_enriched",
            "dbt_models/intermediate/orders/orders_enriched.sql",
            ["model.stg_shop__orders"],
        ),
    ),
    (
        "mart_model_name",
        _model("int_order_report", "dbt_models/marts/core/int_order_report.sql", []),
    ),
    (
        "mart_model_name",
        _model("stg_orders_export", "dbt_models/marts/core/stg_orders_export.sql", []),
    ),
    (
        "base_model_reads_only_sources",
        _model(
            "base_shop__members",
            f"{STAGING}/base_shop__members.sql",
            ["model.stg_shop__orders"],
        ),
    ),
    (
        # Another table's base model.
        "stg_model_reads_only_its_base",
        _model(
            "stg_shop__refunds", f"{STAGING}/stg_shop__refunds.sql", ["model.base_shop__orders"]
        ),
    ),
    (
        # Its own base model and more.
        "stg_model_reads_only_its_base",
        _model(
            "stg_shop__orders_v2",
            f"{STAGING}/stg_shop__orders_v2.sql",
            ["model.base_shop__orders_v2", "model.int_as_of_date"],
        ),
    ),
    (
        # The source, skipping the base model.
        "stg_model_reads_only_its_base",
        _model("stg_shop__payments", f"{STAGING}/stg_shop__payments.sql", ["source.shop.orders"]),
    ),
    (
        "quarantine_model_reads_only_base",
        _model(
            "quarantine_shop__refunds",
            "dbt_models/quarantine/quarantine_shop__refunds.sql",
            ["model.stg_shop__orders"],
        ),
    ),
    (
        "quarantine_model_reads_only_base",
        _model(
            "quarantine_shop__payments",
            "dbt_models/quarantine/quarantine_shop__payments.sql",
            ["source.shop.orders"],
        ),
    ),
    (
        "intermediate_model_reads_no_mart",
        _model(
            "int_orders_scored",
            "dbt_models/intermediate/orders/int_orders_scored.sql",
            ["model.int_orders_enriched", "model.fct_orders"],
        ),
    ),
    (
        "mart_reads_no_raw_input",
        _model("orders_daily", "dbt_models/marts/core/orders_daily.sql", ["source.shop.orders"]),
    ),
    (
        "mart_reads_no_raw_input",
        _model(
            "orders_weekly",
            "dbt_models/marts/core/orders_weekly.sql",
            ["model.base_shop__orders", "model.int_orders_enriched"],
        ),
    ),
]


@pytest.mark.parametrize(
    ("rule_name", "node"),
    VIOLATIONS,
    ids=[f"{rule_name}-{node['name']}" for rule_name, node in VIOLATIONS],
)
def test_each_violation_is_flagged_by_its_rule_alone(
    tmp_path: Path, rule_name: str, node: dict[str, Any]
) -> None:
    extra = [node]
    if node["name"] == "stg_shop__orders_v2":
        # Its own base model exists, so only the extra parent is wrong.
        extra.append(
            _model(
                "base_shop__orders_v2",
                f"{STAGING}/base_shop__orders_v2.sql",
                ["source.shop.orders"],
            )
        )
    model = _models(tmp_path, extra)[node["name"]]
    failing = _failing_custom_rules(model)
    assert set(failing) == {rule_name}
    assert failing[rule_name].message and node["name"] in failing[rule_name].message


def test_every_custom_rule_has_a_failing_case() -> None:
    defined = {
        name
        for name, value in vars(conventions).items()
        if isinstance(value, type) and issubclass(value, Rule) and value is not Rule
    }
    assert {rule.__name__ for rule in CUSTOM_RULES} == defined
    assert defined == {name for name, _ in VIOLATIONS}


def test_model_output_sources_is_the_only_source_a_mart_may_read(tmp_path: Path) -> None:
    mart = _models(tmp_path, [])["customer_clv_predictions"]
    rule = conventions.mart_reads_no_raw_input
    configured = rule(RuleConfig(config={"model_output_sources": []}))
    assert configured.evaluate(mart, **configured.config) is not None
    assert rule().evaluate(mart) is None


def _project_config(monkeypatch: pytest.MonkeyPatch) -> Config:
    # dbt-score reads pyproject.toml from the working directory and imports dbt_rules from it.
    monkeypatch.chdir(REPO)
    config = Config()
    config.load()
    return config


def test_project_config_runs_the_conventions_and_documentation_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = _project_config(monkeypatch)
    assert "dbt_rules" in config.rule_namespaces
    assert config.fail_any_item_under == 10.0
    assert config.fail_project_under == 10.0
    for name in ("has_description", "columns_have_description"):
        assert f"dbt_score.rules.generic.{name}" not in config.disabled_rules


@pytest.mark.parametrize(
    ("model", "rule_names"),
    [
        (
            _model("int_undocumented", "dbt_models/intermediate/int_undocumented.sql", [], ""),
            {"dbt_score.rules.generic.has_description"},
        ),
        (
            _model(
                "int_half_documented",
                "dbt_models/intermediate/int_half_documented.sql",
                [],
                columns={"id": "Key.", "amount": ""},
            ),
            {"dbt_score.rules.generic.columns_have_description"},
        ),
        (
            _model("orders_raw", "dbt_models/marts/core/orders_raw.sql", ["source.shop.orders"]),
            {"dbt_rules.conventions.mart_reads_no_raw_input"},
        ),
    ],
    ids=["model-description", "column-description", "custom-rule"],
)
def test_project_config_fails_on_one_violation(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    model: dict[str, Any],
    rule_names: set[str],
) -> None:
    config = _project_config(monkeypatch)
    evaluation = lint_dbt_project(_load(tmp_path, [model]), config, format="json")
    report = json.loads(capsys.readouterr().out)
    items = report["evaluables"]
    failing = {
        name
        for name, result in items[model["unique_id"]]["results"].items()
        if result["result"] != "OK"
    }
    assert failing == rule_names
    # The thresholds turn a single medium-severity violation into a failed lint.
    assert not items[model["unique_id"]]["pass"]
    assert all(item["pass"] for unique_id, item in items.items() if unique_id != model["unique_id"])
    assert min(score.value for score in evaluation.scores.values()) < config.fail_any_item_under


def test_project_config_passes_the_compliant_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _project_config(monkeypatch)
    evaluation = lint_dbt_project(_load(tmp_path, []), config, format="json")
    capsys.readouterr()
    assert all(score.value >= config.fail_any_item_under for score in evaluation.scores.values())
    assert evaluation.project_score.value >= config.fail_project_under


def _converting_stg(meta: dict[str, Any], parents: list[str]) -> dict[str, Any]:
    node = _model("stg_shop__order_items", f"{STAGING}/stg_shop__order_items.sql", parents)
    return {**node, "meta": meta, "config": {**node["config"], "meta": meta}}


def _rates_and_items_bases() -> list[dict[str, Any]]:
    return [
        _model(f"base_shop__{table}", f"{STAGING}/base_shop__{table}.sql", [f"source.shop.{table}"])
        for table in ("fx_rates", "order_items")
    ]


def test_a_converting_stg_model_may_read_the_base_models_its_yml_lists(tmp_path: Path) -> None:
    """The generated currency conversion joins the rates and the order headers, declared in meta."""
    parents = [
        "model.base_shop__order_items",
        "model.base_shop__fx_rates",
        "model.base_shop__orders",
    ]
    meta = {"converts_currency_with": ["base_shop__fx_rates", "base_shop__orders"]}
    extra = [_converting_stg(meta, parents), *_rates_and_items_bases()]
    model = _models(tmp_path, extra)["stg_shop__order_items"]
    assert _failing_custom_rules(model) == {}


def test_a_stg_model_reading_a_base_model_its_yml_does_not_list_is_flagged(tmp_path: Path) -> None:
    parents = [
        "model.base_shop__order_items",
        "model.base_shop__fx_rates",
        "model.base_shop__orders",
    ]
    meta = {"converts_currency_with": ["base_shop__fx_rates"]}
    extra = [_converting_stg(meta, parents), *_rates_and_items_bases()]
    model = _models(tmp_path, extra)["stg_shop__order_items"]
    failing = _failing_custom_rules(model)
    assert set(failing) == {"stg_model_reads_only_its_base"}
    assert "base_shop__orders" in failing["stg_model_reads_only_its_base"].message
