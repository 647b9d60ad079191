"""Load the landing CSV exports into the raw Parquet layer.

python -m dagster_project.cli.landing [--load-date YYYY-MM-DD ...] [--workers N]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date

from dagster_project.lib.data_layout import DataLayout
from dagster_project.lib.landing import load_all
from dagster_project.lib.landing_files import LandingFileError

logger = logging.getLogger("dagster_project.landing")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Load landing CSV exports into the raw Parquet layer (CVW_DATA_DIR)."
    )
    parser.add_argument(
        "--load-date",
        action="append",
        type=date.fromisoformat,
        help="only load files of this export day (YYYY-MM-DD); may be repeated",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes parsing landing files side by side (default: one per CPU)",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    layout = DataLayout.from_env()
    try:
        reports = load_all(layout.landing, layout.raw, arguments.load_date, arguments.workers)
    except LandingFileError as error:
        logger.error("load failed: %s", error)
        return 1
    for report in reports:
        logger.info(
            "%s: %d files, %d rows, %d malformed",
            report.source,
            report.files_loaded,
            report.rows_read,
            report.malformed_rows,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
