"""Shared fixtures: a warehouse built end to end from a small demo dataset, once per session."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dagster_project.lib.demo_data import generate
from dagster_project.lib.landing import load_all

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).with_name("dbt")
# Small enough to build in well under a minute, large enough for every RFM bucket and for
# cohorts spanning several months.
DEMO_SEED = 11
DEMO_CUSTOMERS = 400
DEMO_DAYS = 240
DEMO_END_DATE = date(2026, 10, 31)


def _dbt_build(data_dir: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "CVW_DUCKDB_PATH"}
    env.update(
        CVW_DATA_DIR=str(data_dir),
        CVW_DBT_TARGET="duckdb",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    # target/ and logs/ go to the temporary folder so the build never touches the working tree's
    # manifest that Dagster reads.
    command = [
        str(DBT),
        "build",
        "--profiles-dir",
        str(REPO_ROOT),
        "--project-dir",
        str(REPO_ROOT),
        "--target-path",
        str(data_dir / "target"),
        "--log-path",
        str(data_dir / "logs"),
    ]
    result = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data dir with demo landing files, the raw layer and ``warehouse.duckdb`` after dbt build."""
    data_dir = tmp_path_factory.mktemp("warehouse")
    generate(
        data_dir / "landing",
        seed=DEMO_SEED,
        customers=DEMO_CUSTOMERS,
        days=DEMO_DAYS,
        end_date=DEMO_END_DATE,
    )
    load_all(data_dir / "landing", data_dir / "raw")
    _dbt_build(data_dir)
    return data_dir
