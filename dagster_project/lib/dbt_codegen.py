"""dbt files rendered from the landing contract and the base models' yml entries.

A source is written down once: its columns in ``lib/contract.py``, its typing and cleaning in its
``base_`` model and that model's yml entry (column docs, tests and the ordered quarantine rules in
``config.meta.quarantine_rules``). Everything else a source needs in dbt follows from those and is
rendered here: the family's ``_sources.yml``, the thin ``stg_`` model of clean rows and its yml,
and the quarantine model of the other rows and its yml. ``python -m dagster_project.cli.generate``
writes the files; a test fails when a committed one differs from its rendering.
"""

from __future__ import annotations

import json
from pathlib import Path

from dagster_project.lib.base_models import (
    DECLARED_RULES_MACRO,
    GENERATED_SQL_HEADER,
    GENERATED_YML_HEADER,
    LINEAGE_COLUMNS,
    QUARANTINE_DIR,
    STAGING_DIR,
    BaseModel,
    column_entry,
    folded,
    is_sensitive,
    load_base_models,
    models_yml_path,
)
from dagster_project.lib.contract import FAMILIES, SOURCES, SourceTable
from dagster_project.lib.fx_codegen import (
    fx_model_parents,
    render_fx_clean_model_sql,
    render_fx_quarantine_model_sql,
)
from dagster_project.lib.sources_yml import render_sources_yml


def render_clean_model_sql(model: BaseModel) -> str:
    """The thin ``stg_`` model: the clean rows of its base model, without the raw copies."""
    columns = ",\n        ".join(column["name"] for column in model.clean_columns)
    return (
        GENERATED_SQL_HEADER.replace("{origin}", f"{model.name} in its yml entry")
        + f"{{#- The clean rows of {model.name}: no quarantine reason, typed columns only.\n"
        "    A view: it is a filter on a table that is already built. -#}\n"
        "\n"
        "{{ config(materialized='view') }}\n"
        "\n"
        "with\n"
        "\n"
        "base as (\n"
        f"    select * from {{{{ ref('{model.name}') }}}}\n"
        "),\n"
        "\n"
        "final as (\n"
        "    select\n"
        f"        {columns}\n"
        "    from base\n"
        "    where quarantine_reason is null\n"
        ")\n"
        "\n"
        "select * from final\n"
    )


def render_quarantine_model_sql(source: SourceTable) -> str:
    """The thin quarantine model: a base model's other rows, with the raw values as exported."""
    columns = ["quarantine_reason"]
    columns += [f"raw_{column} as {column}" for column in source.column_names]
    columns += list(LINEAGE_COLUMNS)
    column_list = ",\n        ".join(columns)
    return (
        GENERATED_SQL_HEADER.replace("{origin}", "dagster_project/lib/contract.py")
        + f"{{#- Rows of base_{source.name} that failed a cleaning rule, with the rule and\n"
        "    the raw values as exported, so the export can be fixed at the source. -#}\n"
        "\n"
        "with\n"
        "\n"
        "base as (\n"
        f"    select * from {{{{ ref('base_{source.name}') }}}}\n"
        "),\n"
        "\n"
        "final as (\n"
        "    select\n"
        f"        {column_list}\n"
        "    from base\n"
        "    where quarantine_reason is not null\n"
        ")\n"
        "\n"
        "select * from final\n"
    )


def render_clean_models_yml(family: str, models: list[BaseModel]) -> str:
    """``_<family>__stg_models.yml``: each clean model, its columns described as on its base."""
    lines = [
        GENERATED_YML_HEADER.format(origin=f"the base models of {models_yml_path(family).name}"),
        "version: 2",
        "",
        "models:",
    ]
    for model in models:
        stg = f"stg_{model.source_name}"
        text = (
            f"The clean rows of {model.name}, one per {model.source_name} record that passes "
            f"every quarantine rule, typed and deduplicated; the raw copies and the quarantine "
            f"reason stay on {model.name}, where the cleaning and the rules are documented. "
            f"Downstream models read this model and never filter on the reason."
        )
        if model.fx_rule is not None:
            text += (
                " Amounts are CNY fen, converted at the exchange rate of the row's day; rows "
                "without a usable rate are quarantined as "
                f"{model.fx_rule['reason']} (macros/staging/fx_conversion.sql)."
            )
        lines += [f"  - name: {stg}", "    description: >", folded(text, 6)]
        if model.fx_rule is not None:
            # What dbt_rules/conventions.py lets this stg_ view read besides its own base model.
            lines += [
                "    config:",
                "      meta:",
                f"        converts_currency_with: [{', '.join(fx_model_parents(model))}]",
            ]
        lines.append("    columns:")
        for column in model.stg_columns:
            lines += column_entry(
                column["name"], column.get("description", ""), is_sensitive(column)
            )
        lines.append("")
    return "\n".join(lines)


def render_quarantine_yml(models: list[BaseModel]) -> str:
    """``_quarantine__models.yml``: every quarantine model, its reasons the declared rules."""
    by_name = {source.name: source for source in SOURCES}
    lines = [
        GENERATED_YML_HEADER.format(origin="the contract and the base models' quarantine rules"),
        "version: 2",
        "",
        "models:",
    ]
    for model in models:
        source = by_name[model.source_name]
        text = (
            f"Rows of {model.name} that failed a cleaning rule, one per quarantined raw row: the "
            "rule, the raw values exactly as exported (text) and where the row came from. Fix the "
            "export and reload; the row leaves the quarantine on the next build. The rules are "
            f"declared on {model.name}."
        )
        lines += [
            f"  - name: quarantine_{source.name}",
            "    description: >",
            folded(text, 6),
            "    data_tests:",
            "      - column_combination_is_unique:",
            "          arguments:",
            "            columns: [_source_file, _row_number]",
            "      # Error severity: a build where a raw row was lost or counted twice fails.",
            "      - raw_rows_reconcile:",
            "          arguments:",
            f"            raw: source('{source.family}', '{source.table}')",
            f"            clean: ref('stg_{source.name}')",
            "    columns:",
            "      - name: quarantine_reason",
            "        description: The first cleaning rule the row fails.",
            "        data_tests:",
            "          - not_null",
            "          - accepted_values:",
            "              arguments:",
            f"                values: [{', '.join(model.reasons)}]",
        ]
        for column in source.columns:
            lines += column_entry(
                column.name,
                f"Raw {column.name} exactly as exported: {column.description}",
                column.pii,
            )
        lineage = (
            ("_source_file", "\"{{ doc('source_file') }}\""),
            ("_row_number", "\"{{ doc('row_number') }}\""),
            ("_load_date", "\"{{ doc('load_date') }}\""),
        )
        for name, text in lineage:
            lines += [
                f"      - name: {name}",
                f"        description: {text}",
                "        data_tests:",
                "          - not_null",
            ]
        lines.append("")
    return "\n".join(lines)


def render_declared_rules_macro(models: list[BaseModel]) -> str:
    """The base models' quarantine rules as a macro the staging SQL and its unit tests read."""
    entries = []
    for model in models:
        rules = ",\n".join(
            "        " + json.dumps(rule, ensure_ascii=False, sort_keys=False)
            for rule in model.quarantine_rules
        )
        entries.append(f'    "{model.name}": [\n{rules},\n    ],')
    body = "\n".join(entries)
    return (
        GENERATED_SQL_HEADER.replace("{origin}", "the base models' config.meta.quarantine_rules")
        + "{% macro declared_quarantine_rules() -%}\n"
        + "{{ return({\n"
        + body
        + "\n}) }}\n"
        + "{%- endmacro %}\n"
    )


def generated_files() -> dict[Path, str]:
    """Every generated dbt file and its content, keyed by path."""
    files: dict[Path, str] = {}
    all_models: list[BaseModel] = []
    for family in FAMILIES:
        models = load_base_models(family)
        declared = {model.source_name for model in models}
        expected = {source.name for source in SOURCES if source.family == family}
        if declared != expected:
            raise ValueError(
                f"{models_yml_path(family)}: base models {sorted(declared)} do not match the "
                f"contract's sources {sorted(expected)}"
            )
        all_models += models
        folder = STAGING_DIR / family
        files[folder / f"_{family}__sources.yml"] = render_sources_yml(family)
        files[folder / f"_{family}__stg_models.yml"] = render_clean_models_yml(family, models)
    by_name = {model.name: model for model in all_models}
    for model in all_models:
        folder = STAGING_DIR / model.source_name.split("__")[0]
        files[folder / f"stg_{model.source_name}.sql"] = (
            render_clean_model_sql(model)
            if model.fx_rule is None
            else render_fx_clean_model_sql(model, by_name)
        )
    for source in SOURCES:
        model = by_name[f"base_{source.name}"]
        files[QUARANTINE_DIR / f"quarantine_{source.name}.sql"] = (
            render_quarantine_model_sql(source)
            if model.fx_rule is None
            else render_fx_quarantine_model_sql(source, model, by_name)
        )
    files[QUARANTINE_DIR / "_quarantine__models.yml"] = render_quarantine_yml(all_models)
    files[DECLARED_RULES_MACRO] = render_declared_rules_macro(all_models)
    return files
