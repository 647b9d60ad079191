"""Landing CSV files: buffered per table, one file per export day, contract headers."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dagster_project.lib.contract import SOURCES, SourceTable, get_source
from dagster_project.lib.demo.frames import Frame, Table
from dagster_project.lib.demo.window import _day_label

logger = logging.getLogger(__name__)


FLUSH_BYTES = 16 * 2**20  # buffered CSV bytes per table before its files are written
# What the generator wrote last time, so it removes its own files and never anyone else's, and
# how it generated them, so a later run can append the next export day.
MANIFEST_NAME = ".demo_files.json"


class ForeignLandingFilesError(RuntimeError):
    """The landing folder holds files the demo generator did not write; nothing was changed."""

    def __init__(self, out_dir: Path, foreign: list[str]) -> None:
        shown = ", ".join(foreign[:10]) + (
            f" and {len(foreign) - 10} more" if len(foreign) > 10 else ""
        )
        super().__init__(
            f"{out_dir} holds {len(foreign)} landing file(s) the demo generator did not write "
            f"({shown}); the demo replaces only its own files. Move them elsewhere, or write the "
            "demo into another folder (--out, or CVW_DATA_DIR for make run)."
        )
        self.foreign = foreign


def _signature(path: Path) -> list[int]:
    """Size and modification time: a demo file the user replaced or edited no longer matches."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


_NEEDS_QUOTES = '[,"\r\n]'


def _arrow_strings(values: np.ndarray) -> pa.Array:
    """A numpy unicode array as an Arrow large_string array, built from buffers.

    Encoding to fixed-width UTF-8 bytes and cutting the padding off with a mask makes no Python
    object per value; it is about three times faster than going through a list, and Arrow's own
    conversion of numpy unicode arrays is slower still.
    """
    if values.dtype.kind != "U":
        return pa.array(values.tolist(), type=pa.large_string())
    encoded = np.strings.encode(values, "utf-8")
    n, width = len(encoded), encoded.dtype.itemsize
    lengths = np.strings.str_len(encoded).astype(np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if n and width:
        data = encoded.view(np.uint8).reshape(n, width)[np.arange(width) < lengths[:, None]]
    else:
        data = np.zeros(0, dtype=np.uint8)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def _csv_lines(table: Table, order: np.ndarray, newline: str) -> tuple[memoryview, np.ndarray]:
    """Rows as UTF-8 CSV lines in one buffer, with the byte offset where each line starts.

    Fields are quoted only when they hold a delimiter, quote or line break (like csv.QUOTE_MINIMAL);
    Arrow builds the lines so no per-row Python object is made.
    """
    text = pa.large_string()
    columns = []
    for values in table.values():
        column = _arrow_strings(np.asarray(values)[order])
        needs_quotes = pc.match_substring_regex(column, _NEEDS_QUOTES)
        if pc.any(needs_quotes).as_py():
            doubled = pc.replace_substring(column, '"', '""')
            quote = pa.scalar('"', text)
            quoted = pc.binary_join_element_wise(quote, doubled, quote, pa.scalar("", text))
            column = pc.if_else(needs_quotes, quoted, column)
        columns.append(column)
    lines = pc.binary_join_element_wise(*columns, pa.scalar(",", text))
    lines = pc.binary_join_element_wise(lines, pa.scalar(newline, text), pa.scalar("", text))
    _, offset_buffer, data_buffer = lines.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int64)[lines.offset :][: len(lines) + 1]
    return memoryview(data_buffer), offsets


class LandingWriter:
    """Appends rows to per-day landing files; the first write of a file carries the header.

    Rows are buffered per table and flushed in batches, because opening a day's file for every
    block of people would dominate the run time of a large population. Only rows whose export
    day (days since 1970-01-01) lies in ``export_days`` (first, last) are written; None: all.
    """

    def __init__(
        self,
        out_dir: Path,
        flush_bytes: int = FLUSH_BYTES,
        export_days: tuple[int, int] | None = None,
    ) -> None:
        self.out_dir = out_dir
        self.flush_bytes = flush_bytes
        self.export_days = export_days
        self.rows: dict[str, int] = {source.name: 0 for source in SOURCES}
        self.files: dict[str, set[str]] = {source.name: set() for source in SOURCES}
        # Files of an earlier run that this one keeps (appending): listed again in the manifest.
        self._kept: dict[str, list[int]] = {}
        self._pending: dict[str, dict[str, list[bytes]]] = {source.name: {} for source in SOURCES}
        self._pending_bytes: dict[str, int] = {source.name: 0 for source in SOURCES}

    def clear(self) -> None:
        """Remove the files an earlier demo run wrote; refuse when any other file is there.

        Every file under a contract table's folder must be one the manifest lists, unchanged
        since; otherwise ``ForeignLandingFilesError`` names them and nothing is removed.
        """
        for path in self._own_files():
            path.unlink()
        self._manifest_path().unlink(missing_ok=True)

    def keep(self) -> dict[str, Any] | None:
        """Keep the files an earlier demo run wrote, to add files next to them.

        Refuses, like ``clear``, when the folder holds any file the manifest does not list
        unchanged. Returns the generation the manifest records (None if it records none).
        """
        self._own_files()
        generation, self._kept = self._read_manifest()
        return generation

    def _own_files(self) -> list[Path]:
        """The landing files under the contract tables' folders, all the manifest's, unchanged."""
        _, manifest = self._read_manifest()
        present = sorted(
            path
            for source in SOURCES
            if (self.out_dir / source.family / source.table).is_dir()
            for path in (self.out_dir / source.family / source.table).iterdir()
            if path.is_file() and not path.name.startswith(".")
        )
        foreign = [
            str(path.relative_to(self.out_dir))
            for path in present
            if manifest.get(str(path.relative_to(self.out_dir))) != _signature(path)
        ]
        if foreign:
            raise ForeignLandingFilesError(self.out_dir, foreign)
        return present

    def _manifest_path(self) -> Path:
        return self.out_dir / MANIFEST_NAME

    def _read_manifest(self) -> tuple[dict[str, Any] | None, dict[str, list[int]]]:
        """The recorded generation (None if none) and each listed file's signature. A manifest
        of a version before generations were recorded is that mapping of files alone."""
        path = self._manifest_path()
        if not path.exists():
            return None, {}
        recorded = json.loads(path.read_text(encoding="utf-8"))
        if "generation" in recorded:
            return recorded["generation"], recorded["files"]
        return None, recorded

    def _write_manifest(self, generation: dict[str, Any]) -> None:
        written = dict(self._kept)
        for source in SOURCES:
            for file_name in sorted(self.files[source.name]):
                relative = f"{source.family}/{source.table}/{file_name}"
                written[relative] = _signature(self.out_dir / relative)
        manifest = {"generation": generation, "files": dict(sorted(written.items()))}
        self._manifest_path().write_text(json.dumps(manifest, indent=0), encoding="utf-8")

    def write(self, frame: Frame) -> None:
        name, table = frame.name, frame.table
        source = get_source(name)
        rows = np.arange(len(frame.day)) if frame.rows is None else frame.rows
        if self.export_days is not None:
            first_day, last_day = self.export_days
            rows = rows[(frame.day[rows] >= first_day) & (frame.day[rows] <= last_day)]
        if len(rows) == 0:
            return
        order = rows[np.argsort(frame.day[rows], kind="stable")]
        day = frame.day[order]
        data, offsets = _csv_lines(table, order, _newline(source))
        days, starts = np.unique(day, return_index=True)
        ends = np.r_[starts[1:], len(day)]
        pending = self._pending[name]
        for file_day, first, end in zip(days.tolist(), starts.tolist(), ends.tolist(), strict=True):
            file_name = f"{source.table}_{_day_label(file_day)}.csv"
            pending.setdefault(file_name, []).append(bytes(data[offsets[first] : offsets[end]]))
        self._pending_bytes[name] += int(offsets[-1] - offsets[0])
        self.rows[name] += len(day)
        if self._pending_bytes[name] >= self.flush_bytes:
            self._flush(name)

    def close(self, last_day: int, generation: dict[str, Any]) -> None:
        """Write everything still buffered and the manifest, with the generation it records.

        A table without any file, kept or written, gets a header-only file on ``last_day``.
        """
        kept = {relative.rsplit("/", 1)[0] for relative in self._kept}
        for source in SOURCES:
            self._flush(source.name)
            if not self.files[source.name] and f"{source.family}/{source.table}" not in kept:
                # Only a tiny population can leave a table without rows.
                logger.warning("%s: no rows generated, writing a header-only file", source.name)
                self._pending[source.name][f"{source.table}_{_day_label(last_day)}.csv"] = []
                self._flush(source.name)
        self._write_manifest(generation)

    def _flush(self, name: str) -> None:
        source = get_source(name)
        folder = self.out_dir / source.family / source.table
        folder.mkdir(parents=True, exist_ok=True)
        for file_name, chunks in self._pending[name].items():
            if file_name in self.files[name]:
                with (folder / file_name).open("ab") as handle:
                    handle.writelines(chunks)
            else:
                header = ",".join(source.column_names) + _newline(source)
                # Exclusive creation: a new file never replaces one already there.
                with (folder / file_name).open("xb") as handle:
                    handle.write(header.encode(source.encoding))
                    handle.writelines(chunks)
                self.files[name].add(file_name)
        self._pending[name] = {}
        self._pending_bytes[name] = 0


def _newline(source: SourceTable) -> str:
    # Excel writes CRLF, everything else LF.
    return "\r\n" if source.encoding == "utf-8-sig" else "\n"
