"""Data-quality figures per source: rows in, clean, quarantined by reason, flagged outliers.

``render_quality_summary`` is the text block ``make run`` prints. Only counts and rule names are
shown, never row values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from dagster_project.lib.contract import SOURCES, SourceTable

# Outlier flags live in intermediate/quality; each maps to the staging source whose rows it marks.
# (source name, relation, flag column, extra filter) per flagged source.
_OUTLIER_FLAGS: tuple[tuple[str, str, str, str], ...] = (
    (
        "shop__orders",
        "intermediate.int_order_amount_outliers_flagged",
        "is_amount_outlier",
        "true",
    ),
    (
        "ads__ocean_engine_campaign_daily",
        "intermediate.int_ad_spend_spikes_flagged",
        "is_spend_spike",
        "platform = 'ocean_engine'",
    ),
    (
        "ads__tencent_ads_daily",
        "intermediate.int_ad_spend_spikes_flagged",
        "is_spend_spike",
        "platform = 'tencent_ads'",
    ),
    (
        "ads__baidu_campaign_daily",
        "intermediate.int_ad_spend_spikes_flagged",
        "is_spend_spike",
        "platform = 'baidu'",
    ),
)


@dataclass(frozen=True)
class SourceQuality:
    """Quality figures of one source over all its loads."""

    source: str
    rows_in: int
    clean: int
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    outliers_flagged: int | None = None

    @property
    def quarantined(self) -> int:
        return sum(self.quarantined_by_reason.values())

    @property
    def reconciled(self) -> bool:
        return self.rows_in == self.clean + self.quarantined


def base_model(source: SourceTable) -> str:
    """The staging model holding every raw row of a source, clean or not."""
    return f"base_{source.name}"


def clean_model(source: SourceTable) -> str:
    """The staging model holding a source's clean rows."""
    return f"stg_{source.name}"


def quarantine_model(source: SourceTable) -> str:
    return f"quarantine_{source.name}"


def _existing_relations(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
    ).fetchall()
    return {name for (name,) in rows}


def source_quality(connection: duckdb.DuckDBPyConnection, source: SourceTable) -> SourceQuality:
    quarantine = f"quarantine.{quarantine_model(source)}"
    rows_in, clean = connection.execute(
        f"select (select count(*) from staging.{base_model(source)}), "
        f"(select count(*) from staging.{clean_model(source)})"
    ).fetchone()
    reasons = connection.execute(
        f"select quarantine_reason, count(*) from {quarantine} group by 1 order by 2 desc, 1"
    ).fetchall()
    return SourceQuality(
        source=source.name,
        rows_in=int(rows_in),
        clean=int(clean),
        quarantined_by_reason={str(reason): int(count) for reason, count in reasons},
    )


def outlier_counts(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Flagged rows per source; sources without an outlier rule are absent."""
    existing = _existing_relations(connection)
    counts = {}
    for source_name, relation, flag, condition in _OUTLIER_FLAGS:
        if relation not in existing:
            continue
        (count,) = connection.execute(
            f"select count(*) from {relation} where {flag} and {condition}"
        ).fetchone()
        counts[source_name] = int(count)
    return counts


def quality_figures(duckdb_path: Path) -> list[SourceQuality]:
    """Figures for every contract source, in contract order."""
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        outliers = outlier_counts(connection)
        figures = []
        for source in SOURCES:
            base = source_quality(connection, source)
            figures.append(
                SourceQuality(
                    source=base.source,
                    rows_in=base.rows_in,
                    clean=base.clean,
                    quarantined_by_reason=base.quarantined_by_reason,
                    outliers_flagged=outliers.get(source.name),
                )
            )
        return figures


def render_quality_summary(duckdb_path: Path) -> str:
    """Text table per source: rows in, clean, quarantined (by reason), flagged outliers."""
    figures = quality_figures(Path(duckdb_path))
    width = max(len(item.source) for item in figures)
    header = (
        f"{'source':<{width}}  {'rows in':>9}  {'clean':>9}  {'quarantined':>11}  "
        f"{'outliers':>8}  reconciled"
    )
    lines = ["Data quality per source", header, "-" * len(header)]
    for item in figures:
        outliers = "-" if item.outliers_flagged is None else str(item.outliers_flagged)
        lines.append(
            f"{item.source:<{width}}  {item.rows_in:>9}  {item.clean:>9}  "
            f"{item.quarantined:>11}  {outliers:>8}  {'yes' if item.reconciled else 'NO'}"
        )
        for reason, count in item.quarantined_by_reason.items():
            lines.append(f"{'':<{width}}    quarantined {reason}: {count}")
    total_in = sum(item.rows_in for item in figures)
    total_quarantined = sum(item.quarantined for item in figures)
    total_outliers = sum(item.outliers_flagged or 0 for item in figures)
    lines.append(
        f"total: {total_in} rows in, {total_in - total_quarantined} clean, "
        f"{total_quarantined} quarantined, {total_outliers} flagged outliers "
        "(order amounts: median/MAD of log amount per store; ad spend: one-sided median/MAD of "
        "log daily spend per campaign)"
    )
    return "\n".join(lines)


def figures_as_dicts(figures: Sequence[SourceQuality]) -> list[dict[str, object]]:
    return [asdict(item) for item in figures]
