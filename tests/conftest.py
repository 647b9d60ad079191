"""Shared fixtures: a warehouse built end to end from a small demo dataset, once per session."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from warehouse_helpers import dbt_build

from dagster_project.lib.demo.generator import generate
from dagster_project.lib.landing import load_all

# The partitions start at the earliest landing file of the configured data folder; the tests that
# name 2026 days need them to exist whatever that folder holds (test_own_history unsets it).
os.environ.setdefault("CVW_PARTITIONS_START", "2025-01-01")

# Small enough to build in well under a minute, large enough for every RFM bucket and for
# cohorts spanning several months.
DEMO_SEED = 11
DEMO_CUSTOMERS = 400
DEMO_DAYS = 240
DEMO_END_DATE = date(2026, 10, 31)


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
    dbt_build(data_dir)
    return data_dir
