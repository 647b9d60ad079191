"""Which landing sources feed a table, from dbt's lineage, and whether their absence explains it
being empty.

The contract lets a source the user does not have stay empty (a shop with no ad platforms). A
table built only from such sources is empty by right, and so is a table that reads one (the
paid-media funnel starts from the ad reports). Its checks then report the emptiness and name the
sources instead of blocking the marts downstream. The lineage is dbt's manifest (``parent_map``),
walked up to the landing sources, so no list of "optional marts" is kept by hand. A source the
contract marks ``never_empty`` (the orders) never explains an empty table: its absence is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow.dataset as pa_dataset

from dagster_project.lib.contract import SOURCES_BY_NAME, SourceTable
from dagster_project.lib.landing_files import raw_dir

# The check metadata entry that says which empty sources excuse an empty table.
EMPTY_BECAUSE_KEY = "empty_because"


def landing_source_name(manifest: Mapping[str, Any], unique_id: str) -> str | None:
    """``<family>__<table>`` of a dbt source node that is a landing source, else None."""
    source = manifest.get("sources", {}).get(unique_id)
    if source is None:
        return None
    name = f"{source['source_name']}__{source['name']}"
    return name if name in SOURCES_BY_NAME else None


def upstream_landing_sources(manifest: Mapping[str, Any], unique_id: str) -> frozenset[str]:
    """Every landing source upstream of a dbt node (the node itself when it is one)."""
    own = landing_source_name(manifest, unique_id)
    if own is not None:
        return frozenset({own})
    parent_map: Mapping[str, list[str]] = manifest.get("parent_map", {})
    found: set[str] = set()
    seen = {unique_id}
    pending = [unique_id]
    while pending:
        for parent in parent_map.get(pending.pop(), []):
            if parent in seen:
                continue
            seen.add(parent)
            name = landing_source_name(manifest, parent)
            if name is not None:
                found.add(name)
            else:
                pending.append(parent)
    return frozenset(found)


def emptiness_groups(manifest: Mapping[str, Any], unique_id: str) -> tuple[frozenset[str], ...]:
    """The groups of landing sources whose absence would leave the node empty: the node's own
    upstream sources, then those of each direct parent (empty when its sources are)."""
    groups = [upstream_landing_sources(manifest, unique_id)]
    if landing_source_name(manifest, unique_id) is None:
        for parent in sorted(manifest.get("parent_map", {}).get(unique_id, [])):
            groups.append(upstream_landing_sources(manifest, parent))
    unique: list[frozenset[str]] = []
    for group in groups:
        if group and group not in unique:
            unique.append(group)
    return tuple(unique)


def missing_sources_explaining(
    groups: Iterable[frozenset[str]], empty_sources: Iterable[str]
) -> frozenset[str] | None:
    """The first group made only of optional sources that are all empty, else None. Lookup
    sources (exchange rates) are left out of each group: they convert rows, they bring none."""
    empty = set(empty_sources)
    for whole_group in groups:
        group = frozenset(name for name in whole_group if not SOURCES_BY_NAME[name].lookup)
        optional = not any(SOURCES_BY_NAME[name].never_empty for name in group)
        if group and optional and group <= empty:
            return group
    return None


def raw_row_count(source: SourceTable, raw_root: Path) -> int:
    """Rows in a source's raw Parquet layer (file metadata only; 0 when nothing is loaded)."""
    directory = raw_dir(source, raw_root)
    if not directory.is_dir():
        return 0
    return pa_dataset.dataset(directory, format="parquet", partitioning="hive").count_rows()


def empty_sources(names: Iterable[str], raw_root: Path) -> set[str]:
    """The named landing sources whose raw layer holds no row."""
    return {name for name in names if raw_row_count(SOURCES_BY_NAME[name], raw_root) == 0}
