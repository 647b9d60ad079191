"""Every dbt var the project reads is declared, with its default, in dbt_project.yml.

A var read only with an inline default (``var('x', 10)``) is invisible to a user reading the
project file, and two calls can disagree on the default; the declaration is the one owner.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_FOLDERS = ("dbt_models", "macros", "dbt_tests")
VAR_CALL = re.compile(r"""\bvar\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")


def vars_read_by_the_project() -> dict[str, set[str]]:
    """Var name -> the files (relative paths) that read it."""
    readers: dict[str, set[str]] = {}
    for folder in DBT_FOLDERS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.suffix not in {".sql", ".yml", ".yaml"}:
                continue
            for name in VAR_CALL.findall(path.read_text(encoding="utf-8")):
                readers.setdefault(name, set()).add(str(path.relative_to(PROJECT_ROOT)))
    return readers


def declared_vars() -> set[str]:
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    return set(project.get("vars") or {})


def test_the_var_scan_finds_vars_in_models_and_macros() -> None:
    # Guards the scan itself: were the pattern wrong, the next test would pass on nothing.
    readers = vars_read_by_the_project()
    assert "lookback_days" in readers
    assert "crm_churn_silence_days" in readers
    assert len(readers) >= 40


def test_every_var_the_project_reads_is_declared_in_dbt_project_yml() -> None:
    undeclared = {
        name: sorted(files)
        for name, files in vars_read_by_the_project().items()
        if name not in declared_vars()
    }
    assert not undeclared, f"declare these vars in dbt_project.yml (read by): {undeclared}"


def test_every_declared_var_is_read_somewhere() -> None:
    unread = declared_vars() - set(vars_read_by_the_project())
    assert not unread, f"dbt_project.yml declares vars nothing reads: {sorted(unread)}"


def test_a_run_overrides_vars_from_the_environment_for_dbt_and_python(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dagster_project.lib.export_days import dbt_vars_for_days
    from dagster_project.lib.project_vars import project_var

    monkeypatch.setenv("CVW_AS_OF", "2025-06-30")
    monkeypatch.setenv("CVW_HOLDOUT_DAYS", "273")
    monkeypatch.setenv("CVW_DBT_VARS", "{crm_churn_silence_days: 45}")
    assert project_var("as_of_date") == "2025-06-30"
    assert project_var("clv_holdout_days") == 273
    assert project_var("crm_churn_silence_days") == 45
    passed = dbt_vars_for_days(None, lookback_days=3)
    assert passed["clv_holdout_days"] == 273
    assert passed["crm_churn_silence_days"] == 45
    assert passed["lookback_days"] == 3
    assert json.loads(json.dumps(passed))["as_of_date"] == "2025-06-30"
    monkeypatch.setenv("CVW_AS_OF", "")
    assert project_var("as_of_date") == ""  # empty means not set: the declared default


def test_an_override_of_an_undeclared_var_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster_project.lib.project_vars import project_var

    monkeypatch.setenv("CVW_DBT_VARS", "{holdout: 3}")
    with pytest.raises(KeyError, match="'holdout'"):
        project_var("as_of_date")
