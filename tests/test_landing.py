"""The landing -> raw loader keeps every landing row as text, loudly, and idempotently."""

from __future__ import annotations

import csv
import io
import logging
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pa_dataset
import pyarrow.parquet as pq
import pytest

from dagster_project.cli import landing as landing_cli
from dagster_project.lib.contract import SOURCES, get_source
from dagster_project.lib.landing import load_all, load_source
from dagster_project.lib.landing_files import LandingFileError, landing_dates

ORDERS = get_source("shop__orders")
STORES = get_source("shop__stores")
DAY = date(2026, 3, 1)
ORDER_ROWS = [
    {
        "order_id": "O0001",
        "store_id": "S01",
        "member_id": "M0007",
        "buyer_phone": "+86 138 0000 0000",
        "openid": "",
        "order_time": "2026-03-01 10:15:00",
        "order_status": "paid",
        "total_amount": "0199.50",
        "discount_amount": "10.00",
        "referral_code": "",
        "currency": "CNY",
        "updated_at": "2026-03-01 10:15:00",
    },
    {
        "order_id": "O0002",
        "store_id": "S02",
        "member_id": "",
        "buyer_phone": "13800000001",
        "openid": "oABC",
        "order_time": "2026/03/01 11:00",
        "order_status": "completed",
        "total_amount": "88",
        "discount_amount": "0",
        "referral_code": "REF-9",
        "currency": "CNY",
        "updated_at": "2026-03-01T03:00:00Z",
    },
    {
        "order_id": "O0003",
        "store_id": "S01",
        "member_id": "M0010",
        "buyer_phone": "",
        "openid": "",
        "order_time": "2026-03-01 12:30:00",
        "order_status": "cancelled",
        "total_amount": "1,299.00",
        "discount_amount": "",
        "referral_code": "",
        "currency": "CNY",
        "updated_at": "2026-03-01 13:00:00",
    },
]


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def landing_path(landing_root: Path, family: str, table: str, day: date = DAY) -> Path:
    path = landing_root / family / table / f"{table}_{day.isoformat()}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_orders(
    landing_root: Path,
    rows: list[dict[str, str]] = ORDER_ROWS,
    *,
    day: date = DAY,
    columns: list[str] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    columns = columns or ORDERS.column_names
    body = [[row.get(column, "") for column in columns] for row in rows]
    path = landing_path(landing_root, "shop", "orders", day)
    path.write_bytes(csv_text(columns, body, delimiter).encode(encoding))
    return path


def landing_row_count(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> int:
    """Data rows as the csv module sees them: every non-empty record after the header."""
    with path.open(encoding=encoding, newline="") as handle:
        records = [record for record in csv.reader(handle, delimiter=delimiter) if record]
    return len(records) - 1


def raw_path(raw_root: Path, family: str, table: str, day: date = DAY) -> Path:
    return raw_root / family / table / f"load_date={day.isoformat()}" / f"{table}_{day}.parquet"


def raw_rows(path: Path) -> list[dict[str, object]]:
    return pq.read_table(path).to_pylist()


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "landing", tmp_path / "raw"


def test_loads_a_clean_utf8_file_and_keeps_every_row_and_value_as_text(roots) -> None:
    landing_root, raw_root = roots
    path = write_orders(landing_root)

    report = load_source(ORDERS, landing_root, raw_root)

    table = pq.read_table(raw_path(raw_root, "shop", "orders"))
    assert table.schema.names == [*ORDERS.column_names, "_source_file", "_row_number"]
    assert all(table.schema.field(name).type == pa.string() for name in ORDERS.column_names)
    assert table.schema.field("_source_file").type == pa.string()
    assert table.schema.field("_row_number").type == pa.int64()
    expected = [
        {**row, "_source_file": path.name, "_row_number": number}
        for number, row in enumerate(ORDER_ROWS, start=1)
    ]
    assert table.to_pylist() == expected
    assert (report.files_loaded, report.rows_read, report.malformed_rows) == (1, 3, 0)
    assert report.source == "shop__orders"
    assert report.warnings == []


def test_reads_a_utf8_file_with_a_byte_order_mark(roots) -> None:
    landing_root, raw_root = roots
    write_orders(landing_root, encoding="utf-8-sig")

    report = load_source(ORDERS, landing_root, raw_root)

    rows = raw_rows(raw_path(raw_root, "shop", "orders"))
    assert [row["order_id"] for row in rows] == ["O0001", "O0002", "O0003"]
    assert report.files[0].encoding == "utf-8-sig"
    assert report.warnings == []


def test_reads_a_gbk_file_with_chinese_text(roots) -> None:
    landing_root, raw_root = roots
    header = STORES.column_names
    stores = [
        ["S01", "上海南京路旗舰店", "offline", "", "上海", "2024-05-01"],
        ["S02", "天猫官方旗舰店", "online", "tmall", "杭州", "2023-11-11"],
    ]
    path = landing_path(landing_root, "shop", "stores")
    path.write_bytes(csv_text(header, stores).encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    report = load_source(STORES, landing_root, raw_root)

    rows = raw_rows(raw_path(raw_root, "shop", "stores"))
    assert [[row[name] for name in header] for row in rows] == stores
    assert report.files[0].encoding == "gb18030"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"], ids=["semicolon", "tab", "pipe"])
def test_reads_a_file_with_another_delimiter(roots, delimiter: str) -> None:
    landing_root, raw_root = roots
    write_orders(landing_root, delimiter=delimiter)

    report = load_source(ORDERS, landing_root, raw_root)

    rows = raw_rows(raw_path(raw_root, "shop", "orders"))
    assert [row["total_amount"] for row in rows] == ["0199.50", "88", "1,299.00"]
    assert report.files[0].delimiter == delimiter
    assert report.warnings == []


def test_header_names_match_case_insensitively_in_any_order(roots) -> None:
    landing_root, raw_root = roots
    columns = list(reversed(ORDERS.column_names))
    path = landing_path(landing_root, "shop", "orders")
    header = [f"  {name.upper()} " for name in columns]
    body = [[row[column] for column in columns] for row in ORDER_ROWS]
    path.write_text(csv_text(header, body), encoding="utf-8")

    load_source(ORDERS, landing_root, raw_root)

    rows = raw_rows(raw_path(raw_root, "shop", "orders"))
    assert [{name: row[name] for name in ORDERS.column_names} for row in rows] == ORDER_ROWS


def test_a_header_only_file_loads_zero_rows(roots) -> None:
    landing_root, raw_root = roots
    write_orders(landing_root, rows=[])

    report = load_source(ORDERS, landing_root, raw_root)

    table = pq.read_table(raw_path(raw_root, "shop", "orders"))
    assert table.num_rows == 0
    assert table.schema.names[: len(ORDERS.columns)] == ORDERS.column_names
    assert (report.files_loaded, report.rows_read) == (1, 0)


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n"], ids=["zero_bytes", "blank_lines"])
def test_a_zero_byte_file_raises_naming_the_file(roots, content: bytes) -> None:
    landing_root, raw_root = roots
    path = landing_path(landing_root, "shop", "orders")
    path.write_bytes(content)

    with pytest.raises(LandingFileError, match="empty file, no header") as raised:
        load_source(ORDERS, landing_root, raw_root)

    assert raised.value.path == path
    assert path.name in str(raised.value)


def test_a_missing_required_column_raises_listing_it(roots) -> None:
    landing_root, raw_root = roots
    columns = [c for c in ORDERS.column_names if c not in ("order_status", "total_amount")]
    path = write_orders(landing_root, columns=columns)

    with pytest.raises(LandingFileError) as raised:
        load_source(ORDERS, landing_root, raw_root)

    message = str(raised.value)
    assert path.name in message
    assert "missing required column(s): order_status, total_amount" in message
    assert not raw_path(raw_root, "shop", "orders").exists()


def test_a_file_without_a_header_raises_without_echoing_its_values(roots) -> None:
    landing_root, raw_root = roots
    path = landing_path(landing_root, "shop", "orders")
    first_row = [ORDER_ROWS[0][column] for column in ORDERS.column_names]
    path.write_text(csv_text(first_row, []), encoding="utf-8")

    with pytest.raises(LandingFileError, match="header matches no column") as raised:
        load_source(ORDERS, landing_root, raw_root)

    assert ORDER_ROWS[0]["buyer_phone"] not in str(raised.value)


def test_a_missing_optional_column_is_filled_with_null_and_warned(roots, caplog) -> None:
    landing_root, raw_root = roots
    columns = [c for c in ORDERS.column_names if c not in ("buyer_phone", "referral_code")]
    path = write_orders(landing_root, columns=columns)

    with caplog.at_level(logging.WARNING, logger="dagster_project.landing"):
        report = load_source(ORDERS, landing_root, raw_root)

    rows = raw_rows(raw_path(raw_root, "shop", "orders"))
    assert [row["buyer_phone"] for row in rows] == [None, None, None]
    assert [row["referral_code"] for row in rows] == [None, None, None]
    assert [row["order_id"] for row in rows] == ["O0001", "O0002", "O0003"]
    assert report.warnings == [
        f"{path.name}: optional column(s) missing, filled with null: buyer_phone, referral_code"
    ]
    assert "buyer_phone, referral_code" in caplog.text


def test_an_extra_column_is_dropped_with_a_warning(roots) -> None:
    landing_root, raw_root = roots
    columns = [*ORDERS.column_names, "coupon_batch"]
    rows = [{**row, "coupon_batch": "B7"} for row in ORDER_ROWS]
    path = write_orders(landing_root, rows=rows, columns=columns)

    report = load_source(ORDERS, landing_root, raw_root)

    table = pq.read_table(raw_path(raw_root, "shop", "orders"))
    assert "coupon_batch" not in table.schema.names
    assert table.num_rows == 3
    assert report.warnings == [f"{path.name}: unknown column(s) dropped: coupon_batch"]


def test_a_truncated_last_line_is_kept_and_counted_as_malformed(roots) -> None:
    landing_root, raw_root = roots
    path = write_orders(landing_root, rows=ORDER_ROWS[:2])
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write("O0003,S01,M00")  # the export stopped mid-row, without a newline

    report = load_source(ORDERS, landing_root, raw_root)

    rows = raw_rows(raw_path(raw_root, "shop", "orders"))
    assert len(rows) == landing_row_count(path) == 3
    last = rows[-1]
    assert (last["order_id"], last["store_id"], last["member_id"]) == ("O0003", "S01", "M00")
    assert all(last[name] is None for name in ORDERS.column_names[3:])
    assert last["_row_number"] == 3
    assert (report.rows_read, report.malformed_rows) == (3, 1)
    assert len(report.warnings) == 1
    assert "1 malformed row(s)" in report.warnings[0]
    assert "data row(s) 3" in report.warnings[0]
    assert "M00" not in report.warnings[0]


@pytest.mark.parametrize(
    "file_name",
    ["orders_20260301.csv", "orders-2026-03-01.csv", "orders_2026-02-30.csv", "orders.xlsx"],
)
def test_a_bad_file_name_raises(roots, file_name: str) -> None:
    landing_root, raw_root = roots
    write_orders(landing_root)
    bad = landing_root / "shop" / "orders" / file_name
    bad.write_text("order_id\n", encoding="utf-8")

    with pytest.raises(LandingFileError) as raised:
        load_source(ORDERS, landing_root, raw_root)

    assert raised.value.path == bad
    assert file_name in str(raised.value)


def test_hidden_files_and_subfolders_are_not_landing_files(roots) -> None:
    landing_root, raw_root = roots
    write_orders(landing_root)
    (landing_root / "shop" / "orders" / ".orders_2026-03-01.csv.swp").write_bytes(b"\x00")
    (landing_root / "shop" / "orders" / "archive").mkdir()

    report = load_source(ORDERS, landing_root, raw_root)

    assert report.files_loaded == 1


def test_reloading_the_same_file_gives_byte_identical_parquet_and_no_double_counting(
    roots,
) -> None:
    landing_root, raw_root = roots
    path = write_orders(landing_root)
    target = raw_path(raw_root, "shop", "orders")

    first = load_source(ORDERS, landing_root, raw_root)
    first_bytes = target.read_bytes()
    second = load_source(ORDERS, landing_root, raw_root)

    assert target.read_bytes() == first_bytes
    assert first.rows_read == second.rows_read == landing_row_count(path)
    table_dir = raw_root / "shop" / "orders"
    assert [p.name for p in table_dir.rglob("*") if p.is_file()] == [target.name]
    raw_table = pa_dataset.dataset(table_dir, format="parquet", partitioning="hive").to_table()
    assert raw_table.num_rows == landing_row_count(path)


def _write_three_days_one_truncated(landing_root: Path) -> list[date]:
    days = [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    for day in days:
        write_orders(landing_root, day=day)
    with landing_path(landing_root, "shop", "orders", days[1]).open("a", encoding="utf-8") as f:
        f.write("O0009,S01")  # a truncated last row, warned about as malformed
    return days


def test_loading_in_worker_processes_writes_the_same_bytes_and_report_as_one_process(
    tmp_path: Path,
) -> None:
    landing_root = tmp_path / "landing"
    days = _write_three_days_one_truncated(landing_root)

    serial_reports = load_all(landing_root, tmp_path / "raw_serial", workers=1)
    parallel_reports = load_all(landing_root, tmp_path / "raw_parallel", workers=2)

    assert [r.source for r in parallel_reports] == [r.source for r in serial_reports]
    serial, parallel = (
        next(report for report in reports if report.source == ORDERS.name)
        for reports in (serial_reports, parallel_reports)
    )

    assert [load.load_date for load in parallel.files] == days
    assert [(load.file_name, load.rows, load.malformed_rows) for load in parallel.files] == [
        (f"orders_{day}.csv", rows, malformed)
        for day, rows, malformed in zip(days, (3, 4, 3), (0, 1, 0), strict=True)
    ]
    assert [load.malformed_rows for load in parallel.files] == [
        load.malformed_rows for load in serial.files
    ]
    assert parallel.warnings == serial.warnings
    assert len(parallel.warnings) == 1
    for day in days:
        serial_bytes = raw_path(tmp_path / "raw_serial", "shop", "orders", day).read_bytes()
        assert raw_path(tmp_path / "raw_parallel", "shop", "orders", day).read_bytes() == (
            serial_bytes
        )


def test_a_bad_file_loaded_in_a_worker_process_raises_naming_the_file(roots) -> None:
    landing_root, raw_root = roots
    _write_three_days_one_truncated(landing_root)
    bad = landing_path(landing_root, "shop", "orders", date(2026, 3, 4))
    bad.write_bytes(b"")

    with pytest.raises(LandingFileError) as raised:
        load_all(landing_root, raw_root, workers=2)

    assert raised.value.path == bad


def test_load_dates_filter_loads_only_those_days(roots) -> None:
    landing_root, raw_root = roots
    days = [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    for day in days:
        write_orders(landing_root, day=day)

    report = load_source(ORDERS, landing_root, raw_root, load_dates=[days[1]])

    assert [load.file_name for load in report.files] == ["orders_2026-03-02.csv"]
    assert raw_path(raw_root, "shop", "orders", days[1]).exists()
    assert not raw_path(raw_root, "shop", "orders", days[0]).exists()
    assert not raw_path(raw_root, "shop", "orders", days[2]).exists()


def test_landing_dates_lists_the_export_days_present(roots) -> None:
    landing_root, _ = roots
    for day in (date(2026, 3, 2), date(2026, 2, 28)):
        write_orders(landing_root, day=day)

    assert landing_dates(ORDERS, landing_root) == [date(2026, 2, 28), date(2026, 3, 2)]
    assert landing_dates(STORES, landing_root) == []


def test_rows_in_landing_equal_rows_in_raw_for_every_file(roots) -> None:
    landing_root, raw_root = roots
    multiline = {**ORDER_ROWS[0], "order_id": "O0100", "referral_code": "line one\nline two"}
    files = {
        date(2026, 3, 1): write_orders(landing_root, day=date(2026, 3, 1)),
        date(2026, 3, 2): write_orders(landing_root, rows=[multiline], day=date(2026, 3, 2)),
        date(2026, 3, 3): write_orders(landing_root, rows=[], day=date(2026, 3, 3)),
        date(2026, 3, 4): write_orders(landing_root, rows=ORDER_ROWS * 40, day=date(2026, 3, 4)),
    }

    report = load_source(ORDERS, landing_root, raw_root)

    for day, path in files.items():
        table = pq.read_table(raw_path(raw_root, "shop", "orders", day))
        assert table.num_rows == landing_row_count(path), path.name
        assert set(table.column("_source_file").to_pylist()) <= {path.name}
        assert table.column("_row_number").to_pylist() == list(range(1, table.num_rows + 1))
    assert report.rows_read == sum(landing_row_count(path) for path in files.values())
    assert report.files_loaded == len(files)


def test_a_source_without_landing_files_gets_a_schema_only_raw_file_until_data_arrives(
    roots,
) -> None:
    landing_root, raw_root = roots
    empty = raw_root / "shop" / "orders" / "load_date=1970-01-01" / "empty.parquet"

    report = load_source(ORDERS, landing_root, raw_root)

    assert report.files_loaded == 0
    assert len(report.warnings) == 1
    assert "no landing files in shop/orders/" in report.warnings[0]
    table_dir = raw_root / "shop" / "orders"
    dataset = pa_dataset.dataset(table_dir, format="parquet", partitioning="hive")
    assert dataset.schema.names[: len(ORDERS.columns)] == ORDERS.column_names
    assert dataset.to_table().num_rows == 0

    write_orders(landing_root)
    load_source(ORDERS, landing_root, raw_root)

    assert not empty.exists()
    assert not empty.parent.exists()


def test_load_all_covers_every_contract_source(roots) -> None:
    landing_root, raw_root = roots
    write_orders(landing_root)

    reports = load_all(landing_root, raw_root)

    assert [report.source for report in reports] == [source.name for source in SOURCES]
    by_source = {report.source: report for report in reports}
    assert by_source["shop__orders"].rows_read == 3
    for source in SOURCES:
        assert list((raw_root / source.family / source.table).rglob("*.parquet")), source.name


def test_the_command_line_loads_the_data_dir_and_logs_one_line_per_source(
    tmp_path: Path, monkeypatch, caplog
) -> None:
    write_orders(tmp_path / "landing")
    monkeypatch.setenv("CVW_DATA_DIR", str(tmp_path))

    with caplog.at_level(logging.INFO, logger="dagster_project.landing"):
        exit_code = landing_cli.main([])

    assert exit_code == 0
    assert raw_path(tmp_path / "raw", "shop", "orders").exists()
    summaries = [r.message for r in caplog.records if r.levelno == logging.INFO]
    assert len(summaries) == len(SOURCES)
    assert "shop__orders: 1 files, 3 rows, 0 malformed" in summaries
    assert ORDER_ROWS[0]["buyer_phone"] not in caplog.text
