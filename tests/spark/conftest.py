"""Spark parity tests start a JVM and build the project twice: opt-in with CVW_SPARK_TESTS=1.

`make test-spark` sets the variable; a plain `pytest` run collects and skips these tests.
"""

from __future__ import annotations

import os

import pytest

SPARK_TESTS_VARIABLE = "CVW_SPARK_TESTS"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(SPARK_TESTS_VARIABLE) == "1":
        return
    skip = pytest.mark.skip(reason=f"Spark parity runs only with {SPARK_TESTS_VARIABLE}=1")
    for item in items:
        if "tests/spark/" in item.nodeid or item.nodeid.startswith("spark/"):
            item.add_marker(skip)
