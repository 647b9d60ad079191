"""Shop transactions extracted from a real PostgreSQL server, started by the test on loopback.

Needs Debian's ``postgresql`` package (``make postgres-server-packages``; ``make test`` installs
it first). The server runs as the ``postgres`` user when the tests run as root, since initdb
refuses root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import psycopg
import pyarrow.parquet as pq
import pytest

from dagster_project.lib import postgres_extract
from dagster_project.lib.demo.generator import generate
from dagster_project.lib.landing import load_all
from dagster_project.lib.landing_files import raw_schema

INITDB = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
pytestmark = pytest.mark.skipif(
    not INITDB, reason="PostgreSQL server not installed: make postgres-server-packages"
)
DAY_ONE = date(2026, 10, 1)
DAY_TWO = date(2026, 10, 2)
ORDERS = postgres_extract.postgres_sources()[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A throw-away cluster on a loopback port; yields its connection string."""
    bin_dir = Path(INITDB[-1]).parent
    # Not under pytest's basetemp: that folder is private to root and the server user must enter.
    cluster = Path(tempfile.mkdtemp(prefix="cvw_pg_"))
    cluster.chmod(0o755)
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(cluster, account.pw_uid, account.pw_gid)
    data, port = cluster / "data", _free_port()
    subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "cvw"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {cluster} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = str(bin_dir / "pg_ctl")
    subprocess.run(
        _as_server_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(cluster / "log"), "-w"])
        + ["start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"host=127.0.0.1 port={port} user=cvw dbname=postgres"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(cluster, ignore_errors=True)


@pytest.fixture
def database(server: str) -> Iterator[str]:
    """The server with an empty shop schema."""
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute("drop schema if exists shop cascade")
        postgres_extract.create_schema(connection)
    yield server


def _order(order_id: str, status: str, updated_at: str) -> dict[str, str | None]:
    return {
        "order_id": order_id,
        "store_id": "ST001",
        "member_id": None,
        "buyer_phone": None,
        "openid": f"o{order_id}",
        "order_time": "2026-10-01 09:00:00",
        "order_status": status,
        "total_amount": "100.00",
        "discount_amount": "0.00",
        "referral_code": None,
        "currency": "CNY",
        "updated_at": updated_at,
    }


def _insert(dsn: str, table: str, rows: list[dict[str, str | None]]) -> None:
    columns = list(rows[0])
    statement = (
        f"insert into shop.{table} ({', '.join(columns)}) "
        f"values ({', '.join(['%s'] * len(columns))})"
    )
    with psycopg.connect(dsn, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.executemany(statement, [[row[name] for name in columns] for row in rows])


def _raw(data_dir: Path, table: str) -> pd.DataFrame:
    files = sorted((data_dir / "raw" / "shop" / table).glob("load_date=*/*.parquet"))
    frames = []
    for path in files:
        frame = pq.read_table(path).to_pandas()
        frame["load_date"] = path.parent.name.removeprefix("load_date=")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _sorted(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.fillna("<null>").sort_values(columns).reset_index(drop=True)


def test_first_extract_writes_every_row_in_the_raw_layout(database: str, tmp_path: Path):
    _insert(
        database,
        "orders",
        [
            _order("SO1", "paid", "2026-10-01 09:05:00"),
            _order("SO2", "paid", "2026-10-01 10:00:00"),
        ],
    )
    extracts = postgres_extract.extract_all(database, tmp_path, DAY_ONE, overlap_seconds=0)

    assert {extract.table: extract.rows for extract in extracts} == {
        "orders": 2,
        "order_items": 0,
        "payments": 0,
        "refunds": 0,
    }
    (path,) = (tmp_path / "raw" / "shop" / "orders" / "load_date=2026-10-01").glob("*.parquet")
    table = pq.read_table(path)
    assert table.schema.equals(raw_schema(ORDERS))
    frame = table.to_pandas()
    assert frame["order_id"].tolist() == ["SO1", "SO2"]
    assert frame["_row_number"].tolist() == [1, 2]
    assert frame["member_id"].isna().all()
    assert set(frame["_source_file"]) == {path.stem}
    # Tables without rows stay readable for dbt through the schema-only file.
    assert list((tmp_path / "raw" / "shop" / "refunds").glob("load_date=1970-01-01/*.parquet"))


def test_update_of_an_old_row_and_a_late_refund_are_picked_up_by_the_watermark(
    database: str, tmp_path: Path
):
    _insert(
        database,
        "orders",
        [
            _order("SO1", "paid", "2026-10-01 09:05:00"),
            _order("SO2", "paid", "2026-10-01 10:00:00"),
        ],
    )
    postgres_extract.extract_all(database, tmp_path, DAY_ONE, overlap_seconds=0)
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(
            "update shop.orders set order_status = 'completed', "
            "updated_at = '2026-10-02 08:00:00' where order_id = 'SO1'"
        )
    _insert(
        database,
        "refunds",
        [
            {
                "refund_id": "RF1",
                "order_id": "SO2",
                "refund_amount": "30.00",
                "refunded_at": "2026-10-02 11:00:00",
                "reason": None,
            }
        ],
    )
    second = postgres_extract.extract_all(database, tmp_path, DAY_TWO, overlap_seconds=0)
    assert {extract.table: extract.rows for extract in second}["orders"] == 1

    orders = _raw(tmp_path, "orders")
    latest = orders[orders["load_date"] == DAY_TWO.isoformat()]
    assert latest[["order_id", "order_status", "updated_at"]].values.tolist() == [
        ["SO1", "completed", "2026-10-02 08:00:00"]
    ]
    refunds = _raw(tmp_path, "refunds")
    assert refunds[["refund_id", "order_id", "refund_amount", "load_date"]].values.tolist() == [
        ["RF1", "SO2", "30.00", DAY_TWO.isoformat()]
    ]
    # Nothing changed since: a third extraction writes nothing and keeps the watermarks.
    watermarks = postgres_extract.read_watermarks(postgres_extract.state_path(tmp_path))
    third = postgres_extract.extract_all(database, tmp_path, DAY_TWO, overlap_seconds=0)
    assert [extract.rows for extract in third] == [0, 0, 0, 0]
    assert postgres_extract.read_watermarks(postgres_extract.state_path(tmp_path)) == watermarks
    assert len(_raw(tmp_path, "orders")) == 3


def test_overlap_reads_recent_rows_again_so_late_commits_are_not_missed(
    database: str, tmp_path: Path
):
    _insert(database, "orders", [_order("SO1", "paid", "2026-10-01 09:05:00")])
    postgres_extract.extract_all(database, tmp_path, DAY_ONE, overlap_seconds=0)
    again = postgres_extract.extract_all(database, tmp_path, DAY_ONE, overlap_seconds=3600)
    assert {extract.table: extract.rows for extract in again}["orders"] == 1


def test_demo_transactions_in_postgres_extract_to_the_rows_the_file_loader_writes(
    database: str, tmp_path: Path
):
    landing = tmp_path / "landing"
    generate(landing, seed=3, customers=40, days=5, end_date=date(2026, 10, 31))
    with psycopg.connect(database, autocommit=True) as connection:
        inserted = postgres_extract.load_demo(connection, landing)
    from_postgres = tmp_path / "from_postgres"
    postgres_extract.extract_all(database, from_postgres, DAY_ONE, overlap_seconds=0)
    from_files = tmp_path / "from_files"
    load_all(landing, from_files / "raw")

    for source in postgres_extract.postgres_sources():
        columns = list(source.column_names)
        expected = _raw(from_files, source.table)[columns]
        actual = _raw(from_postgres, source.table)[columns]
        assert inserted[source.table] == len(expected)
        pd.testing.assert_frame_equal(
            _sorted(actual, columns), _sorted(expected, columns), obj=source.table
        )
    assert inserted["orders"] > 0 and inserted["order_items"] > inserted["orders"] / 2
