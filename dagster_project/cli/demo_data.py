"""Write deterministic demo landing CSV exports: ``python -m dagster_project.cli.demo_data``.

``--append-day`` adds the next export day to the demo files already in ``--out`` (``make
nightly``) and prints that day.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from dagster_project.lib.data_layout import DataLayout
from dagster_project.lib.demo.context import Activity
from dagster_project.lib.demo.generator import (
    DEFAULT_END_DATE,
    DEFAULT_NIGHTLY_DAYS,
    DemoAppendError,
    append_day,
    generate,
)
from dagster_project.lib.demo.writing import ForeignLandingFilesError

logger = logging.getLogger(__name__)


def default_landing_dir() -> Path:
    """``$CVW_DATA_DIR/landing`` (lib/data_layout.py)."""
    return DataLayout.from_env().landing


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write deterministic demo landing CSV exports.")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--customers", type=int, default=2000, help="people (default 2000)")
    parser.add_argument("--days", type=int, default=365, help="days of data (default 365)")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=DEFAULT_END_DATE,
        help=f"last export day, YYYY-MM-DD (default {DEFAULT_END_DATE.isoformat()})",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="landing folder (default $CVW_DATA_DIR/landing)"
    )
    parser.add_argument(
        "--nightly-days",
        type=int,
        default=DEFAULT_NIGHTLY_DAYS,
        help="days simulated past --end-date, for --append-day to add one by one "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--append-day",
        action="store_true",
        help="add the next export day to the demo files in --out, as their own generation "
        "(recorded in .demo_files.json; the options above are not used) would export it; "
        "prints the day",
    )
    for knob, what in (
        ("orders", "purchase rate (more orders per customer)"),
        ("events", "mini-program browsing (more events per customer)"),
        ("clicks", "ad clicks (more click callbacks per customer)"),
    ):
        parser.add_argument(
            f"--{knob}-scale", type=float, default=1.0, help=f"multiplier of {what}; default 1"
        )
    parser.add_argument(
        "--foreign-currency-share",
        type=float,
        default=0.0,
        help="share of orders written in USD, HKD, EUR or JPY instead of CNY (default 0: the "
        "demo's marts need no exchange rate)",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    out_dir = arguments.out if arguments.out is not None else default_landing_dir()
    if arguments.nightly_days < 0:
        parser.error("--nightly-days must not be negative")
    activity = Activity(arguments.orders_scale, arguments.events_scale, arguments.clicks_scale)
    try:
        if arguments.append_day:
            day, _ = append_day(out_dir)
            logger.info("export day %s added to %s", day.isoformat(), out_dir)
            # The day alone on stdout, for `make nightly` to run it.
            sys.stdout.write(f"{day.isoformat()}\n")
            return 0
        rows = generate(
            out_dir,
            arguments.seed,
            arguments.customers,
            arguments.days,
            arguments.end_date,
            activity,
            simulate_through=arguments.end_date + timedelta(days=arguments.nightly_days),
            foreign_currency_share=arguments.foreign_currency_share,
        )
    except (ForeignLandingFilesError, DemoAppendError, ValueError) as error:
        logger.error("%s", error)
        return 1
    logger.info(
        "%s rows of %d sources written to %s (%s people, export days up to %s)",
        f"{sum(rows.values()):,}",
        len(rows),
        out_dir,
        f"{arguments.customers:,}",
        arguments.end_date.isoformat(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
