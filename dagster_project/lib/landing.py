"""Landing -> raw: copy landing CSV exports into the raw Parquet layer as text, with lineage.

Every landing file ``<landing>/<family>/<table>/<table>_<YYYY-MM-DD>.csv`` becomes one Parquet file
``<raw>/<family>/<table>/load_date=<YYYY-MM-DD>/<table>_<YYYY-MM-DD>.parquet``. The raw file holds
every contract column as a string in contract order, plus ``_source_file`` (the landing file name)
and ``_row_number`` (1-based data row within the file). Nothing is typed or cleaned here: empty
fields stay empty strings, and only columns or trailing fields that are absent become null, so
that the dbt staging layer can quarantine a bad row instead of losing it. This module runs the
load; ``landing_csv`` reads one file and ``landing_files`` knows where files live and writes them.

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

import functools
import logging
import multiprocessing
from collections.abc import Callable, Collection
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dagster_project.lib.contract import SOURCES, SourceTable
from dagster_project.lib.landing_csv import read_landing_file
from dagster_project.lib.landing_files import (
    LandingFile,
    keep_table_readable,
    landing_files,
    raw_file_path,
    remove_orphaned_raw_files,
    write_parquet_atomically,
)

logger = logging.getLogger("dagster_project.landing")


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
    progress: Callable[[int, int, int], None] | None = None,
) -> LoadReport:
    """Load the landing files of one source (only those of ``load_dates`` if given) into raw,
    in ``pool``'s worker processes if given. ``progress(files_done, files_total, rows)`` is
    called after each file.

    A failing file stops the load with ``LandingFileError``; other files may already be in raw,
    which is harmless because re-loading them after the fix writes the same bytes.
    """
    report = LoadReport(source=source.name)
    present = landing_files(source, landing_root)
    files = present
    if load_dates is not None:
        wanted = set(load_dates)
        files = [landing_file for landing_file in present if landing_file.load_date in wanted]
    problems: dict[str, list[str]] = {}
    load_file = functools.partial(_load_file, source, raw_root)
    rows_loaded = 0
    for loaded in pool.map(load_file, files) if pool else map(load_file, files):
        load = loaded.load
        report.files.append(load)
        rows_loaded += load.rows
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
        if progress is not None:
            progress(len(report.files), len(files), rows_loaded)
    report.warnings.extend(_summarise(problems))
    removed = remove_orphaned_raw_files(source, present, raw_root, load_dates)
    if removed:
        report.warnings.append(
            f"removed {len(removed)} raw file(s) whose landing file is gone "
            f"({removed[0].name}{' ...' if len(removed) > 1 else ''})"
        )
    wrote_schema_only = keep_table_readable(source, raw_root)
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
