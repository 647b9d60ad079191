"""Shop transactions between PostgreSQL and the raw layer.

    python -m dagster_project.cli.postgres_extract load-demo   # landing CSVs -> Postgres
    python -m dagster_project.cli.postgres_extract extract     # Postgres -> raw Parquet
(both read the connection string from ``CVW_POSTGRES_DSN``).
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Sequence
from datetime import date

import psycopg

from dagster_project.lib.data_layout import DataLayout, data_dir_from_env
from dagster_project.lib.postgres_extract import (
    DEFAULT_OVERLAP_SECONDS,
    DSN_ENV,
    extract_all,
    load_demo,
)

logger = logging.getLogger("dagster_project.postgres_extract")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Shop transactions between Postgres and raw.")
    parser.add_argument("command", choices=["load-demo", "extract"])
    parser.add_argument("--dsn", default=os.environ.get(DSN_ENV), help=f"default ${DSN_ENV}")
    parser.add_argument("--load-date", type=date.fromisoformat, help="raw load_date of extract")
    parser.add_argument("--overlap-seconds", type=int, default=DEFAULT_OVERLAP_SECONDS)
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not arguments.dsn:
        parser.error(f"--dsn or {DSN_ENV} is required")
    data_dir = data_dir_from_env()
    if arguments.command == "load-demo":
        with psycopg.connect(arguments.dsn) as connection:
            inserted = load_demo(connection, DataLayout(data_dir).landing)
        for table, count in inserted.items():
            logger.info("shop.%s: %d rows inserted", table, count)
        return 0
    for extract in extract_all(
        arguments.dsn, data_dir, arguments.load_date, arguments.overlap_seconds
    ):
        logger.info("shop.%s: %d rows extracted", extract.table, extract.rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
