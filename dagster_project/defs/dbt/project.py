"""The dbt project, shared by the dbt assets and the dbt CLI resource."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_dbt import DbtProject

REPO_ROOT = Path(__file__).resolve().parents[3]

dbt_project = DbtProject(
    project_dir=REPO_ROOT,
    profiles_dir=REPO_ROOT,
    target=os.environ.get("CVW_DBT_TARGET", "duckdb"),
)
# Parses the project under `dagster dev`; `make` runs `dbt parse` before any other entry point.
dbt_project.prepare_if_dev()
