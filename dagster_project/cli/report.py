"""Write the HTML report from the command line: ``python -m dagster_project.cli.report``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from dagster_project.lib.report import write_report
from dagster_project.resources import default_data_dir

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(
            "The warehouse report: one static HTML file with the charts people look at every "
            "morning."
        )
    )
    parser.add_argument("--data-dir", type=Path, default=Path(default_data_dir()))
    parser.add_argument("--out", type=Path, default=None)
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    path, sections = write_report(arguments.data_dir, arguments.out)
    missing = [section.title for section in sections if not section.available]
    logger.info("report written to %s (%d sections)", path, len(sections))
    if missing:
        logger.info("not available yet: %s", ", ".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
