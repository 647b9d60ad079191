"""Replacing a file in one rename, so a reader never sees half of it.

Every file the pipeline writes for others to read (raw Parquet, model outputs, reports, state)
goes through here: the content is written to a hidden temporary file in the target's folder and
moved over the target with ``os.replace``, which is atomic within one file system. A failed write
leaves the old file as it was and no temporary file behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


def write_atomically(target: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write`` with a temporary path next to ``target``, then move the result into place.

    The temporary file is named per call (two writers of one target never share it) and gets the
    umask's usual mode, so BI tools and other users can read the result.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def write_text_atomically(target: Path, text: str) -> Path:
    return write_atomically(target, lambda path: path.write_text(text, encoding="utf-8"))
