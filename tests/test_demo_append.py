"""Appending the next export day to the demo files (``make nightly``) changes no existing file.

The reference for the appended day is a fresh generation that exports one more day (``days + 1``,
``end_date + 1``) over the same simulated window: its files must be the appended folder's, byte
for byte, the new day's included.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from dagster_project.cli import demo_data as demo_cli
from dagster_project.lib.demo import generator
from dagster_project.lib.demo.writing import MANIFEST_NAME, ForeignLandingFilesError

SEED = 5
# Enough people that every table has rows in the first days: a table without any row gets a
# header-only file on the last export day, which a longer generation would place a day later.
CUSTOMERS = 200
DAYS = 30
END = date(2026, 10, 31)
SIMULATED_THROUGH = END + timedelta(days=3)
ADS_REPORTS = ("ocean_engine_campaign_daily", "tencent_ads_daily", "baidu_campaign_daily")
DAY_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})\.csv$")


def _generate(out_dir: Path, days: int = DAYS, end_date: date = END) -> None:
    generator.generate(
        out_dir,
        seed=SEED,
        customers=CUSTOMERS,
        days=days,
        end_date=end_date,
        simulate_through=SIMULATED_THROUGH,
    )


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*.csv"))
    }


def _stamps(root: Path) -> dict[str, int]:
    return {
        path.relative_to(root).as_posix(): path.stat().st_mtime_ns
        for path in sorted(root.rglob("*.csv"))
    }


def _manifest(root: Path) -> dict:
    return json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))


def _day(name: str) -> date:
    match = DAY_IN_NAME.search(name)
    assert match is not None, name
    return date.fromisoformat(match.group(1))


@pytest.fixture(scope="module")
def appended(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict, dict]:
    """A demo folder before and after one appended day: (folder, files, mtimes, rows)."""
    out_dir = tmp_path_factory.mktemp("nightly") / "landing"
    _generate(out_dir)
    before, stamps = _files(out_dir), _stamps(out_dir)
    day, rows = generator.append_day(out_dir)
    assert day == END + timedelta(days=1)
    return out_dir, before, stamps, rows


def test_appending_a_day_leaves_every_earlier_file_byte_identical_and_untouched(
    appended: tuple[Path, dict, dict, dict],
) -> None:
    out_dir, before, stamps, _ = appended
    after, stamps_after = _files(out_dir), _stamps(out_dir)
    assert before, "the first generation wrote no file"
    for name, content in before.items():
        assert after[name] == content, name
        assert stamps_after[name] == stamps[name], f"{name} was rewritten"


def test_appending_a_day_writes_only_files_of_the_next_export_day(
    appended: tuple[Path, dict, dict, dict],
) -> None:
    out_dir, before, _, rows = appended
    new = sorted(set(_files(out_dir)) - set(before))
    assert {_day(name) for name in new} == {END + timedelta(days=1)}
    # A busy day's exports: orders, mini-program events, ad clicks and the three daily reports.
    tables = {name.rsplit("/", 1)[0] for name in new}
    assert {"shop/orders", "scrm/miniprogram_events", "ads/ad_clicks"} <= tables
    assert {f"ads/{report}" for report in ADS_REPORTS} <= tables
    # The returned counts are the new files' data rows (their header lines excluded).
    data_lines = sum(len(_files(out_dir)[name].splitlines()) - 1 for name in new)
    assert sum(rows.values()) == data_lines > 0


def test_the_appended_folder_equals_a_fresh_generation_of_one_more_day(
    appended: tuple[Path, dict, dict, dict], tmp_path: Path
) -> None:
    out_dir = appended[0]
    _generate(tmp_path, days=DAYS + 1, end_date=END + timedelta(days=1))
    fresh, ours = _files(tmp_path), _files(out_dir)
    assert sorted(fresh) == sorted(ours)
    different = [name for name in fresh if fresh[name] != ours[name]]
    assert not different, f"differ from the fresh generation: {different[:5]}"


def test_the_manifest_lists_the_new_files_and_the_new_last_day(
    appended: tuple[Path, dict, dict, dict],
) -> None:
    out_dir = appended[0]
    manifest = _manifest(out_dir)
    listed = manifest["files"]
    assert sorted(listed) == sorted(_files(out_dir))
    for name, (size, mtime_ns) in listed.items():
        stat = (out_dir / name).stat()
        assert [size, mtime_ns] == [stat.st_size, stat.st_mtime_ns], name
    assert manifest["generation"]["last_day"] == (END + timedelta(days=1)).isoformat()
    assert manifest["generation"]["first_day"] == (END - timedelta(days=DAYS - 1)).isoformat()


def test_days_are_appended_one_after_another_until_the_simulation_ends(tmp_path: Path) -> None:
    _generate(tmp_path, days=DAYS + 1, end_date=END + timedelta(days=1))
    assert generator.append_day(tmp_path)[0] == END + timedelta(days=2)
    assert generator.append_day(tmp_path)[0] == SIMULATED_THROUGH
    before = _files(tmp_path)
    with pytest.raises(generator.DemoAppendError, match="simulated through 2026-11-03"):
        generator.append_day(tmp_path)
    assert _files(tmp_path) == before


def test_appending_refuses_a_folder_with_a_file_the_demo_did_not_write(tmp_path: Path) -> None:
    _generate(tmp_path)
    mine = tmp_path / "shop" / "orders" / "orders_2026-11-01.csv"
    mine.write_text("order_id\n", encoding="utf-8")
    manifest = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8")
    with pytest.raises(ForeignLandingFilesError, match="orders_2026-11-01.csv"):
        generator.append_day(tmp_path)
    assert mine.read_text(encoding="utf-8") == "order_id\n"
    assert (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8") == manifest
    assert not (
        tmp_path / "scrm" / "miniprogram_events" / "miniprogram_events_2026-11-01.csv"
    ).exists()


def test_a_manifest_without_a_generation_is_refused_and_still_cleared(tmp_path: Path) -> None:
    # The manifest of a version before generations were recorded: the files alone.
    _generate(tmp_path)
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(_manifest(tmp_path)["files"]), "utf-8")
    with pytest.raises(generator.DemoAppendError, match="records no demo generation"):
        generator.append_day(tmp_path)
    _generate(tmp_path)  # the old manifest still lets the demo replace its own files
    assert _manifest(tmp_path)["generation"]["last_day"] == END.isoformat()


def test_the_command_line_appends_a_day_and_prints_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["--seed", "3", "--customers", "60", "--days", "10", "--end-date", "2026-06-30"]
    out = ["--out", str(tmp_path)]
    assert demo_cli.main([*arguments, "--nightly-days", "1", *out]) == 0
    capsys.readouterr()
    assert demo_cli.main(["--append-day", *out]) == 0
    assert capsys.readouterr().out == "2026-07-01\n"
    assert (tmp_path / "shop" / "orders" / "orders_2026-07-01.csv").exists()
    assert demo_cli.main(["--append-day", *out]) == 1
    assert capsys.readouterr().out == ""
