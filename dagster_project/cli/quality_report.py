"""Print the data-quality figures per source, optionally rendering the HTML validation report.

python -m dagster_project.cli.quality_report [--duckdb PATH] [--html]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from dagster_project.lib.data_layout import DataLayout
from dagster_project.lib.quality_figures import render_quality_summary
from dagster_project.lib.quality_html import write_validation_report


def _default_duckdb_path() -> Path:
    return DataLayout.from_env().warehouse


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print rows in / clean / quarantined per source.")
    parser.add_argument("--duckdb", type=Path, default=None, help="warehouse DuckDB file")
    parser.add_argument(
        "--html", action="store_true", help="also render <data>/reports/data_quality.html"
    )
    arguments = parser.parse_args(argv)
    duckdb_path = arguments.duckdb or _default_duckdb_path()
    if not duckdb_path.exists():
        sys.stderr.write(f"no warehouse at {duckdb_path}: build it first\n")
        return 1
    sys.stdout.write(render_quality_summary(duckdb_path) + "\n")
    if arguments.html:
        target = write_validation_report(duckdb_path.parent / "reports", duckdb_path)
        sys.stdout.write(f"report: {target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
