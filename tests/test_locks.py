"""The two lock files agree, and only the Spark one brings Spark.

`make install` installs requirements.lock and `make test-spark` adds requirements-spark.lock on
top of it, so a package pinned differently in the two would be replaced under the default install.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)")


def _name(requirement: str) -> str:
    """PEP 503 normalised name of a requirement such as ``dbt-spark[session]==1.11.0``."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\[=<>!~ ]", requirement, maxsplit=1)[0]).lower()


def _pins(lock: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[_name(match.group(1))] = match.group(2)
    return pins


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_package_of_the_default_lock_has_the_same_version_in_the_spark_lock() -> None:
    default, spark = _pins("requirements.lock"), _pins("requirements-spark.lock")
    assert len(default) > 100, "requirements.lock was not parsed"
    missing = sorted(set(default) - set(spark))
    assert not missing, f"in requirements.lock but not in requirements-spark.lock: {missing}"
    differing = {
        name: (default[name], spark[name]) for name in default if default[name] != spark[name]
    }
    assert not differing, f"pinned differently (default, spark): {differing}"


def test_spark_packages_are_only_in_the_spark_extra_and_its_lock() -> None:
    project = _project()
    spark_extra = {_name(requirement) for requirement in project["optional-dependencies"]["spark"]}
    assert spark_extra == {"pyspark", "dbt-spark"}
    assert not spark_extra & {_name(requirement) for requirement in project["dependencies"]}
    default, spark = _pins("requirements.lock"), _pins("requirements-spark.lock")
    assert not {"pyspark", "py4j", "dbt-spark"} & set(default)
    for requirement in project["optional-dependencies"]["spark"]:
        name, version = _name(requirement), requirement.rsplit("==", 1)[1]
        assert spark[name] == version, f"{name}: pyproject.toml {version}, lock {spark[name]}"


def test_every_direct_dependency_is_locked_at_its_pinned_version() -> None:
    project = _project()
    default = _pins("requirements.lock")
    for requirement in project["dependencies"] + project["optional-dependencies"]["dev"]:
        name, version = _name(requirement), requirement.rsplit("==", 1)[1]
        assert default.get(name) == version, f"{name}: pyproject.toml {version}"
