"""Spark parity tests start a JVM and build the project twice: opt-in with CVW_SPARK_TESTS=1.

`make test-spark` installs the Spark extra (requirements-spark.lock) and sets the variable. A
plain `pytest` run collects and skips these tests, whether or not pyspark is installed (the
default install has none). With the variable set, a missing pyspark or dbt-spark fails every test
here instead of skipping it, so a Spark run can never pass without building on Spark.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

SPARK_TESTS_VARIABLE = "CVW_SPARK_TESTS"
# What the `spark` extra of pyproject.toml brings: the local session and dbt's Spark adapter.
SPARK_MODULES = ("pyspark", "dbt.adapters.spark")


def _is_spark_test(item: pytest.Item) -> bool:
    return "tests/spark/" in item.nodeid or item.nodeid.startswith("spark/")


def missing_spark_modules() -> list[str]:
    """The Spark modules this environment cannot import (found without importing them)."""
    missing = []
    for name in SPARK_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # a parent package is missing too
            found = False
        if not found:
            missing.append(name)
    return missing


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(SPARK_TESTS_VARIABLE) == "1":
        return
    installed = "installed" if not missing_spark_modules() else "not installed"
    skip = pytest.mark.skip(
        reason=f"Spark parity runs only with {SPARK_TESTS_VARIABLE}=1 (pyspark {installed})"
    )
    for item in items:
        if _is_spark_test(item):
            item.add_marker(skip)


# Session scope: pytest sets up wider fixtures first, so a narrower check would only fail after
# the module's DuckDB build had run for minutes.
@pytest.fixture(scope="session", autouse=True)
def _spark_is_installed() -> None:
    """Runs only when a test here was not skipped, that is under CVW_SPARK_TESTS=1."""
    missing = missing_spark_modules()
    if missing:
        pytest.fail(
            f"{SPARK_TESTS_VARIABLE}=1 but {', '.join(missing)} cannot be imported: install the "
            "Spark extra with `make install-spark` (requirements-spark.lock) or "
            "`pip install .[spark]`",
            pytrace=False,
        )
