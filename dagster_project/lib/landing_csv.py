"""Reading one landing CSV against the contract: encoding, delimiter, header and rows.

The result is the raw table (every contract column as text, plus lineage columns) and the
problems worth a warning; a file that cannot be read raises ``LandingFileError``.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from dagster_project.lib.contract import SourceTable
from dagster_project.lib.landing_files import LandingFileError, raw_schema

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
# Byte-order marks decide the encoding outright; longest first so UTF-32 is never mistaken.
_BYTE_ORDER_MARKS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACK_ENCODINGS: tuple[str, ...] = ("utf-8", "gb18030")
_MAX_LISTED_ROWS = 10


@dataclass(frozen=True)
class ParsedFile:
    """A landing file read against the contract, ready to be written as raw Parquet."""

    table: pa.Table
    encoding: str
    delimiter: str
    malformed_row_numbers: tuple[int, ...]
    problems: tuple[str, ...]

    @property
    def rows(self) -> int:
        return self.table.num_rows


def decode_bytes(path: Path, data: bytes) -> tuple[str, str]:
    """Return the text and the encoding it was read with."""
    if not data:
        raise LandingFileError(path, "empty file, no header")
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise LandingFileError(
                    path,
                    f"starts with a {encoding} byte-order mark but has invalid bytes "
                    f"at offset {error.start}",
                ) from None
    first_error: UnicodeDecodeError | None = None
    for encoding in _FALLBACK_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as error:
            first_error = first_error or error
    offset = first_error.start if first_error else 0
    raise LandingFileError(
        path, f"cannot decode as UTF-8 (invalid byte at offset {offset}) nor as GB18030/GBK"
    )


def _normalise_header_name(name: str) -> str:
    return name.replace("\ufeff", "").strip().casefold()


def _records(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)


def _first_record(text: str, delimiter: str) -> list[str]:
    try:
        for record in _records(text, delimiter):
            if record:
                return record
    except csv.Error:
        # A delimiter that cannot even parse the header is simply not the right one.
        return []
    return []


def _excel_separator_hint(text: str) -> tuple[str | None, str]:
    """Excel may write a first line ``sep=;``: honour it and drop it from the text."""
    first_line, newline, rest = text.partition("\n")
    hint = first_line.rstrip("\r").replace("\ufeff", "")
    if hint.casefold().startswith("sep=") and len(hint) == 5:
        return hint[4], rest if newline else ""
    return None, text


def _choose_delimiter(path: Path, source: SourceTable, text: str, hint: str | None) -> str:
    contract = set(source.column_names)
    candidates = (hint,) if hint else DELIMITERS
    best, best_matches = candidates[0], -1
    for delimiter in candidates:
        names = {_normalise_header_name(name) for name in _first_record(text, delimiter)}
        matches = len(names & contract)
        if matches > best_matches:
            best, best_matches = delimiter, matches
    if best_matches <= 0:
        # The header is not listed: a file without a header would put row values here.
        tried = ", ".join(repr(delimiter) for delimiter in candidates)
        raise LandingFileError(
            path,
            f"header matches no column of {source.name} with delimiter {tried}; "
            "is the header row missing or the file in the wrong folder?",
        )
    return best


def _column_positions(path: Path, source: SourceTable, header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    duplicated: list[str] = []
    for position, raw_name in enumerate(header):
        name = _normalise_header_name(raw_name)
        if name in source.column_names:
            if name in positions:
                duplicated.append(name)
            positions.setdefault(name, position)
    if duplicated:
        raise LandingFileError(path, f"column(s) given more than once: {', '.join(duplicated)}")
    missing_required = [name for name in source.required_columns if name not in positions]
    if missing_required:
        raise LandingFileError(path, f"missing required column(s): {', '.join(missing_required)}")
    return positions


def _header_problems(
    source: SourceTable, header: list[str], positions: dict[str, int]
) -> list[str]:
    problems = []
    missing_optional = [name for name in source.column_names if name not in positions]
    if missing_optional:
        problems.append(
            f"optional column(s) missing, filled with null: {', '.join(missing_optional)}"
        )
    extra = [
        name.strip() or f"<unnamed column {index + 1}>"
        for index, name in enumerate(header)
        if index not in positions.values()
    ]
    if extra:
        problems.append(f"unknown column(s) dropped: {', '.join(extra)}")
    return problems


def _row_list(numbers: Sequence[int]) -> str:
    listed = ", ".join(str(number) for number in numbers[:_MAX_LISTED_ROWS])
    return listed + (", ..." if len(numbers) > _MAX_LISTED_ROWS else "")


def read_landing_file(source: SourceTable, path: Path) -> ParsedFile:
    """Read one landing file against the contract; raise ``LandingFileError`` if it cannot be."""
    path = Path(path)
    text, encoding = decode_bytes(path, path.read_bytes())
    hint, text = _excel_separator_hint(text)
    if not text.strip():
        raise LandingFileError(path, "empty file, no header (only blank lines)")
    delimiter = _choose_delimiter(path, source, text, hint)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    values: dict[str, list[str | None]] = {name: [] for name in source.column_names}
    malformed: list[int] = []
    blank_lines = 0
    header: list[str] | None = None
    positions: dict[str, int] = {}
    row_number = 0
    try:
        for record in records:
            if not record:
                # Blank lines before the header are padding, after it they are worth a warning.
                if header is not None:
                    blank_lines += 1
                continue
            if header is None:
                header = record
                positions = _column_positions(path, source, header)
                continue
            row_number += 1
            if len(record) != len(header):
                malformed.append(row_number)
            for name, column_values in values.items():
                position = positions.get(name)
                present = position is not None and position < len(record)
                column_values.append(record[position] if present else None)
    except csv.Error as error:
        raise LandingFileError(
            path, f"unreadable CSV near line {records.line_num}: {error}"
        ) from None
    if header is None:
        raise LandingFileError(path, "empty file, no header (only blank lines)")

    problems = _header_problems(source, header, positions)
    if blank_lines:
        problems.append(f"{blank_lines} blank line(s) skipped")
    if malformed:
        problems.append(
            f"{len(malformed)} malformed row(s) with a wrong number of fields kept "
            "(missing fields as null, surplus fields dropped) at data row(s) "
            f"{_row_list(malformed)}"
        )
    arrays = [pa.array(values[name], type=pa.string()) for name in source.column_names]
    arrays.append(pa.array([path.name] * row_number, type=pa.string()))
    arrays.append(pa.array(range(1, row_number + 1), type=pa.int64()))
    return ParsedFile(
        table=pa.Table.from_arrays(arrays, schema=raw_schema(source)),
        encoding=encoding,
        delimiter=delimiter,
        malformed_row_numbers=tuple(malformed),
        problems=tuple(problems),
    )
