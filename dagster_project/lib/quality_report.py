"""The data-quality names the asset checks and the run summary import, in one place.

The work is split by job: figures per source in ``quality_figures``, raw against clean plus
quarantined rows in ``quality_reconciliation``, the HTML validation report in ``quality_html``.
The command line is ``python -m dagster_project.cli.quality_report``.
"""

from __future__ import annotations

from dagster_project.lib.quality_figures import render_quality_summary
from dagster_project.lib.quality_html import record_validation, write_validation_report
from dagster_project.lib.quality_reconciliation import reconcile_source

__all__ = [
    "reconcile_source",
    "record_validation",
    "render_quality_summary",
    "write_validation_report",
]
