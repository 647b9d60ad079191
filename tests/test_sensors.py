"""The landing sensor, the nightly schedule's partition, and the dbt arguments of a run."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import (
    DagsterInstance,
    DailyPartitionsDefinition,
    RunRequest,
    build_schedule_context,
    build_sensor_context,
)

from dagster_project.defs.dbt.assets import FULL_REFRESH_ENV, dbt_build_args
from dagster_project.defs.ingest.partitions import (
    RANGE_END_TAG,
    RANGE_START_TAG,
    daily_partitions,
    dbt_vars_args,
    partition_days,
)
from dagster_project.defs.schedules import nightly_schedule
from dagster_project.defs.sensors import evaluate, new_landing_files
from dagster_project.lib.export_days import (
    DEFAULT_PARTITIONS_START,
    PARTITIONS_START_ENV,
    landing_range,
    partitions_start,
)

OCT_1, OCT_2 = date(2026, 10, 1), date(2026, 10, 2)
KEYS = {"2026-10-01", "2026-10-02"}


def _touch(landing: Path, family: str, table: str, day: date) -> None:
    folder = landing / family / table
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{table}_{day.isoformat()}.csv").write_text("header\n", encoding="utf-8")


def test_new_files_request_one_extraction_per_export_day():
    inventory = {
        "shop/orders/orders_2026-10-01.csv": OCT_1,
        "shop/refunds/refunds_2026-10-01.csv": OCT_1,
        "shop/orders/orders_2026-10-02.csv": OCT_2,
    }
    requests, cursor = evaluate(inventory, None, KEYS)
    assert [request.partition_key for request in requests] == ["2026-10-01", "2026-10-02"]
    assert [request.tags["cvw/new_landing_files"] for request in requests] == ["2", "1"]
    assert sorted(json.loads(cursor)) == sorted(inventory)


def test_files_already_seen_request_nothing_and_a_late_file_requests_its_day_again():
    inventory = {"shop/orders/orders_2026-10-01.csv": OCT_1}
    _, cursor = evaluate(inventory, None, KEYS)
    assert evaluate(inventory, cursor, KEYS) == ([], cursor)

    inventory["shop/refunds/refunds_2026-10-01.csv"] = OCT_1
    requests, _ = evaluate(inventory, cursor, KEYS)
    assert [request.partition_key for request in requests] == ["2026-10-01"]
    # A different set of new files is a different run key, so the day runs again.
    first_key = evaluate({"shop/orders/orders_2026-10-01.csv": OCT_1}, None, KEYS)[0][0].run_key
    assert requests[0].run_key != first_key


def test_files_of_a_day_without_partition_wait_for_a_later_tick():
    inventory = {"shop/orders/orders_2026-10-03.csv": date(2026, 10, 3)}
    requests, cursor = evaluate(inventory, None, KEYS)
    assert requests == []
    assert json.loads(cursor) == []


def test_sensor_reads_the_landing_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CVW_DATA_DIR", str(tmp_path))
    _touch(tmp_path / "landing", "shop", "orders", OCT_1)
    _touch(tmp_path / "landing", "ads", "ad_clicks", OCT_2)
    with DagsterInstance.ephemeral() as instance:
        result = new_landing_files(build_sensor_context(instance=instance))
        assert [request.partition_key for request in result.run_requests] == sorted(KEYS)
        again = new_landing_files(build_sensor_context(instance=instance, cursor=result.cursor))
    assert not isinstance(again, RunRequest) and not getattr(again, "run_requests", None)


def test_nightly_schedule_runs_the_previous_china_day_at_two():
    tick = datetime(2026, 10, 2, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(instance=instance, scheduled_execution_time=tick)
        (request,) = nightly_schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-10-01"
    assert daily_partitions.timezone == "Asia/Shanghai"


def test_a_partition_range_gives_dbt_its_last_day_and_a_lookback_to_its_first():
    tags = {RANGE_START_TAG: "2026-10-01", RANGE_END_TAG: "2026-10-07"}
    assert partition_days(tags) == (OCT_1, date(2026, 10, 7))
    flag, payload = dbt_vars_args(tags)
    assert flag == "--vars"
    # Six days back reach the first day; three more cover rows that landed late before it.
    assert json.loads(payload) == {"run_date": "2026-10-07", "lookback_days": 9}
    assert json.loads(dbt_vars_args({"dagster/partition": "2026-10-01"})[1]) == {
        "run_date": "2026-10-01",
        "lookback_days": 3,
    }
    assert json.loads(dbt_vars_args({})[1]) == {"lookback_days": 3}


@pytest.mark.parametrize(
    ("setting", "full_refresh"), [(None, False), ("0", False), ("1", True), (" TRUE ", True)]
)
def test_full_refresh_setting_rebuilds_the_incremental_models_from_every_raw_day(
    monkeypatch: pytest.MonkeyPatch, setting: str | None, full_refresh: bool
):
    if setting is None:
        monkeypatch.delenv(FULL_REFRESH_ENV, raising=False)
    else:
        monkeypatch.setenv(FULL_REFRESH_ENV, setting)
    arguments = dbt_build_args({"dagster/partition": "2026-10-01"})
    assert arguments[:2] == ["build", "--vars"]
    assert json.loads(arguments[2]) == {"run_date": "2026-10-01", "lookback_days": 3}
    assert ("--full-refresh" in arguments) is full_refresh


def test_backfill_covers_the_landing_days_in_one_partition_range_run(tmp_path: Path):
    _touch(tmp_path, "shop", "orders", OCT_2)
    _touch(tmp_path, "scrm", "miniprogram_events", OCT_1)
    assert landing_range(tmp_path) == (OCT_1, OCT_2)
    assert landing_range(tmp_path / "missing") is None
    # The range's days reach dbt: run_date is the last day, the lookback reaches the first.
    tags = {
        "dagster/asset_partition_range_start": OCT_1.isoformat(),
        "dagster/asset_partition_range_end": OCT_2.isoformat(),
    }
    dbt_vars = json.loads(dbt_build_args(tags)[2])
    assert dbt_vars["run_date"] == "2026-10-02"
    assert dbt_vars["lookback_days"] == 1 + 3


def test_the_partitions_start_at_the_earliest_export_day_named_in_the_landing_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv(PARTITIONS_START_ENV, raising=False)
    landing = tmp_path / "landing"
    assert partitions_start(landing) == DEFAULT_PARTITIONS_START
    _touch(landing, "shop", "members", date(1999, 1, 1))
    _touch(landing, "shop", "orders", date(1998, 3, 2))
    # Neither a hidden file nor a misnamed one moves the start (the extraction names the latter).
    (landing / "shop" / "orders" / ".orders_1990-01-01.csv").write_text("x", encoding="utf-8")
    (landing / "shop" / "orders" / "orders_1991-02-30.csv").write_text("x", encoding="utf-8")
    (landing / "shop" / "orders" / "orders_final.csv").write_text("x", encoding="utf-8")
    assert partitions_start(landing) == "1998-03-02"
    monkeypatch.setenv(PARTITIONS_START_ENV, "2024-06-01")
    assert partitions_start(landing) == "2024-06-01"


def test_files_from_1998_are_extracted_by_the_sensor_of_a_folder_starting_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv(PARTITIONS_START_ENV, raising=False)
    landing = tmp_path / "landing"
    _touch(landing, "shop", "orders", date(1998, 3, 2))
    partitions = DailyPartitionsDefinition(
        start_date=partitions_start(landing), timezone="Asia/Shanghai"
    )
    keys = set(partitions.get_partition_keys())
    inventory = {"shop/orders/orders_1998-03-02.csv": date(1998, 3, 2)}
    requests, _ = evaluate(inventory, None, keys)
    assert [request.partition_key for request in requests] == ["1998-03-02"]
