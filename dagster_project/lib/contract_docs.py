"""Render the landing-zone contract as ``docs/sources.md``.

The document is generated from ``contract.py`` so that it cannot drift from what the loader
checks; a test compares the committed file with the rendered text. Regenerate it with
``python -m dagster_project.cli.contract_docs`` after changing the contract.
"""

from __future__ import annotations

from pathlib import Path

from dagster_project.lib.contract import FAMILIES, SOURCES, SourceTable
from dagster_project.lib.demo.currencies import DEMO_CNY_PER_UNIT, RATE_SOURCE
from dagster_project.lib.landing_files import (
    EMPTY_FILE_NAME,
    EMPTY_LOAD_DATE,
    ROW_NUMBER_COLUMN,
    SOURCE_FILE_COLUMN,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DOC_PATH = REPO_ROOT / "docs" / "sources.md"

FAMILY_TITLES: dict[str, str] = {
    "ads": "Ad platforms",
    "scrm": "Private domain: WeCom / SCRM, mini-program, community",
    "shop": "Transactions",
}
ENCODING_NAMES: dict[str, str] = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with byte-order mark",
}

DEMO_RATE_TABLE = "\n".join(
    ["| currency | cny_per_unit |", "|---|---|"]
    + [f"| {code} | {rate} |" for code, rate in DEMO_CNY_PER_UNIT.items()]
)

INTRO = f"""\
# Landing-zone sources

<!-- Rendered from dagster_project/lib/contract.py by
`python -m dagster_project.cli.contract_docs`: edit the contract, not this file. -->

Every source system delivers CSV exports into the landing folder. This page is the contract
those files follow: one section per source with its file name, encoding, primary key and
columns. The demo-data generator writes exactly these files, and the loader
(`python -m dagster_project.cli.landing`, which parses files in one process per CPU unless
given `--workers`, or the Dagster `raw` assets, one per source) checks every file against this
contract before anything reaches the warehouse.

## Landing folder layout

```text
<data>/landing/<family>/<table>/<table>_<YYYY-MM-DD>.csv
```

- `<data>` is `CVW_DATA_DIR` (default `data/` in the repository).
- One file per source and export day. The date in the file name is the export (business) day in
  China Standard Time; it becomes the `load_date` of the rows.
- Files whose names start with `.` and subfolders (for example an archive of processed exports)
  are ignored; any other file name that does not follow the pattern stops the load.
- The loader writes each file to
  `<data>/raw/<family>/<table>/load_date=<YYYY-MM-DD>/<table>_<YYYY-MM-DD>.parquet`: every
  contract column as text in contract order, plus `{SOURCE_FILE_COLUMN}` (the landing file
  name) and `{ROW_NUMBER_COLUMN}` (1-based data row within the file). Re-loading a file
  replaces its raw file with identical bytes, so rows are never counted twice. A table without
  any export yet gets a schema-only
  `load_date={EMPTY_LOAD_DATE.isoformat()}/{EMPTY_FILE_NAME}` so the warehouse can still read it.

## How files are read

- Encoding: UTF-8 with or without a byte-order mark, UTF-16 with a byte-order mark, or GB18030 /
  GBK (common in Chinese Excel exports). The encoding listed per source is what the source
  system normally sends; all of these are accepted for every source.
- Delimiter: `,`, `;`, tab or `|`, detected from the header row. An Excel `sep=;` first line is
  honoured.
- The first non-blank line is the header. Column names are matched case-insensitively after
  trimming spaces; the column order does not matter.
- A missing **required** column rejects the file, naming the columns. A missing optional column
  is filled with null and reported as a warning. Unknown columns are dropped with a warning.
- A row with too few fields (for example a truncated last line) is kept with its missing fields as
  null; a row with too many keeps the fields that fit the header. Both are counted as malformed
  rows and reported. Nothing is dropped silently.
- Values are loaded as text, exactly as written. Typing, trimming and validation happen in the
  dbt staging layer, where a row that breaks a rule is quarantined with the reason instead of
  being lost.

## Time zones

The warehouse keeps every timestamp in China Standard Time (UTC+8) as a naive `timestamp` in
`<event>_at` columns, and dates in `<event>_date` columns. In landing files, dates and times are
UTC+8 unless the column's type says otherwise: Unix epoch seconds and milliseconds are UTC, and
ISO 8601 values with an explicit offset (such as `2026-03-01T04:05:06Z`) carry their own zone.
The warehouse converts all of them to UTC+8.

## Money

Amounts arrive as the source reports them: in yuan with decimals, or in fen (1/100 yuan) where
the column's type says so, in the row's currency. Orders and the three ad-platform daily reports
carry an optional `currency` (ISO 4217 code such as USD; empty means CNY); an order's lines,
payments and refunds are in the order's currency. The warehouse stores money as integer CNY fen
in `<name>_cents` columns (`bigint`), so 12.34 yuan becomes 1234.

A foreign amount is converted with `shop__fx_rates` (CNY yuan for one unit): the latest clean
rate on or before the row's China-time day (the order's day, the report's date; lines, payments
and refunds take their order's rate, so a full refund nets its order to zero), at most
`fx_rate_max_age_days` days older (dbt var, default 7, so a weekend keeps Friday's rate).
Converted fen = round(hundredths of the currency x `cny_per_unit`), half away from zero; CNY needs
no rate and is never multiplied. The `stg_` models keep `original_currency`, the amounts as
exported (`original_<amount>_hundredths`) and the rate used (`cny_per_unit`, `fx_rate_date`). A
foreign-currency row without a usable rate is quarantined as `missing_fx_rate` (an order with its
lines, payments and refunds) and leaves the quarantine on the first build after its rate lands. A
late rate changes rows of earlier load days, which a nightly incremental run does not revisit:
rebuild with `CVW_DBT_FULL_REFRESH=1` (or `make load`) after loading rates for past days.

The demo data stays in CNY (`--foreign-currency-share` of `python -m
dagster_project.cli.demo_data` writes that share of orders in foreign currencies instead) but
writes `shop__fx_rates` for every day of its window, one file per day, from this table
(`dagster_project/lib/demo/currencies.py`), source `{RATE_SOURCE}`:

{DEMO_RATE_TABLE}

## Bringing your own exports

1. Put the exports in any folder laid out as above, `<folder>/<family>/<table>/`, one
   subfolder per source you have. Sources you do not have stay absent or empty; only
   `shop/orders` must have rows (an empty orders extract means the export failed).
2. Name each file `<table>_<YYYY-MM-DD>.csv` after its export day, with a header row using the
   column names below. Required columns must be present; optional ones may be left out. History
   of any age loads: the daily partitions start at the earliest export day in the folder
   (`CVW_PARTITIONS_START` overrides it). Every day from the first export day to the last is a
   Dagster partition, so years of history load fastest as one file per table named by the day it
   was delivered (`orders_2001-11-30.csv` holding every order up to then), with daily files after.
3. Load it: `make load DATA=path/to/folder`. The folder is read in place (nothing is copied or
   changed); the raw layer becomes exactly its files, every dbt model is rebuilt, the CLV and
   churn models are fitted, every check runs, the snapshot is published and `make summary`
   prints rows in / clean / quarantined per source, rows per mart and the failed checks.
   `AS_OF=YYYY-MM-DD` measures every customer mart on that day (default: the latest order day)
   and `HOLDOUT_DAYS=n` holds out that many days for the CLV validation, for example
   `make load DATA=exports AS_OF=2002-01-31 HOLDOUT_DAYS=200`. The warehouse goes to
   `CVW_DATA_DIR` (default `data/`).
4. To correct a day, replace its file and load again: the raw file of that day is overwritten, and
   a raw file whose landing file is gone is removed.

What a missing source does: its raw table is a schema-only file, its staging and quarantine
models are empty, and the marts built only from it (or from a table that is: the ad performance,
funnel and channel ROI marts without ad reports) are empty. Their checks report that as a
warning naming the empty sources (`empty_because` in the check's metadata) instead of blocking,
so the customer marts are still built and `make load` exits 0. An empty mart whose sources do
have rows still fails its check at error level. Without private-domain sources (WeCom contacts,
community interactions, mini-program events) the churn warnings and activation audiences stay
empty, as their rules need interactions and consent; without stores the orders keep their
`store_id` and a warn-level relationship test reports the unknown stores.

How errors read: a file that cannot be loaded (misnamed, no header, a required column missing,
undecodable bytes) stops the load with its path and the problem, for example
`.../shop/orders/orders_2001-11-30.csv: missing required column(s): order_time`. Rows that break a
rule (missing identifiers, unparseable times, negative quantities, duplicates) do not stop the
build: they land in the `quarantine` schema with the rule as `quarantine_reason`, and the summary
counts them per source and reason (rows in = clean + quarantined for every source). A failed
error-level check names its suite and expectation in the summary and makes `make load` exit
non-zero.
"""


def _cell(text: str) -> str:
    # A pipe inside a cell would end it; newlines would end the row.
    return text.replace("|", "\\|").replace("\n", " ")


def _file_pattern(source: SourceTable) -> str:
    return f"{source.family}/{source.table}/{source.table}_<YYYY-MM-DD>.csv"


def _render_overview() -> list[str]:
    lines = [
        "## Sources",
        "",
        "| source | landing file | description |",
        "|---|---|---|",
    ]
    for source in SOURCES:
        lines.append(
            f"| [`{source.name}`](#{source.name}) | `{_file_pattern(source)}` "
            f"| {_cell(source.description)} |"
        )
    lines.append("")
    return lines


def _render_source(source: SourceTable) -> list[str]:
    encoding = ENCODING_NAMES.get(source.encoding, source.encoding)
    key = ", ".join(f"`{name}`" for name in source.primary_key)
    lines = [
        f"### `{source.name}`",
        "",
        source.description,
        "",
        f"- Family: `{source.family}`, table: `{source.table}`",
        f"- File: `{_file_pattern(source)}`",
        f"- Encoding: {encoding}",
        f"- Primary key: {key}",
    ]
    if source.notes:
        lines += ["", "Notes:", ""]
        lines += [f"- {note}" for note in source.notes]
    lines += [
        "",
        "| column | type / unit | required | PII | description |",
        "|---|---|---|---|---|",
    ]
    for column in source.columns:
        lines.append(
            f"| `{column.name}` | {_cell(column.type)} | {'yes' if column.required else 'no'} "
            f"| {'yes' if column.pii else 'no'} | {_cell(column.description)} |"
        )
    lines.append("")
    return lines


def _families() -> list[str]:
    # Families in the contract's order, then any family added to SOURCES but not to FAMILIES.
    extra = [source.family for source in SOURCES if source.family not in FAMILIES]
    return list(dict.fromkeys([*FAMILIES, *extra]))


def render_sources_markdown() -> str:
    """The whole ``docs/sources.md`` text."""
    lines = [INTRO, *_render_overview()]
    for family in _families():
        sources = [source for source in SOURCES if source.family == family]
        if not sources:
            continue
        lines += [f"## {FAMILY_TITLES.get(family, family)} (`{family}`)", ""]
        for source in sources:
            lines += _render_source(source)
    return "\n".join(lines).rstrip("\n") + "\n"
