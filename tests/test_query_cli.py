"""`make query` reads the published snapshot with the project's DuckDB and never writes to it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import query


def _warehouse(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.customer_rfm as select * from (values ('k1', 5), ('k2', 3))"
            " as rfm(customer_key, r_score)"
        )


def test_the_query_reads_the_published_snapshot_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "published" / "warehouse.duckdb"
    _warehouse(snapshot)
    monkeypatch.setenv("CVW_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CVW_DUCKDB_PATH", raising=False)
    before = sorted(path.name for path in snapshot.parent.iterdir())

    exit_code = query.main(["select customer_key from marts.customer_rfm where r_score = 5"])

    out = capsys.readouterr().out
    assert exit_code == 0
    assert "k1" in out and "k2" not in out
    assert "(1 rows from" in out
    assert sorted(path.name for path in snapshot.parent.iterdir()) == before  # no .wal


def test_a_bad_query_or_no_warehouse_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CVW_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CVW_DUCKDB_PATH", raising=False)
    assert query.main(["select 1"]) == 1
    assert "run `make run` first" in capsys.readouterr().err
    _warehouse(tmp_path / "warehouse.duckdb")
    assert query.main(["select * from marts.nothing"]) == 1
    assert "nothing" in capsys.readouterr().err
