"""The pipeline never touches what the user owns, and never mixes two data sets."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest
from warehouse_helpers import dbt_build

from dagster_project.cli import demo_data as demo_cli
from dagster_project.lib.contract import SOURCES
from dagster_project.lib.demo import generator
from dagster_project.lib.demo.writing import ForeignLandingFilesError
from dagster_project.lib.landing import load_all

END = date(2026, 10, 31)


def _generate(out_dir: Path, customers: int, days: int) -> None:
    generator.generate(out_dir, seed=11, customers=customers, days=days, end_date=END)


def _landing_rows(landing: Path) -> dict[str, set[tuple[str, int]]]:
    """(file, row number) of every data row of every landing file, counted from the CSVs."""
    rows: dict[str, set[tuple[str, int]]] = {}
    for source in SOURCES:
        found = set()
        for path in sorted((landing / source.family / source.table).glob("*.csv")):
            with path.open(encoding=source.encoding, newline="") as handle:
                count = sum(1 for _ in csv.reader(handle)) - 1
            found |= {(path.name, number) for number in range(1, count + 1)}
        rows[source.name] = found
    return rows


def test_a_file_the_demo_did_not_write_stops_it_and_survives(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _generate(landing, customers=20, days=5)
    own = landing / "shop" / "orders" / "orders_2026-10-30.csv"
    own.write_text("order_id\nMINE-1\n", encoding="utf-8")  # the user's export, same name
    extra = landing / "shop" / "members" / "members_2026-01-01.csv"
    extra.write_text("member_id\nM-MINE\n", encoding="utf-8")
    before = sorted(path for path in landing.rglob("*") if path.is_file())

    with pytest.raises(ForeignLandingFilesError) as refused:
        _generate(landing, customers=30, days=5)

    assert "shop/orders/orders_2026-10-30.csv" in str(refused.value)
    assert "shop/members/members_2026-01-01.csv" in str(refused.value)
    assert own.read_text(encoding="utf-8") == "order_id\nMINE-1\n"
    assert extra.read_text(encoding="utf-8") == "member_id\nM-MINE\n"
    assert sorted(path for path in landing.rglob("*") if path.is_file()) == before


def test_the_command_line_refuses_with_the_file_named_and_exit_code_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    landing = tmp_path / "landing"
    (landing / "ads" / "ad_clicks").mkdir(parents=True)
    (landing / "ads" / "ad_clicks" / "ad_clicks_2026-10-01.csv").write_text("click_id\n")
    arguments = ["--customers", "10", "--days", "3", "--out", str(landing)]
    assert demo_cli.main(arguments) == 1
    assert "ads/ad_clicks/ad_clicks_2026-10-01.csv" in caplog.text


def test_files_outside_the_contract_tables_are_left_alone(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    notes = landing / "README.txt"
    notes.parent.mkdir(parents=True)
    notes.write_text("my notes", encoding="utf-8")
    _generate(landing, customers=20, days=5)
    _generate(landing, customers=25, days=4)
    assert notes.read_text(encoding="utf-8") == "my notes"


def test_a_second_demo_of_another_size_leaves_no_row_of_the_first(tmp_path: Path) -> None:
    """Raw and staging hold exactly the rows of the current landing files, per source."""
    landing, raw = tmp_path / "landing", tmp_path / "raw"
    _generate(landing, customers=60, days=20)
    load_all(landing, raw)
    first = _landing_rows(landing)
    _generate(landing, customers=40, days=8)
    load_all(landing, raw)
    second = _landing_rows(landing)
    assert any(first[name] - second[name] for name in first), "the sets must differ"

    dbt_build(
        tmp_path,
        "--select",
        "resource_type:seed",
        "staging",
        "quarantine",
        "--exclude",
        "resource_type:unit_test",
    )
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
        for source in SOURCES:
            kept = connection.execute(
                f"select _source_file, _row_number from staging.base_{source.name}"
            ).fetchall()
            assert set(kept) == second[source.name], source.name
