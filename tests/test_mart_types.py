"""Every numeric column of every mart has the type its unit calls for, the one BI tools expect.

The convention: money is whole fen as BIGINT, counts are BIGINT, rates, shares, ratios and
probabilities are DOUBLE; no HUGEINT anywhere (DuckDB's ``sum()`` of BIGINT, which pandas and
many BI drivers turn into floats or refuse). Two more units cover the rest: ``score`` (an
ordinal such as an RFM score, a decile or a position; BIGINT) and ``measure`` (a continuous
quantity that is neither money nor a rate: expected or credit-weighted counts, averages of
days, model parameters, test statistics; DOUBLE).

A column's unit never comes from its type, which is what is under test. It comes from:

1. the project's naming convention, where the name says it: ``<name>_cents`` is money (README,
   "Conventions"), ``<name>_count`` is a count, ``<name>_rate`` and ``<name>_share`` are rates;
2. otherwise ``meta: {unit: ...}`` on the column in the mart's yml, next to its description.

Names first, because the naming convention is already the documented owner of "this is fen" and
covers most columns without a line of yml; ``meta`` for the names that do not say (``clicks``,
``roas``, ``p_alive``), declared where the column is documented, so adding a column means
describing it once. A ``meta`` unit that contradicts the name fails, so the two never disagree.
Descriptions are prose for people and are not parsed. A money column kept in DECIMAL would need
a unit of its own; the marts have none (whole fen is preferred).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

MARTS_SCHEMA = "marts"
# The one type each unit allows.
UNIT_TYPES = {
    "money": "BIGINT",
    "count": "BIGINT",
    "score": "BIGINT",
    "rate": "DOUBLE",
    "measure": "DOUBLE",
}
NAME_UNITS = (("_cents", "money"), ("_count", "count"), ("_rate", "rate"), ("_share", "rate"))
NUMERIC_PREFIXES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT")
NUMERIC_TYPES = {
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "REAL",
    "DOUBLE",
    "VARINT",
    "BIGNUM",
}


@dataclass(frozen=True)
class Column:
    relation: str
    name: str
    data_type: str


def is_numeric(data_type: str) -> bool:
    return data_type.startswith(NUMERIC_PREFIXES + ("DECIMAL",)) or data_type in NUMERIC_TYPES


def name_unit(name: str) -> str | None:
    return next((unit for suffix, unit in NAME_UNITS if name.endswith(suffix)), None)


def type_problems(
    columns: Iterable[Column], declared_units: Mapping[tuple[str, str], str]
) -> list[str]:
    """Every breach of the convention, one line per column; ``declared_units`` maps
    (relation, column) to the ``meta`` unit of the yml."""
    problems = []
    for column in columns:
        where = f"{column.relation}.{column.name} ({column.data_type})"
        by_name = name_unit(column.name)
        declared = declared_units.get((column.relation, column.name))
        if declared is not None and declared not in UNIT_TYPES:
            problems.append(f"{where}: unknown unit {declared!r}, use one of {sorted(UNIT_TYPES)}")
            continue
        if declared is not None and by_name is not None and declared != by_name:
            problems.append(f"{where}: meta unit {declared!r} contradicts its name ({by_name})")
            continue
        unit = declared or by_name
        if column.data_type == "HUGEINT":
            problems.append(f"{where}: HUGEINT; cast it to bigint")
        elif unit is not None and column.data_type != UNIT_TYPES[unit]:
            problems.append(f"{where}: a {unit} column must be {UNIT_TYPES[unit]}")
        elif unit is None and is_numeric(column.data_type):
            problems.append(f"{where}: numeric without a unit; declare meta: {{unit: ...}}")
    return problems


def declared_units(manifest: Mapping) -> dict[tuple[str, str], str]:
    """(mart, column) -> unit, from ``meta`` or ``config.meta`` of the marts' columns."""
    units = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["fqn"][1] != "marts":
            continue
        for name, column in node["columns"].items():
            meta = {**column.get("meta", {}), **column.get("config", {}).get("meta", {})}
            if "unit" in meta:
                units[(node["name"], name)] = meta["unit"]
    return units


def warehouse_columns(database: Path) -> list[Column]:
    """Every column of every relation (tables and views) of the marts schema."""
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = ? order by table_name, ordinal_position",
            [MARTS_SCHEMA],
        ).fetchall()
    return [Column(*row) for row in rows]


@pytest.fixture(scope="module")
def built_marts(built_warehouse: Path) -> tuple[list[Column], dict[tuple[str, str], str]]:
    manifest = json.loads((built_warehouse / "target" / "manifest.json").read_text())
    return warehouse_columns(built_warehouse / "warehouse.duckdb"), declared_units(manifest)


def test_every_mart_column_has_the_type_of_its_unit(
    built_marts: tuple[list[Column], dict[tuple[str, str], str]],
) -> None:
    columns, units = built_marts
    relations = {column.relation for column in columns}
    assert {"dim_customers", "fct_orders", "channel_roi", "clv_validation"} <= relations
    problems = type_problems(columns, units)
    assert not problems, f"{len(problems)} mart columns break the type convention:\n" + "\n".join(
        problems
    )


def test_every_declared_unit_belongs_to_a_column_of_the_warehouse(
    built_marts: tuple[list[Column], dict[tuple[str, str], str]],
) -> None:
    columns, units = built_marts
    present = {(column.relation, column.name) for column in columns}
    assert units, "no meta units declared in the marts' yml"
    assert sorted(set(units) - present) == []


def test_the_check_flags_each_kind_of_breach() -> None:
    columns = [
        Column("orders", "net_amount_cents", "HUGEINT"),
        Column("orders", "item_count", "INTEGER"),
        Column("orders", "cpc_cents", "DOUBLE"),
        Column("orders", "refund_rate", "DECIMAL(18,3)"),
        Column("orders", "clicks", "BIGINT"),
        Column("orders", "roas", "DOUBLE"),
        Column("orders", "score", "INTEGER"),
        Column("orders", "weight_cents", "BIGINT"),
        Column("orders", "lift", "DOUBLE"),
        Column("orders", "order_id", "VARCHAR"),
        Column("orders", "ordered_at", "TIMESTAMP"),
        Column("orders", "order_count", "BIGINT"),
        Column("orders", "refund_share", "DOUBLE"),
    ]
    units = {
        ("orders", "clicks"): "count",
        ("orders", "roas"): "rate",
        ("orders", "weight_cents"): "measure",
        ("orders", "lift"): "ratio",
    }
    assert type_problems(columns, units) == [
        "orders.net_amount_cents (HUGEINT): HUGEINT; cast it to bigint",
        "orders.item_count (INTEGER): a count column must be BIGINT",
        "orders.cpc_cents (DOUBLE): a money column must be BIGINT",
        "orders.refund_rate (DECIMAL(18,3)): a rate column must be DOUBLE",
        "orders.score (INTEGER): numeric without a unit; declare meta: {unit: ...}",
        "orders.weight_cents (BIGINT): meta unit 'measure' contradicts its name (money)",
        "orders.lift (DOUBLE): unknown unit 'ratio', use one of "
        "['count', 'measure', 'money', 'rate', 'score']",
    ]
