"""The stg_ and quarantine models of a source whose money is in a currency, rendered from its rule.

A base model reads only its own source, so it cannot look up an exchange rate: its amounts stay
as exported (hundredths of the row's currency) and its yml entry declares the conversion as its
last quarantine rule, ``{reason: missing_fx_rate, fx_rate: {...}}``. The generated ``stg_`` model
and quarantine model both render the same CTEs from that rule (macros/staging/fx_conversion.sql):
the clean rows of the base model with their rate. The ``stg_`` model keeps the rows with a rate,
converted to CNY fen; the quarantine model takes the rows the base model quarantined plus the
clean rows without a rate, so rows in = clean + quarantined still holds per load date and the
quarantine model owns the reason like every other.
"""

from __future__ import annotations

import textwrap
from typing import Any

from dagster_project.lib.base_models import (
    FX_RULE_KEY,
    GENERATED_SQL_HEADER,
    LINEAGE_COLUMNS,
    BaseModel,
    original_amount,
)
from dagster_project.lib.contract import SourceTable

FX_RATES_MODEL = "base_shop__fx_rates"


def fx_model_parents(model: BaseModel) -> list[str]:
    """The base models a converted source's stg_ and quarantine models read besides its own."""
    spec = model.fx_rule[FX_RULE_KEY] if model.fx_rule else {}
    return [FX_RATES_MODEL, *([spec["rate_of"]] if "rate_of" in spec else [])]


def _direct_spec(model: BaseModel, models: dict[str, BaseModel]) -> dict[str, Any]:
    """The currency and day columns of ``model`` or, for ``rate_of``, of the parent it names."""
    rule = model.fx_rule
    if rule is None:
        raise ValueError(f"{model.name}: no {FX_RULE_KEY} quarantine rule")
    spec = rule[FX_RULE_KEY]
    if "rate_of" not in spec:
        return spec
    parent = models.get(spec["rate_of"])
    if parent is None or parent.fx_rule is None or "rate_of" in parent.fx_rule[FX_RULE_KEY]:
        raise ValueError(
            f"{model.name}: rate_of {spec['rate_of']!r} must name a base model whose own "
            f"{FX_RULE_KEY} rule has a currency and a day column"
        )
    return parent.fx_rule[FX_RULE_KEY]


def _converted_ctes(model: BaseModel, models: dict[str, BaseModel]) -> str:
    """``with`` up to the CTE ``converted``: every clean row with original_currency and its rate."""
    spec = model.fx_rule[FX_RULE_KEY] if model.fx_rule else {}
    direct = _direct_spec(model, models)
    currency, day = direct["currency"], direct["day"]
    text = (
        "with\n\n"
        "base as (\n"
        f"    select * from {{{{ ref('{model.name}') }}}}\n"
        "),\n\n"
        "fx_rates as (\n"
        f"    select * from {{{{ ref('{FX_RATES_MODEL}') }}}}\n"
        "    where quarantine_reason is null\n"
        "),\n\n"
        "clean_rows as (\n"
        "    select * from base\n"
        "    where quarantine_reason is null\n"
        "),\n\n"
    )
    if "rate_of" not in spec:
        return text + (
            f"{{{{ fx_day_rate_ctes('clean_rows', 'fx_rates', '{currency}', '{day}') }}}}\n\n"
            "converted as (\n"
            f"    {{{{ fx_rows_with_rate('clean_rows', '{currency}', '{day}') }}}}\n"
            ")"
        )
    key = spec["key"]
    return text + (
        "foreign_parents as (\n"
        f"    select * from {{{{ ref('{spec['rate_of']}') }}}}\n"
        f"    where quarantine_reason is null and {currency} <> 'CNY'\n"
        "),\n\n"
        f"{{{{ fx_day_rate_ctes('foreign_parents', 'fx_rates', '{currency}', '{day}') }}}}\n\n"
        "parent_rates as (\n"
        f"    {{{{ fx_rows_with_rate('foreign_parents', '{currency}', '{day}') }}}}\n"
        "),\n\n"
        "converted as (\n"
        f"    {{{{ fx_rows_with_parent_rate('clean_rows', 'parent_rates', '{key}') }}}}\n"
        ")"
    )


def render_fx_clean_model_sql(model: BaseModel, models: dict[str, BaseModel]) -> str:
    """The ``stg_`` model: the clean rows with a usable rate, amounts in CNY fen."""
    spec = model.fx_rule[FX_RULE_KEY] if model.fx_rule else {}
    amounts = spec["amounts"]
    rate_source = (
        f"the rate of their {spec['rate_of']} row" if "rate_of" in spec else "the rate of their day"
    )
    selected = []
    for column in model.stg_columns:
        name = column["name"]
        if name in amounts:
            selected.append(f"{{{{ fx_to_cny_fen('{name}') }}}} as {name}")
        elif name.startswith("original_") and name.endswith("_hundredths"):
            exported = next(amount for amount in amounts if original_amount(amount) == name)
            selected.append(f"{exported} as {name}")
        else:
            selected.append(name)
    columns = ",\n        ".join(selected)
    comment = textwrap.fill(
        f"The clean rows of {model.name} with a usable exchange rate, amounts converted to CNY "
        f"fen at {rate_source} (macros/staging/fx_conversion.sql); the rows without one are in "
        f"quarantine_{model.source_name}. A view: it is a filter and a small join on tables "
        "that are already built.",
        width=96,
        initial_indent="{#- ",
        subsequent_indent="    ",
        break_on_hyphens=False,
    )
    return (
        GENERATED_SQL_HEADER.replace("{origin}", f"{model.name} in its yml entry")
        + comment
        + " -#}\n"
        "\n"
        "{{ config(materialized='view') }}\n"
        "\n" + _converted_ctes(model, models) + ",\n\n"
        "final as (\n"
        "    select\n"
        f"        {columns}\n"
        "    from converted\n"
        "    where cny_per_unit is not null\n"
        ")\n"
        "\n"
        "select * from final\n"
    )


def render_fx_quarantine_model_sql(
    source: SourceTable, model: BaseModel, models: dict[str, BaseModel]
) -> str:
    """The quarantine model: the rows the base model quarantined, plus clean rows with no rate."""
    rule = model.fx_rule or {}
    raw_columns = [f"raw_{column} as {column}" for column in source.column_names]
    kept = ",\n        ".join([*raw_columns, *LINEAGE_COLUMNS])
    return (
        GENERATED_SQL_HEADER.replace("{origin}", "dagster_project/lib/contract.py")
        + f"{{#- Rows of base_{source.name} that failed a cleaning rule, and its clean rows with\n"
        "    no usable exchange rate, with the rule and the raw values as exported, so the export\n"
        "    (or the rates) can be fixed at the source. -#}\n"
        "\n" + _converted_ctes(model, models) + ",\n\n"
        "rule_breaking_rows as (\n"
        "    select\n"
        "        quarantine_reason,\n"
        f"        {kept}\n"
        "    from base\n"
        "    where quarantine_reason is not null\n"
        "),\n\n"
        "rows_without_rate as (\n"
        "    select\n"
        f"        '{rule['reason']}' as quarantine_reason,\n"
        f"        {kept}\n"
        "    from converted\n"
        "    where cny_per_unit is null\n"
        "),\n\n"
        "final as (\n"
        "    select * from rule_breaking_rows\n"
        "    union all\n"
        "    select * from rows_without_rate\n"
        ")\n"
        "\n"
        "select * from final\n"
    )
