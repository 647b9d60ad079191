"""The dbt vars of ``dbt_project.yml``, read by the references instead of repeating the values.

The marts are built with these defaults (no ``--vars`` in the test and benchmark builds), so a
reference that reads them here follows a changed threshold without an edit of its own.
"""

from __future__ import annotations

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


def project_var(name: str) -> Any:
    """One var's default; a KeyError names a var the project does not declare."""
    return project_vars()[name]


def revenue_statuses() -> tuple[str, ...]:
    return tuple(project_var("revenue_order_statuses"))


def configured_as_of() -> date | None:
    """The ``as_of_date`` var, or None when it is empty and the latest order day applies."""
    value = project_var("as_of_date")
    return date.fromisoformat(str(value)) if value else None
