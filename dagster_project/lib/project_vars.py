"""The dbt vars declared in ``dbt_project.yml``: the one owner of every threshold and window.

Python reads a var's value here instead of repeating it, so a changed default reaches the Dagster
runs, the command lines and the test references at once. A run may override vars from the
environment: ``CVW_DBT_VARS`` (a YAML or JSON mapping, as dbt's ``--vars``), and the shortcuts
``CVW_AS_OF`` (``as_of_date``) and ``CVW_HOLDOUT_DAYS`` (``clv_holdout_days``) that ``make run
AS_OF=... HOLDOUT_DAYS=...`` sets. Every dbt invocation of the pipeline passes the overrides, and
the model assets' settings follow them, so dbt and the fits agree.
"""

from __future__ import annotations

import os
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_FILE = Path(__file__).resolve().parents[2] / "dbt_project.yml"


@cache
def project_vars() -> dict[str, Any]:
    project = yaml.safe_load(PROJECT_FILE.read_text(encoding="utf-8"))
    return dict(project.get("vars") or {})


# Environment variables that set one dbt var each; empty means not set.
VAR_SHORTCUTS = {"CVW_AS_OF": "as_of_date", "CVW_HOLDOUT_DAYS": "clv_holdout_days"}


def run_var_overrides() -> dict[str, Any]:
    """The vars this run overrides from the environment (not cached: tests change it)."""
    overrides: dict[str, Any] = {}
    text = os.environ.get("CVW_DBT_VARS", "").strip()
    if text:
        parsed = yaml.safe_load(text)
        if not isinstance(parsed, dict):
            raise ValueError(f"CVW_DBT_VARS must be a mapping of var names to values, got {text!r}")
        overrides.update(parsed)
    for variable, name in VAR_SHORTCUTS.items():
        value = os.environ.get(variable, "").strip()
        if value:
            overrides[name] = yaml.safe_load(value)
    # YAML reads 2025-06-30 as a date; dbt takes vars as JSON text, so days stay ISO strings.
    overrides = {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in overrides.items()
    }
    unknown = sorted(set(overrides) - set(project_vars()))
    if unknown:
        raise KeyError(f"{PROJECT_FILE.name} declares no var {', '.join(map(repr, unknown))}")
    return overrides


def project_var(name: str) -> Any:
    """One var's value for this run: its override, else its default in dbt_project.yml."""
    overrides = run_var_overrides()
    if name in overrides:
        return overrides[name]
    try:
        return project_vars()[name]
    except KeyError:
        raise KeyError(f"{PROJECT_FILE.name} declares no var {name!r}") from None
