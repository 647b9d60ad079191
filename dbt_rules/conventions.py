"""Layer conventions of the dbt project, checked by dbt-score (`make lint`).

The layers are told apart by folder (dbt_models/<layer>/), so a rule reads a model's
original_file_path to know which layer it is in, and its parents' paths and names to know
what it reads. A rule returns None for models outside the layer it is about, so a misplaced
model (say a stg_ model under marts) is reported once, by the naming rules.
"""

import re
from collections.abc import Sequence

from dbt_score import Model, RuleViolation, Seed, Snapshot, Source, rule

STAGING = "dbt_models/staging/"
QUARANTINE = "dbt_models/quarantine/"
INTERMEDIATE = "dbt_models/intermediate/"
MARTS = "dbt_models/marts/"
LAYERS = (STAGING, QUARANTINE, INTERMEDIATE, MARTS)

# <family>__<table>: lower-case snake case on both sides of the double underscore, so the family
# (ads, shop, scrm) can be read back from the name.
_FAMILY_TABLE = r"(?P<family>[a-z0-9]+(?:_[a-z0-9]+)*)__(?P<table>[a-z0-9]+(?:_[a-z0-9]+)*)"
_STAGING_NAME = re.compile(rf"(?P<kind>base|stg)_{_FAMILY_TABLE}")
_QUARANTINE_NAME = re.compile(rf"quarantine_{_FAMILY_TABLE}")
_INTERMEDIATE_NAME = re.compile(r"int_[a-z0-9]+(?:_[a-z0-9]+)*")
_NON_MART_PREFIXES = ("base_", "stg_", "int_", "quarantine_")


def _path(node: Model | Source | Seed | Snapshot) -> str:
    # dbt writes manifest paths with forward slashes on every platform.
    return node.original_file_path.replace("\\", "/")


def _in_layer(node: Model | Source | Seed | Snapshot, layer: str) -> bool:
    return _path(node).startswith(layer)


def _is_base_model(node: Model | Source | Seed | Snapshot) -> bool:
    return isinstance(node, Model) and node.name.startswith("base_")


def _describe(node: Model | Source | Seed | Snapshot) -> str:
    if isinstance(node, Source):
        return f"source {node.source_name}.{node.name}"
    return f"{type(node).__name__.lower()} {node.name}"


def _listing(nodes: Sequence[Model | Source | Seed | Snapshot]) -> str:
    return ", ".join(sorted(_describe(node) for node in nodes))


@rule
def model_in_a_layer(model: Model) -> RuleViolation | None:
    """A model lives under staging, quarantine, intermediate or marts.

    Every other convention is keyed on these four folders; a model elsewhere would be checked
    by none of them.
    """
    if not any(_in_layer(model, layer) for layer in LAYERS):
        return RuleViolation(f"{_path(model)} is in none of {', '.join(LAYERS)}.")
    return None


@rule
def staging_model_name(model: Model) -> RuleViolation | None:
    """Staging models are base_<family>__<table> or stg_<family>__<table>.

    The generated stg_ views and quarantine models, the reconciliation test and the quality
    doc find a source table's models by these names; the family is also the sub-folder.
    """
    if not _in_layer(model, STAGING):
        return None
    match = _STAGING_NAME.fullmatch(model.name)
    if match is None:
        return RuleViolation(
            f"{model.name} is not base_<family>__<table> or stg_<family>__<table>."
        )
    folders = _path(model).removeprefix(STAGING).split("/")[:-1]
    if folders and folders != [match["family"]]:
        return RuleViolation(
            f"{model.name} names family {match['family']} but lives in {'/'.join(folders)}/."
        )
    return None


@rule
def quarantine_model_name(model: Model) -> RuleViolation | None:
    """Quarantine models are quarantine_<family>__<table>.

    The name pairs each quarantine model with the base model whose rejected rows it holds.
    """
    if _in_layer(model, QUARANTINE) and _QUARANTINE_NAME.fullmatch(model.name) is None:
        return RuleViolation(f"{model.name} is not quarantine_<family>__<table>.")
    return None


@rule
def intermediate_model_name(model: Model) -> RuleViolation | None:
    """Intermediate models start with int_.

    The prefix shows in every ref and in the warehouse that the model is a building block, not
    a table for BI or CRM readers.
    """
    if _in_layer(model, INTERMEDIATE) and _INTERMEDIATE_NAME.fullmatch(model.name) is None:
        return RuleViolation(f"{model.name} does not start with int_ (lower-case snake case).")
    return None


@rule
def mart_model_name(model: Model) -> RuleViolation | None:
    """Mart names carry no layer prefix (base_, stg_, int_, quarantine_).

    Marts are what BI and CRM readers see; a layer prefix there means a model sits in the
    wrong folder or a building block is being published under its working name.
    """
    if _in_layer(model, MARTS) and model.name.startswith(_NON_MART_PREFIXES):
        return RuleViolation(f"{model.name} is a mart with a layer prefix.")
    return None


@rule
def base_model_reads_only_sources(model: Model) -> RuleViolation | None:
    """base_ models read only sources and seeds.

    A base model types and cleans one raw table and keeps every row; reading another model
    would make its rows depend on a cleaning step that is not its own.
    """
    if not (_in_layer(model, STAGING) and model.name.startswith("base_")):
        return None
    others = [parent for parent in model.parents if not isinstance(parent, Source | Seed)]
    if others:
        return RuleViolation(f"{model.name} reads {_listing(others)}; only sources and seeds.")
    return None


@rule
def stg_model_reads_only_its_base(model: Model) -> RuleViolation | None:
    """stg_<family>__<table> reads only base_<family>__<table> (and, to convert money, the rates).

    The stg_ view is the clean rows of its own base model and nothing else; joins belong in
    intermediate models. The one exception is generated: a source whose amounts are in a
    currency is converted to CNY fen in its stg_ view, which then also reads the base models its
    yml lists under meta.converts_currency_with (the exchange rates, and for order lines the
    order headers whose currency they are in), the same ones its quarantine model reads.
    """
    if not (_in_layer(model, STAGING) and model.name.startswith("stg_")):
        return None
    own_base = "base_" + model.name.removeprefix("stg_")
    allowed = {own_base, *model.meta.get("converts_currency_with", [])}
    others = [
        parent
        for parent in model.parents
        if not (isinstance(parent, Model) and parent.name in allowed and _is_base_model(parent))
    ]
    if others or not model.parents:
        found = _listing(others) if others else "nothing"
        return RuleViolation(f"{model.name} reads {found}; only {', '.join(sorted(allowed))}.")
    return None


@rule
def quarantine_model_reads_only_base(model: Model) -> RuleViolation | None:
    """Quarantine models read only base_ models.

    Quarantine holds the rows a base model flagged, with their raw values; anything read past
    the base layer has already lost those rows.
    """
    if not _in_layer(model, QUARANTINE):
        return None
    others = [parent for parent in model.parents if not _is_base_model(parent)]
    if others:
        return RuleViolation(f"{model.name} reads {_listing(others)}; only base_ models.")
    return None


@rule
def intermediate_model_reads_no_mart(model: Model) -> RuleViolation | None:
    """Intermediate models never read a mart.

    Marts are built from intermediate models; an intermediate model reading one turns the
    layers into a cycle and ties building blocks to a published table's shape.
    """
    if not _in_layer(model, INTERMEDIATE):
        return None
    marts = [parent for parent in model.parents if _in_layer(parent, MARTS)]
    if marts:
        return RuleViolation(f"{model.name} reads {_listing(marts)} (under {MARTS}).")
    return None


@rule
def mart_reads_no_raw_input(
    model: Model, model_output_sources: Sequence[str] = ("models",)
) -> RuleViolation | None:
    """Marts never read sources or base_ models directly.

    Raw tables reach marts only through the clean stg_ rows (or intermediate models), so a
    mart never sees a quarantined row. The exception is model_output_sources: the `models`
    source is the Parquet the model-fitting Dagster assets write from intermediate models,
    read back by the prediction marts; it is the warehouse's own output, not raw input.
    """
    if not _in_layer(model, MARTS):
        return None
    raw = [
        parent
        for parent in model.parents
        if (isinstance(parent, Source) and parent.source_name not in model_output_sources)
        or _is_base_model(parent)
    ]
    if raw:
        return RuleViolation(f"{model.name} reads {_listing(raw)} directly.")
    return None
