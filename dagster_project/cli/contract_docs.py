"""Write ``docs/sources.md`` from the contract (``--check``: exit 1 when it is out of date).

python -m dagster_project.cli.contract_docs [--check]
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from dagster_project.lib.contract import SOURCES
from dagster_project.lib.contract_docs import DOC_PATH, render_sources_markdown

logger = logging.getLogger("dagster_project.contract_docs")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render docs/sources.md from the contract.")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if docs/sources.md is not up to date"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    rendered = render_sources_markdown()
    if arguments.check:
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
        if current != rendered:
            logger.error(
                "docs/sources.md is out of date: run python -m dagster_project.cli.contract_docs"
            )
            return 1
        return 0
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(rendered, encoding="utf-8")
    logger.info("wrote docs/sources.md (%d sources)", len(SOURCES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
