"""Resources: where the warehouse lives, the dbt project and the dbt CLI."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource, DbtProject

from dagster_project.lib.data_layout import REPO_ROOT, DataLayout, data_dir_from_env

# The dbt project the dbt assets are declared from and the dbt CLI resource runs: one object, so
# both always see the same manifest and target.
dbt_project = DbtProject(
    project_dir=REPO_ROOT,
    profiles_dir=REPO_ROOT,
    target=os.environ.get("CVW_DBT_TARGET", "duckdb"),
)
# Parses the project under `dagster dev`; `make` runs `dbt parse` before any other entry point.
dbt_project.prepare_if_dev()


def default_data_dir() -> str:
    """``CVW_DATA_DIR`` or ``data/`` in the repository (lib/data_layout.py owns the layout)."""
    return str(data_dir_from_env())


class WarehouseResource(ConfigurableResource):
    """The landing folder, the raw Parquet layer and the DuckDB file of one warehouse."""

    data_dir: str

    @property
    def layout(self) -> DataLayout:
        return DataLayout(Path(self.data_dir))

    @property
    def landing_root(self) -> Path:
        return self.layout.landing

    @property
    def raw_root(self) -> Path:
        return self.layout.raw

    @property
    def duckdb_path(self) -> Path:
        return self.layout.warehouse

    @contextmanager
    def read_only_connection(
        self, memory_limit: str | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to the DuckDB file, closed on leaving the block."""
        config = {"memory_limit": memory_limit} if memory_limit else {}
        with duckdb.connect(str(self.duckdb_path), read_only=True, config=config) as connection:
            yield connection

    def read_table(self, relation: str, order_by: str | None = None) -> pd.DataFrame:
        """Read a whole warehouse table; the read-only connection is closed before returning.

        ``order_by`` gives the rows a fixed order: DuckDB's own order differs between builds, and
        a model fitted on the rows would otherwise differ in its last digits from run to run.
        """
        order = f" order by {order_by}" if order_by else ""
        with self.read_only_connection() as connection:
            return connection.execute(f"select * from {relation}{order}").df()


def dbt_executable() -> str:
    """The dbt installed next to this interpreter, so an un-activated virtualenv still works."""
    beside_python = Path(sys.executable).parent / "dbt"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("dbt") or "dbt"


def build_resources() -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(data_dir=default_data_dir()),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
