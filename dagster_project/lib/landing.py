"""Landing -> raw: copy landing CSV exports into the raw Parquet layer as text, with lineage.

Every landing file ``<landing>/<family>/<table>/<table>_<YYYY-MM-DD>.csv`` becomes one Parquet file
``<raw>/<family>/<table>/load_date=<YYYY-MM-DD>/<table>_<YYYY-MM-DD>.parquet``. The raw file holds
every contract column as a string in contract order, plus ``_source_file`` (the landing file name)
and ``_row_number`` (1-based data row within the file). Nothing is typed or cleaned here: empty
fields stay empty strings, and only columns or trailing fields that are absent become null, so
that the dbt staging layer can quarantine a bad row instead of losing it.

Decisions:

- Reading: the encoding is detected (byte-order marks for UTF-8 and UTF-16, then UTF-8, then
  GB18030, the superset of GBK that Chinese Excel exports use), the delimiter is whichever of
  ``,``, ``;``, tab or ``|`` makes the header match the most contract columns, and header names are
  matched case-insensitively after trimming. Column order in the file does not matter.
- Errors (``LandingFileError``, naming the file and the problem): a file name not shaped
  ``<table>_<YYYY-MM-DD>.csv``, a 0-byte file, undecodable bytes, a header that matches no contract
  column, missing required columns, a contract column given twice. A header-only file is a valid
  load of 0 rows.
- Warnings (in the report and the log, never with row values): missing optional columns (filled
  with null), unknown columns (dropped), blank lines (skipped) and malformed rows. A row with too
  few fields keeps its missing trailing fields as null; a row with too many keeps the fields that
  fit the header. Both are kept and counted in ``malformed_rows``.
- Idempotency: the raw file name derives from the landing file name and is written to a temporary
  file then moved into place, so re-loading a file replaces its raw file with identical bytes and
  never counts its rows twice. Raw files whose landing file has gone are kept: the landing folder
  may be emptied after loading while the raw layer keeps the history.
- A table without any raw data file gets a schema-only ``load_date=1970-01-01/empty.parquet`` so
  that readers (dbt sources, Parquet datasets) always find the table and its columns; it is removed
  as soon as a data file exists. Its name has no ``_`` or ``.`` prefix because Spark and Arrow
  datasets skip such files.
- Only regular files whose names do not start with ``.`` are landing files; subfolders (for
  example an archive of processed exports) are ignored.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import functools
import io
import logging
import multiprocessing
import os
import re
import sys
import uuid
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dagster_project.lib.contract import SOURCES, SourceTable

logger = logging.getLogger("dagster_project.landing")

REPO_ROOT = Path(__file__).resolve().parents[2]
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
SOURCE_FILE_COLUMN = "_source_file"
ROW_NUMBER_COLUMN = "_row_number"
EMPTY_LOAD_DATE = date(1970, 1, 1)
EMPTY_FILE_NAME = "empty.parquet"
# Byte-order marks decide the encoding outright; longest first so UTF-32 is never mistaken.
_BYTE_ORDER_MARKS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACK_ENCODINGS: tuple[str, ...] = ("utf-8", "gb18030")
_MAX_LISTED_ROWS = 10


class LandingFileError(Exception):
    """A landing file that cannot be loaded; the message names the file and the problem."""

    def __init__(self, path: Path, problem: str) -> None:
        # Both arguments go to the base class so the exception survives pickling.
        super().__init__(path, problem)
        self.path = Path(path)
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass(frozen=True)
class LandingFile:
    path: Path
    load_date: date


@dataclass(frozen=True)
class FileLoad:
    """What one landing file turned into."""

    file_name: str
    load_date: date
    rows: int
    malformed_rows: int
    encoding: str
    delimiter: str
    raw_path: Path


@dataclass
class LoadReport:
    """The outcome of loading one source; warnings never carry row values."""

    source: str
    files: list[FileLoad] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def files_loaded(self) -> int:
        return len(self.files)

    @property
    def rows_read(self) -> int:
        return sum(load.rows for load in self.files)

    @property
    def malformed_rows(self) -> int:
        return sum(load.malformed_rows for load in self.files)


@dataclass(frozen=True)
class LoadedFile:
    """One landing file written to raw, with the problems its reading found."""

    load: FileLoad
    problems: tuple[str, ...]


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


# --- locations ----------------------------------------------------------------------------------


def landing_dir(source: SourceTable, landing_root: Path) -> Path:
    return Path(landing_root) / source.family / source.table


def raw_dir(source: SourceTable, raw_root: Path) -> Path:
    return Path(raw_root) / source.family / source.table


def raw_file_path(source: SourceTable, raw_root: Path, landing_file: LandingFile) -> Path:
    partition = f"load_date={landing_file.load_date.isoformat()}"
    return raw_dir(source, raw_root) / partition / f"{landing_file.path.stem}.parquet"


def empty_file_path(source: SourceTable, raw_root: Path) -> Path:
    partition = f"load_date={EMPTY_LOAD_DATE.isoformat()}"
    return raw_dir(source, raw_root) / partition / EMPTY_FILE_NAME


def landing_files(source: SourceTable, landing_root: Path) -> list[LandingFile]:
    """Every landing file of a source, oldest export day first; a misnamed file is an error."""
    directory = landing_dir(source, landing_root)
    if not directory.is_dir():
        return []
    pattern = re.compile(rf"{re.escape(source.table)}_(\d{{4}}-\d{{2}}-\d{{2}})\.csv")
    found = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        match = pattern.fullmatch(path.name)
        if match is None:
            raise LandingFileError(
                path, f"file name does not match {source.table}_<YYYY-MM-DD>.csv"
            )
        try:
            export_day = date.fromisoformat(match.group(1))
        except ValueError:
            raise LandingFileError(path, f"{match.group(1)} in the file name is no date") from None
        found.append(LandingFile(path=path, load_date=export_day))
    return sorted(found, key=lambda landing_file: (landing_file.load_date, landing_file.path.name))


def landing_dates(source: SourceTable, landing_root: Path) -> list[date]:
    """The export days present in the landing folder of a source, ascending."""
    return sorted({landing_file.load_date for landing_file in landing_files(source, landing_root)})


# --- reading ------------------------------------------------------------------------------------


def raw_schema(source: SourceTable) -> pa.Schema:
    fields = [pa.field(name, pa.string()) for name in source.column_names]
    fields.append(pa.field(SOURCE_FILE_COLUMN, pa.string()))
    fields.append(pa.field(ROW_NUMBER_COLUMN, pa.int64()))
    return pa.schema(fields)


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


# --- writing ------------------------------------------------------------------------------------


def write_parquet_atomically(table: pa.Table, target: Path) -> None:
    """Write to a hidden temporary file next to the target, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Not mkstemp: its 0600 mode would carry over to the raw file and hide it from other readers.
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, temporary, compression="snappy")
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _data_files(source: SourceTable, raw_root: Path) -> list[Path]:
    empty = empty_file_path(source, raw_root)
    return [
        path
        for path in raw_dir(source, raw_root).glob("load_date=*/*.parquet")
        if path != empty and not path.name.startswith(".")
    ]


def _keep_table_readable(source: SourceTable, raw_root: Path) -> bool:
    """Write or remove the schema-only file; return whether it is (still) needed."""
    empty = empty_file_path(source, raw_root)
    if _data_files(source, raw_root):
        if empty.exists():
            empty.unlink()
            if not any(empty.parent.iterdir()):
                empty.parent.rmdir()
        return False
    write_parquet_atomically(raw_schema(source).empty_table(), empty)
    return True


def _summarise(problems: dict[str, list[str]]) -> list[str]:
    """One warning per problem, listing the files it was seen in."""
    warnings = []
    for problem, file_names in problems.items():
        if len(file_names) == 1:
            warnings.append(f"{file_names[0]}: {problem}")
        else:
            span = f"{file_names[0]} ... {file_names[-1]}"
            warnings.append(f"{len(file_names)} files ({span}): {problem}")
    return warnings


def _load_file(source: SourceTable, raw_root: Path, landing_file: LandingFile) -> LoadedFile:
    parsed = read_landing_file(source, landing_file.path)
    target = raw_file_path(source, raw_root, landing_file)
    write_parquet_atomically(parsed.table, target)
    load = FileLoad(
        file_name=landing_file.path.name,
        load_date=landing_file.load_date,
        rows=parsed.rows,
        malformed_rows=len(parsed.malformed_row_numbers),
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
        raw_path=target,
    )
    return LoadedFile(load=load, problems=parsed.problems)


def load_source(
    source: SourceTable,
    landing_root: Path,
    raw_root: Path,
    load_dates: Collection[date] | None = None,
    pool: Executor | None = None,
) -> LoadReport:
    """Load the landing files of one source (only those of ``load_dates`` if given) into raw,
    in ``pool``'s worker processes if given.

    A failing file stops the load with ``LandingFileError``; other files may already be in raw,
    which is harmless because re-loading them after the fix writes the same bytes.
    """
    report = LoadReport(source=source.name)
    files = landing_files(source, landing_root)
    if load_dates is not None:
        wanted = set(load_dates)
        files = [landing_file for landing_file in files if landing_file.load_date in wanted]
    problems: dict[str, list[str]] = {}
    load_file = functools.partial(_load_file, source, raw_root)
    for loaded in pool.map(load_file, files) if pool else map(load_file, files):
        load = loaded.load
        report.files.append(load)
        for problem in loaded.problems:
            problems.setdefault(problem, []).append(load.file_name)
        logger.debug(
            "%s: %s -> %d rows (%s, %r)",
            source.name,
            load.file_name,
            load.rows,
            load.encoding,
            load.delimiter,
        )
    report.warnings.extend(_summarise(problems))
    wrote_schema_only = _keep_table_readable(source, raw_root)
    if not files:
        scope = " for the requested load dates" if load_dates is not None else ""
        warning = f"no landing files in {source.family}/{source.table}/{scope}"
        if wrote_schema_only:
            warning += "; wrote a schema-only raw file so the table stays readable"
        report.warnings.append(warning)
    for warning in report.warnings:
        logger.warning("%s: %s", source.name, warning)
    return report


def load_all(
    landing_root: Path,
    raw_root: Path,
    load_dates: Collection[date] | None = None,
    workers: int = 1,
) -> list[LoadReport]:
    """Load every contract source, in contract order, parsing files in ``workers`` processes.

    Each file is parsed on its own and written to its own raw file, so the bytes written do not
    depend on the number of workers.
    """
    if workers <= 1:
        return [load_source(source, landing_root, raw_root, load_dates) for source in SOURCES]
    # One pool for every source: starting workers costs more than loading a small source.
    # Spawned workers start clean of the parent's threads (Dagster runs some).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [load_source(source, landing_root, raw_root, load_dates, pool) for source in SOURCES]


# --- command line -------------------------------------------------------------------------------


def data_dir_from_env() -> Path:
    """``CVW_DATA_DIR`` or ``data``; a relative path is taken from the repository root."""
    configured = Path(os.environ.get("CVW_DATA_DIR", "data"))
    return configured if configured.is_absolute() else REPO_ROOT / configured


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Load landing CSV exports into the raw Parquet layer (CVW_DATA_DIR)."
    )
    parser.add_argument(
        "--load-date",
        action="append",
        type=date.fromisoformat,
        help="only load files of this export day (YYYY-MM-DD); may be repeated",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes parsing landing files side by side (default: one per CPU)",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    data_dir = data_dir_from_env()
    try:
        reports = load_all(
            data_dir / "landing", data_dir / "raw", arguments.load_date, arguments.workers
        )
    except LandingFileError as error:
        logger.error("load failed: %s", error)
        return 1
    for report in reports:
        logger.info(
            "%s: %d files, %d rows, %d malformed",
            report.source,
            report.files_loaded,
            report.rows_read,
            report.malformed_rows,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
