"""Files rendered from the contract and the base models never drift from their owners."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dagster_project.lib.base_models import PROJECT_ROOT, load_base_models
from dagster_project.lib.contract import SOURCES
from dagster_project.lib.generation import every_generated_file
from dagster_project.lib.quality_docs import DATA_QUALITY_DOC, render_data_quality_doc

ADDING_A_SOURCE = PROJECT_ROOT / "docs" / "adding_a_source.md"


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = text.find("\n## ", start + len(heading))
    return text[start : following if following > 0 else len(text)]


def _listed_paths(section: str) -> list[str]:
    """The path each item of a doc list names first, with <family> and <table> as wildcards."""
    return re.findall(r"^(?:\d+\.|-) `([^`]+)`", section, flags=re.MULTILINE)


def _as_pattern(listed: str) -> re.Pattern[str]:
    escaped = re.escape(listed).replace("<family>", "[a-z]+").replace("<table>", "[a-z_]+")
    return re.compile(escaped + r"(?:, section .*)?$")


# Rendered once for the whole module: each file's case looks its content up here.
GENERATED = every_generated_file()


@pytest.mark.parametrize(
    "path", sorted(GENERATED), ids=lambda path: str(path.relative_to(PROJECT_ROOT))
)
def test_each_generated_dbt_file_equals_its_rendering(path: Path) -> None:
    assert path.exists(), f"{path.relative_to(PROJECT_ROOT)} is missing: run make generate"
    assert path.read_text(encoding="utf-8") == GENERATED[path], (
        f"{path.relative_to(PROJECT_ROOT)} is out of date: run make generate"
    )


def test_the_per_source_section_of_the_quality_doc_equals_its_rendering() -> None:
    assert DATA_QUALITY_DOC.read_text(encoding="utf-8") == render_data_quality_doc(), (
        "docs/data_quality.md is out of date: run make generate"
    )


def test_a_new_source_needs_at_most_four_hand_written_files() -> None:
    text = ADDING_A_SOURCE.read_text(encoding="utf-8")
    hand_written = _listed_paths(_section(text, "## Files you write"))
    assert 1 <= len(hand_written) <= 4, hand_written
    generated = [
        _as_pattern(item) for item in _listed_paths(_section(text, "## Files `make generate`"))
    ]
    written = {str(path.relative_to(PROJECT_ROOT)) for path in GENERATED}
    unlisted = sorted(path for path in written if not any(p.match(path) for p in generated))
    assert not unlisted, f"docs/adding_a_source.md does not list the generated files {unlisted}"


def test_every_contract_source_has_a_base_model_with_a_last_duplicate_rule() -> None:
    models = {
        model.source_name: model
        for family in {source.family for source in SOURCES}
        for model in load_base_models(family)
    }
    assert set(models) == {source.name for source in SOURCES}
    for source in SOURCES:
        rules = models[source.name].quarantine_rules
        kinds = [
            next(key for key in ("blank", "when", "duplicate_of", "fx_rate") if key in rule)
            for rule in rules
        ]
        # The exchange-rate rule needs another source, so it follows the base model's own rules.
        if kinds[-1] == "fx_rate":
            kinds, rules = kinds[:-1], rules[:-1]
        assert kinds[-1] == "duplicate_of" and kinds.count("duplicate_of") == 1, source.name
        assert "fx_rate" not in kinds, f"{source.name}: the fx_rate rule must come last"
        assert list(rules[-1]["duplicate_of"]) == list(source.primary_key), source.name
        rules = models[source.name].quarantine_rules
        reasons = [rule["reason"] for rule in rules]
        assert len(reasons) == len(set(reasons)), f"{source.name}: a reason is declared twice"
        assert all(rule.get("means") for rule in rules), f"{source.name}: a rule lacks `means`"


def test_converted_amounts_and_currency_columns_are_columns_of_their_base_model() -> None:
    """An fx_rate rule names documented columns; rate_of names a model converted on its own day."""
    models = {
        model.name: model
        for family in {source.family for source in SOURCES}
        for model in load_base_models(family)
    }
    converted = {name: model for name, model in models.items() if model.fx_rule is not None}
    assert set(converted) == {
        f"base_{name}"
        for name in (
            "shop__orders",
            "shop__order_items",
            "shop__payments",
            "shop__refunds",
            "ads__ocean_engine_campaign_daily",
            "ads__tencent_ads_daily",
            "ads__baidu_campaign_daily",
        )
    }
    for name, model in converted.items():
        spec = model.fx_rule["fx_rate"]
        columns = {column["name"] for column in model.columns}
        assert set(spec["amounts"]) <= columns, name
        if "rate_of" in spec:
            parent = models[spec["rate_of"]]
            assert "rate_of" not in parent.fx_rule["fx_rate"], name
            assert spec["key"] in columns and spec["key"] in {c["name"] for c in parent.columns}
        else:
            assert {spec["currency"], spec["day"]} <= columns, name
