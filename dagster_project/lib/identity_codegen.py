"""The yml of the identity views that hand each clean source row its customer.

``dbt_models/intermediate/identity/int_<entities>_resolved.sql`` selects every column of one clean
``stg_`` model plus the customer it resolves to. Its columns are that model's, so their
documentation is rendered from the base model's yml entry rather than written a second time.
"""

from __future__ import annotations

import re
from pathlib import Path

from dagster_project.lib.base_models import (
    GENERATED_YML_HEADER,
    MODELS_DIR,
    BaseModel,
    column_entry,
    folded,
    is_sensitive,
    load_base_models,
)
from dagster_project.lib.contract import FAMILIES

IDENTITY_DIR = MODELS_DIR / "intermediate" / "identity"
RESOLVED_YML = IDENTITY_DIR / "_identity__resolved_models.yml"
IDENTITY_COLUMNS = (
    (
        "customer_node",
        "The typed identifier the row resolves through, e.g. 'openid:...' (see "
        "int_identity_edges); null when the row carries none.",
        True,
    ),
    (
        "customer_node_key",
        "Pseudonymous key of customer_node (as int_customer_identifiers.node_key): an incremental "
        "fact keeps it to find the rows an identity merge re-keys.",
        False,
    ),
    (
        "customer_key",
        "Pseudonymous key of the customer the row resolves to; null when its identifier belongs "
        "to no customer.",
        False,
    ),
)
_CLEAN_REF = re.compile(r"ref\('(stg_\w+)'\)")


def resolved_views() -> list[tuple[str, str]]:
    """(view, clean model it reads) for every resolved identity view."""
    views = []
    for path in sorted(IDENTITY_DIR.glob("int_*_resolved.sql")):
        refs = _CLEAN_REF.findall(path.read_text(encoding="utf-8"))
        if len(refs) != 1:
            raise ValueError(f"{path}: a resolved view reads exactly one stg_ model, found {refs}")
        views.append((path.stem, refs[0]))
    return views


def render_resolved_yml() -> str:
    base_models: dict[str, BaseModel] = {
        f"stg_{model.source_name}": model
        for family in FAMILIES
        for model in load_base_models(family)
    }
    lines = [
        GENERATED_YML_HEADER.format(origin="the int_*_resolved views and the base models"),
        "version: 2",
        "",
        "models:",
    ]
    for view, clean in resolved_views():
        model = base_models[clean]
        text = (
            f"The clean rows of {clean}, each with the customer it resolves to through the "
            "identity graph (customer_key null when it resolves to none). Every model that needs "
            "a customer for these rows reads it here; none builds identity nodes itself."
        )
        lines += [f"  - name: {view}", "    description: >", folded(text, 6), "    columns:"]
        for column in model.stg_columns:
            lines += column_entry(
                column["name"], column.get("description", ""), is_sensitive(column)
            )
        for name, description, sensitive in IDENTITY_COLUMNS:
            lines += column_entry(name, description, sensitive)
        lines.append("")
    return "\n".join(lines)


def identity_generated_files() -> dict[Path, str]:
    return {RESOLVED_YML: render_resolved_yml()}
