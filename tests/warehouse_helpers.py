"""What the tests share: the repository root, dbt builds into a scratch folder, marts as frames."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).with_name("dbt")


def dbt_build(
    data_dir: Path,
    *arguments: str,
    target: str = "duckdb",
    target_path: Path | None = None,
    cwd: Path = REPO_ROOT,
) -> None:
    """``dbt build`` on ``target`` over ``data_dir``; fails the test with dbt's errors on failure.

    target/ and logs/ go under ``data_dir`` (or ``target_path``) so a build never touches the
    working tree's manifest that Dagster reads. Spark keeps its metastore and tables in
    ``data_dir/spark``.
    """
    target_path = target_path or data_dir / "target"
    env = {key: value for key, value in os.environ.items() if key != "CVW_DUCKDB_PATH"}
    env.update(
        CVW_DATA_DIR=str(data_dir),
        CVW_DBT_TARGET=target,
        CVW_SPARK_DIR=str(data_dir / "spark"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    command = [
        str(DBT),
        "build",
        "--profiles-dir",
        str(REPO_ROOT),
        "--project-dir",
        str(REPO_ROOT),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
        *arguments,
    ]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        errors = "\n".join(
            line for line in result.stdout.splitlines() if "ERROR" in line or "FAIL" in line
        )
        pytest.fail(
            f"dbt build {' '.join(arguments)} on {target} failed:\n{errors[-6000:]}\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
        )


def schema_tables(
    database: Path, schema: str = "marts", include_views: bool = False
) -> dict[str, pd.DataFrame]:
    """Every table of a schema (and view, if asked), rows sorted on every column so row order
    cannot hide a change."""
    kinds = ["BASE TABLE", "VIEW"] if include_views else ["BASE TABLE"]
    with duckdb.connect(str(database), read_only=True) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and list_contains(?, table_type) order by 1",
                [schema, kinds],
            ).fetchall()
        ]
        frames = {
            name: connection.execute(f'select * from {schema}."{name}"').df() for name in names
        }
    return {name: sorted_rows(frame) for name, frame in frames.items()}


def sorted_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)
