"""The dbt vars declared in ``dbt_project.yml``: the one owner of every threshold and window.

Python reads a var's default here instead of repeating its value, so a changed default reaches
the Dagster runs, the command lines and the test references at once.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_FILE = Path(__file__).resolve().parents[2] / "dbt_project.yml"


@cache
def project_vars() -> dict[str, Any]:
    project = yaml.safe_load(PROJECT_FILE.read_text(encoding="utf-8"))
    return dict(project.get("vars") or {})


def project_var(name: str) -> Any:
    """One var's default; a KeyError names a var the project does not declare."""
    try:
        return project_vars()[name]
    except KeyError:
        raise KeyError(f"{PROJECT_FILE.name} declares no var {name!r}") from None
