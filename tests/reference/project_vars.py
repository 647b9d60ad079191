"""The dbt vars of ``dbt_project.yml``, read by the references instead of repeating the values.

The marts are built with these defaults (no ``--vars`` in the test and benchmark builds), so a
reference that reads them follows a changed threshold without an edit of its own. The reader is
the project's own (``dagster_project.lib.project_vars``): one owner of the values.
"""

from __future__ import annotations

from datetime import date

from dagster_project.lib.project_vars import project_var, project_vars

__all__ = ["configured_as_of", "project_var", "project_vars", "revenue_statuses"]


def revenue_statuses() -> tuple[str, ...]:
    return tuple(project_var("revenue_order_statuses"))


def configured_as_of() -> date | None:
    """The ``as_of_date`` var, or None when it is empty and the latest order day applies."""
    value = project_var("as_of_date")
    return date.fromisoformat(str(value)) if value else None
