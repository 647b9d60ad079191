"""Run SQL against the published snapshot with the project's own DuckDB, read-only.

    python -m dagster_project.cli.query "select * from marts.customer_rfm limit 10"
    make query SQL="select * from marts.customer_rfm limit 10"

The snapshot is written by the same DuckDB version the project pins, which a separately
installed DuckDB CLI may not be able to read. Without a published snapshot the working warehouse
file is read instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import duckdb
import pandas as pd

from dagster_project.lib import publish
from dagster_project.lib.data_layout import DataLayout


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sql", help="the query (one statement)")
    parser.add_argument("--max-rows", type=int, default=50, help="rows to print (default 50)")
    arguments = parser.parse_args(argv)
    path = publish.readable_duckdb_path(DataLayout.from_env().root)
    if not path.exists():
        sys.stderr.write(f"no warehouse at {path}: run `make run` first\n")
        return 1
    try:
        with duckdb.connect(str(path), read_only=True) as connection:
            frame = connection.execute(arguments.sql).df()
    except duckdb.Error as error:
        sys.stderr.write(f"{path.name}: {error}\n")
        return 1
    with pd.option_context("display.max_rows", arguments.max_rows, "display.width", 200):
        sys.stdout.write(frame.to_string(max_rows=arguments.max_rows) + "\n")
    sys.stdout.write(f"({len(frame)} rows from {path})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
