"""Where a warehouse keeps its files: the one owner of every path under the data folder.

    <data>/landing/    exports as delivered (CSV), never changed by the pipeline
                       (``CVW_LANDING_DIR`` reads them from any other folder instead)
    <data>/raw/        the raw Parquet layer, one file per landing file
    <data>/models/     the model-fitting assets' Parquet outputs
    <data>/warehouse.duckdb   the working DuckDB file (``CVW_DUCKDB_PATH`` overrides it)
    <data>/published/  the read-only snapshot BI tools read
    <data>/reports/    the HTML report, the data-quality report and the validation results

``<data>`` is ``CVW_DATA_DIR``, default ``data/`` in the repository; a relative path is taken from
the repository root, so a command behaves the same from any working directory. dbt's own view of
the same layout is in dbt_project.yml (``raw_root``, ``models_root``) and profiles.yml.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR_ENV = "CVW_DATA_DIR"
DUCKDB_PATH_ENV = "CVW_DUCKDB_PATH"
LANDING_DIR_ENV = "CVW_LANDING_DIR"


def data_dir_from_env() -> Path:
    """``CVW_DATA_DIR`` or ``data``; a relative path is taken from the repository root."""
    configured = Path(os.environ.get(DATA_DIR_ENV, "data"))
    return configured if configured.is_absolute() else REPO_ROOT / configured


@dataclass(frozen=True)
class DataLayout:
    root: Path

    @classmethod
    def from_env(cls) -> DataLayout:
        return cls(data_dir_from_env())

    @property
    def landing(self) -> Path:
        """The exports: ``CVW_LANDING_DIR`` when set (``make load DATA=...``), else in the data
        folder. The pipeline only reads them."""
        override = os.environ.get(LANDING_DIR_ENV)
        if override:
            configured = Path(override)
            return configured if configured.is_absolute() else REPO_ROOT / configured
        return self.root / "landing"

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def published(self) -> Path:
        return self.root / "published"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def warehouse(self) -> Path:
        """The working DuckDB file: ``CVW_DUCKDB_PATH`` when set, else in the data folder."""
        override = os.environ.get(DUCKDB_PATH_ENV)
        return Path(override) if override else self.root / "warehouse.duckdb"
