"""The types of the landing contract and the notes and patterns several sources share.

``lib/contract.py`` lists the sources with these; they live apart so that the list stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False
    pii: bool = False
    # What nearly every raw value looks like: the raw suite warns when more than 1 % do not.
    expected_values: tuple[str, ...] = ()
    expected_pattern: str = ""


@dataclass(frozen=True)
class SourceTable:
    family: str
    table: str
    description: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    encoding: str = "utf-8"
    notes: tuple[str, ...] = field(default_factory=tuple)
    # Exported only on days with changes, so a quiet week is no staleness (no freshness check).
    exports_only_changes: bool = False
    # Every export day has rows: an empty extract means the export failed (raw suite error).
    never_empty: bool = False
    # A lookup other sources are converted with (exchange rates): its rows alone never make a
    # table non-empty, so it does not stop missing sources from explaining an empty table.
    lookup: bool = False

    @property
    def name(self) -> str:
        return f"{self.family}__{self.table}"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]


TIMESTAMP_FORMATS_NOTE = (
    "Timestamps arrive as 'YYYY-MM-DD HH:MM:SS' (China Standard Time, UTC+8), "
    "'YYYY/MM/DD HH:MM' (UTC+8) or ISO 8601 with an explicit offset such as "
    "'2026-03-01T04:05:06Z'; the warehouse converts all of them to UTC+8."
)
# ISO 4217 alphabetic codes: three letters (staging trims and upper-cases them first).
CURRENCY_PATTERN = r"^\s*[A-Za-z]{3}\s*$"
# An optional currency column may be empty (CNY): the raw suite warns only about other values.
OPTIONAL_CURRENCY_PATTERN = r"^\s*([A-Za-z]{3})?\s*$"
CURRENCY_NOTE = (
    "Amounts are in the row's currency (ISO 4217, empty = CNY), in yuan or units of that "
    "currency; staging converts them to CNY fen with the shop__fx_rates rate of the row's day."
)
# The online platforms a store sells on (base_shop__stores maps the Chinese names to these).
STORE_PLATFORMS = ("mini_program", "tmall", "jd", "web", "app")
PHONE_NOTE = (
    "Phones are mainland mobile numbers in any common form: '13812345678', '+86 138 1234 5678', "
    "'86-138-1234-5678', '138 1234 5678' or with full-width digits."
)


def currency_column(description: str) -> Column:
    """An optional ISO 4217 ``currency`` column: empty means CNY."""
    return Column(
        "currency",
        "string, ISO 4217 code",
        description,
        expected_pattern=OPTIONAL_CURRENCY_PATTERN,
    )
