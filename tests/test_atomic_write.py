"""A file replaced atomically is either the old one or the new one, never half of either."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.lib.atomic_write import write_atomically, write_text_atomically


def test_the_new_content_replaces_the_old_and_no_temporary_file_stays(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "page.html"
    write_text_atomically(target, "old")
    write_text_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert [path.name for path in target.parent.iterdir()] == ["page.html"]


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("{}", encoding="utf-8")

    def half_then_fail(path: Path) -> None:
        path.write_text('{"half":', encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "{}"
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]


def test_the_result_has_the_mode_of_a_file_written_directly(tmp_path: Path) -> None:
    # Not the owner-only mode of mkstemp: BI tools and other users read these files.
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    target = write_text_atomically(tmp_path / "out.txt", "x")
    assert target.stat().st_mode == plain.stat().st_mode
