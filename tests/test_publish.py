"""BI reads a snapshot that only a clean run replaces, and that stays readable while dbt writes."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    AssetSelection,
    DagsterInstance,
    ExecuteInProcessResult,
    asset,
    asset_check,
    materialize,
)
from dagster_dbt import DbtCliResource
from warehouse_helpers import schema_tables, sorted_rows

from dagster_project.defs.dbt.assets import warehouse_dbt_models
from dagster_project.defs.publish.assets import MART_KEYS, PUBLISHED_SNAPSHOT, warehouse_snapshot
from dagster_project.lib import publish
from dagster_project.resources import WarehouseResource, dbt_executable, dbt_project

RFM = AssetKey(["marts", "customer_rfm"])


def _copy_warehouse(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy2(source / "warehouse.duckdb", target / "warehouse.duckdb")
    shutil.copytree(source / "raw", target / "raw")
    return target


def _resources(data_dir: Path) -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(data_dir=str(data_dir)),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }


def _published_label(data_dir: Path) -> str | None:
    return publish.current_snapshot(publish.published_root(data_dir))


@pytest.fixture(scope="module")
def published(
    built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ExecuteInProcessResult]:
    """A copy of the built warehouse with a first snapshot published by the Dagster asset."""
    data_dir = _copy_warehouse(built_warehouse, tmp_path_factory.mktemp("publish") / "data")
    result = materialize(
        [warehouse_snapshot],
        resources=_resources(data_dir),
        instance=DagsterInstance.ephemeral(),
    )
    return data_dir, result


def test_marts_are_read_from_the_dbt_manifest() -> None:
    assert RFM in MART_KEYS
    assert AssetKey(["marts", "customer_clv_predictions"]) in MART_KEYS
    assert all(key.path[0] == "marts" for key in MART_KEYS)
    assert set(warehouse_snapshot.dependency_keys) == set(MART_KEYS)


def test_publish_copies_every_mart_with_equal_contents(
    published: tuple[Path, ExecuteInProcessResult],
) -> None:
    data_dir, result = published
    assert result.success
    root = publish.published_root(data_dir)
    # The per-grain channel_roi views are published as tables like every other mart.
    source = schema_tables(data_dir / "warehouse.duckdb", include_views=True)
    snapshot = schema_tables(publish.stable_duckdb_path(root))
    # MART_KEYS comes from target/manifest.json: `make dbt-parse` refreshes it.
    assert set(source) == {key.path[-1] for key in MART_KEYS}, "stale dbt manifest?"
    assert set(snapshot) == set(source)
    for name, frame in source.items():
        pd.testing.assert_frame_equal(snapshot[name], frame, check_dtype=False, obj=name)
        parquet_path = publish.stable_parquet_dir(root) / f"{name}.parquet"
        # Read back the way a BI tool would, through DuckDB, so dates come back as dates.
        parquet = sorted_rows(duckdb.sql(f"select * from read_parquet('{parquet_path}')").df())
        assert len(parquet) == len(frame), name
        pd.testing.assert_frame_equal(
            parquet, frame, check_dtype=False, check_index_type=False, obj=f"{name}.parquet"
        )


def test_published_paths_are_links_to_one_snapshot(
    published: tuple[Path, ExecuteInProcessResult],
) -> None:
    data_dir, _ = published
    root = publish.published_root(data_dir)
    label = _published_label(data_dir)
    assert label
    assert os.readlink(publish.stable_duckdb_path(root)) == f"warehouse_{label}.duckdb"
    assert os.readlink(publish.stable_parquet_dir(root)) == f"parquet_{label}"
    quality = schema_tables(publish.stable_duckdb_path(root), "quality")
    # Counts only: the raw values (phones, ids) of quarantined rows never reach BI.
    assert list(quality["quarantine_summary"].columns) == [
        "source",
        "quarantine_reason",
        "quarantined_rows",
    ]


def test_failing_model_leaves_previous_snapshot_readable_while_dbt_writes(
    published: tuple[Path, ExecuteInProcessResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_dir, _ = published
    before = _published_label(data_dir)
    stable = publish.stable_duckdb_path(publish.published_root(data_dir))
    expected_rows = len(schema_tables(stable)["customer_rfm"])
    # Regression guard for the nightly path: a raw table gone missing makes its staging model
    # fail, the dbt step fails, and the publish step must not run.
    shutil.rmtree(data_dir / "raw" / "shop" / "orders")
    monkeypatch.setenv("CVW_DATA_DIR", str(data_dir))
    monkeypatch.delenv("CVW_DUCKDB_PATH", raising=False)

    reads: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read_snapshot_while_running() -> None:
        while not stop.is_set():
            try:
                with duckdb.connect(str(stable), read_only=True) as connection:
                    reads.append(
                        connection.execute("select count(*) from marts.customer_rfm").fetchone()[0]
                    )
            except BaseException as error:  # noqa: BLE001 - any failure to read is the finding
                errors.append(error)
            time.sleep(0.05)

    reader = threading.Thread(target=read_snapshot_while_running)
    reader.start()
    try:
        result = materialize(
            [warehouse_dbt_models, warehouse_snapshot],
            selection=AssetSelection.assets(warehouse_snapshot)
            | (AssetSelection.keys(RFM).upstream() & AssetSelection.assets(warehouse_dbt_models)),
            resources=_resources(data_dir),
            instance=DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    finally:
        stop.set()
        reader.join()

    assert not result.success
    failed_steps = {event.step_key for event in result.all_events if event.is_step_failure}
    assert any("warehouse_dbt_models" in step for step in failed_steps)
    assert PUBLISHED_SNAPSHOT not in {
        event.asset_key for event in result.get_asset_materialization_events()
    }
    assert _published_label(data_dir) == before
    assert not errors, errors
    assert reads and set(reads) == {expected_rows}
    with duckdb.connect(str(stable), read_only=True) as connection:
        assert (
            connection.execute("select count(*) from marts.customer_rfm").fetchone()[0]
            == expected_rows
        )


def _stand_in_mart_with_check(severity: AssetCheckSeverity) -> list[object]:
    @asset(key=RFM)
    def stand_in_rfm() -> None:
        """Materializes nothing: the warehouse copy already holds the mart."""

    @asset_check(asset=RFM, blocking=True)
    def failing_rfm_check() -> AssetCheckResult:
        return AssetCheckResult(passed=False, severity=severity)

    return [stand_in_rfm, failing_rfm_check]


@pytest.mark.parametrize(
    ("severity", "publishes"),
    [(AssetCheckSeverity.ERROR, False), (AssetCheckSeverity.WARN, True)],
)
def test_only_error_level_check_failures_block_the_publish(
    built_warehouse: Path, tmp_path: Path, severity: AssetCheckSeverity, publishes: bool
) -> None:
    data_dir = _copy_warehouse(built_warehouse, tmp_path / "data")
    result = materialize(
        [*_stand_in_mart_with_check(severity), warehouse_snapshot],
        resources=_resources(data_dir),
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert (PUBLISHED_SNAPSHOT in materialized) is publishes
    assert (_published_label(data_dir) is not None) is publishes
    if publishes:
        checks = schema_tables(
            publish.stable_duckdb_path(publish.published_root(data_dir)), "quality"
        )
        recorded = checks["check_results"]
        assert list(recorded["passed"]) == [False]
        assert list(recorded["severity"]) == ["warn"]


def test_failure_while_writing_keeps_previous_snapshot(
    built_warehouse: Path, tmp_path: Path
) -> None:
    root = tmp_path / "published"
    warehouse = built_warehouse / "warehouse.duckdb"
    first = publish.publish_snapshot(
        warehouse, root, "20261101T000000Z_first", marts=["customer_rfm"]
    )
    with pytest.raises(RuntimeError, match="missing"):
        publish.publish_snapshot(
            warehouse, root, "20261102T000000Z_second", marts=["customer_rfm", "no_such_mart"]
        )
    assert publish.current_snapshot(root) == first.label
    assert sorted(path.name for path in root.iterdir()) == sorted(
        ["warehouse.duckdb", "parquet", f"warehouse_{first.label}.duckdb", f"parquet_{first.label}"]
    )


def test_old_snapshots_are_pruned_but_the_current_one_is_kept(
    built_warehouse: Path, tmp_path: Path
) -> None:
    root = tmp_path / "published"
    warehouse = built_warehouse / "warehouse.duckdb"
    labels = [f"2026110{day}T000000Z_run{day}" for day in range(1, 6)]
    for label in labels:
        publish.publish_snapshot(warehouse, root, label, marts=["cohort_retention"])
    kept = sorted(path.name.removeprefix("parquet_") for path in root.glob("parquet_*"))
    assert kept == labels[-publish.SNAPSHOTS_KEPT :]
    assert publish.current_snapshot(root) == labels[-1]
