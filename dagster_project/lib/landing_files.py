"""Where landing and raw files live, and how a raw Parquet file is written.

The landing folder holds ``<family>/<table>/<table>_<YYYY-MM-DD>.csv``; the raw layer holds
``<family>/<table>/load_date=<YYYY-MM-DD>/<table>_<YYYY-MM-DD>.parquet`` plus, for a table with no
data yet, a schema-only file. The loader and the PostgreSQL extraction both write through here, so
they agree on names, schema and the atomic replace.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dagster_project.lib.atomic_write import write_atomically
from dagster_project.lib.contract import SourceTable

SOURCE_FILE_COLUMN = "_source_file"
ROW_NUMBER_COLUMN = "_row_number"
EMPTY_LOAD_DATE = date(1970, 1, 1)
EMPTY_FILE_NAME = "empty.parquet"


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


def raw_schema(source: SourceTable) -> pa.Schema:
    fields = [pa.field(name, pa.string()) for name in source.column_names]
    fields.append(pa.field(SOURCE_FILE_COLUMN, pa.string()))
    fields.append(pa.field(ROW_NUMBER_COLUMN, pa.int64()))
    return pa.schema(fields)


def write_parquet_atomically(table: pa.Table, target: Path) -> None:
    """Write to a hidden temporary file next to the target, then move it into place."""
    write_atomically(target, lambda path: pq.write_table(table, path, compression="snappy"))


def _data_files(source: SourceTable, raw_root: Path) -> list[Path]:
    empty = empty_file_path(source, raw_root)
    return [
        path
        for path in raw_dir(source, raw_root).glob("load_date=*/*.parquet")
        if path != empty and not path.name.startswith(".")
    ]


def remove_orphaned_raw_files(
    source: SourceTable,
    present: Collection[LandingFile],
    raw_root: Path,
    load_dates: Collection[date] | None = None,
) -> list[Path]:
    """Remove the raw files loaded from landing files that are no longer there.

    The raw layer mirrors the landing folder: a landing file deleted or replaced by another data
    set must not keep its rows in the warehouse. Only files the file loader writes (named after a
    landing file) are considered, and only in the export days being loaded; raw files of the
    PostgreSQL extraction and the schema-only file are left alone. ``present`` is every landing
    file of the source (the caller has listed them already).
    """
    expected = {raw_file_path(source, raw_root, landing_file) for landing_file in present}
    wanted = set(load_dates) if load_dates is not None else None
    loader_name = re.compile(rf"{re.escape(source.table)}_\d{{4}}-\d{{2}}-\d{{2}}\.parquet")
    removed = []
    for path in sorted(_data_files(source, raw_root)):
        day = date.fromisoformat(path.parent.name.removeprefix("load_date="))
        if wanted is not None and day not in wanted:
            continue
        if loader_name.fullmatch(path.name) and path not in expected:
            path.unlink()
            if not any(path.parent.iterdir()):
                path.parent.rmdir()
            removed.append(path)
    return removed


def keep_table_readable(source: SourceTable, raw_root: Path) -> bool:
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
