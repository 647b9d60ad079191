"""Generates the landing files: the population block by block, then the ad exports.

A generation simulates its people over a window that may run past the last day it exports
(``simulate_through``) and writes only the export days up to that day. Every row's export day is
fixed by the simulation, so the files of a day do not depend on how many later days are written:
``append_day`` simulates the same window again and writes only the next export day.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from dagster_project.lib.contract import SOURCES
from dagster_project.lib.demo.ad_clicks import _person_clicks
from dagster_project.lib.demo.ads_exports import _ad_report_frames, _anonymous_clicks, _clicks_frame
from dagster_project.lib.demo.context import Activity, Context, _build_context
from dagster_project.lib.demo.currencies import fx_rates_frame
from dagster_project.lib.demo.frames import Frame
from dagster_project.lib.demo.people import _people
from dagster_project.lib.demo.private_domain import (
    _contacts,
    _response_orders,
    _sessions,
    _staff_messages,
)
from dagster_project.lib.demo.scrm_exports import _community_frame, _contacts_frame, _events_frame
from dagster_project.lib.demo.shop import (
    _base_orders,
    _combine,
    _cross_sell,
    _first_times,
    _items,
    _members,
    _referral_codes,
    _referral_use,
)
from dagster_project.lib.demo.shop_exports import (
    _members_frame,
    _order_frames,
    _referral_frame,
    _stores_frame,
)
from dagster_project.lib.demo.window import EPOCH, Window
from dagster_project.lib.demo.writing import MANIFEST_NAME, LandingWriter

logger = logging.getLogger(__name__)


DEFAULT_END_DATE = date(2026, 10, 31)
# Days the command line simulates past --end-date, so `make nightly` can append them one by one.
DEFAULT_NIGHTLY_DAYS = 30
BLOCK_SIZE = 25_000  # people per block; memory follows it


class DemoAppendError(RuntimeError):
    """No next export day can be appended to the landing folder; nothing was changed."""


@dataclass(frozen=True)
class Generation:
    """What a demo run simulated and which export days it wrote; the manifest records it."""

    seed: int
    customers: int
    first_day: date
    last_day: date  # the last export day written
    simulated_through: date
    activity: Activity
    block_size: int = BLOCK_SIZE
    foreign_currency_share: float = 0.0

    def window(self) -> Window:
        return Window.build(
            self.simulated_through, (self.simulated_through - self.first_day).days + 1
        )

    def to_json(self) -> dict[str, Any]:
        record = asdict(self)
        for name in ("first_day", "last_day", "simulated_through"):
            record[name] = record[name].isoformat()
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Generation:
        days = {
            name: date.fromisoformat(record[name])
            for name in ("first_day", "last_day", "simulated_through")
        }
        return cls(
            seed=int(record["seed"]),
            customers=int(record["customers"]),
            activity=Activity(**record["activity"]),
            block_size=int(record["block_size"]),
            foreign_currency_share=float(record.get("foreign_currency_share", 0.0)),
            **days,
        )


def _generate_block(
    ctx: Context, rng: np.random.Generator, first_index: int, n: int
) -> list[Frame]:
    people = _people(ctx, rng, first_index, n)
    base = _base_orders(ctx, rng, people)
    contacts = _contacts(ctx, rng, people)
    messages = _staff_messages(ctx, rng, contacts)
    response = _response_orders(ctx, rng, people, messages)
    base_items = _items(rng, people, base)
    response_items = _items(rng, people, response)
    cross = _cross_sell(ctx, rng, people, base, base_items)
    orders, items = _combine([(base, base_items), (response, response_items), cross])
    first_time = _first_times(n, orders)
    # A broadcast can bring a buyer back before their first regular purchase.
    people.first_purchase = np.minimum(people.first_purchase, first_time)
    np.maximum.at(people.last_purchase, orders.person, orders.time)
    members = _members(ctx, rng, people, orders)
    codes = _referral_codes(ctx, rng, members, first_time)
    referral = _referral_use(rng, orders, codes)
    clicks = _person_clicks(ctx, rng, people)
    sessions = _sessions(ctx, rng, people, orders, items, clicks)
    frames = _order_frames(ctx, rng, people, orders, items, members, referral)
    frames += [
        _members_frame(ctx, rng, people, members),
        _referral_frame(ctx, rng, codes),
        _contacts_frame(ctx, rng, people, contacts),
        _community_frame(ctx, rng, people, contacts, messages),
        _events_frame(ctx, rng, people, sessions),
        _clicks_frame(ctx, rng, clicks.ad, clicks.time, clicks.openid),
    ]
    return frames


def generate(
    out_dir: Path,
    seed: int = 42,
    customers: int = 2000,
    days: int = 365,
    end_date: date = DEFAULT_END_DATE,
    activity: Activity | None = None,
    simulate_through: date | None = None,
    foreign_currency_share: float = 0.0,
) -> dict[str, int]:
    """Write every contract source as daily landing CSVs under ``out_dir``.

    The export days are the ``days`` up to ``end_date``; the people are simulated up to
    ``simulate_through`` (default ``end_date``), whose later days ``append_day`` can add.
    Earlier files of the contract tables under ``out_dir`` are removed first. Returns the rows
    written per source (``<family>__<table>``), duplicates and re-exports included. Orders are
    CNY unless ``foreign_currency_share`` asks for a share in USD, HKD, EUR and JPY.
    """
    return _generate(
        Path(out_dir),
        seed,
        customers,
        days,
        end_date,
        BLOCK_SIZE,
        activity,
        simulate_through,
        foreign_currency_share,
    )


def append_day(out_dir: Path) -> tuple[date, dict[str, int]]:
    """Add the next export day to the demo files in ``out_dir``, changing no existing file.

    The generation recorded in the manifest is simulated again and only the day after its last
    export day is written. Refuses (``ForeignLandingFilesError``) when the folder holds files the
    demo did not write or changed since, and (``DemoAppendError``) when the manifest records no
    generation or its simulation ends before that day. Returns the day and its rows per source.
    """
    out_dir = Path(out_dir)
    writer = LandingWriter(out_dir)
    recorded = writer.keep()
    if recorded is None:
        raise DemoAppendError(
            f"{out_dir / MANIFEST_NAME} records no demo generation (no demo there, or one "
            "written by an older version): generate the demo first (make demo-data)"
        )
    generation = Generation.from_json(recorded)
    day = generation.last_day + timedelta(days=1)
    if day > generation.simulated_through:
        raise DemoAppendError(
            f"the demo in {out_dir} was simulated through "
            f"{generation.simulated_through.isoformat()}, so {day.isoformat()} cannot be added: "
            "generate it again with a later end date or more nightly days"
        )
    writer.export_days = ((day - EPOCH).days, (day - EPOCH).days)
    return day, _write(writer, replace(generation, last_day=day))


def _generate(
    out_dir: Path,
    seed: int,
    customers: int,
    days: int,
    end_date: date,
    block_size: int,
    activity: Activity | None = None,
    simulate_through: date | None = None,
    foreign_currency_share: float = 0.0,
) -> dict[str, int]:
    if customers < 1 or days < 1 or block_size < 1:
        raise ValueError("customers, days and block size must be positive")
    if not 0.0 <= foreign_currency_share <= 1.0:
        raise ValueError(
            f"foreign currency share must be between 0 and 1, got {foreign_currency_share}"
        )
    through = end_date if simulate_through is None else simulate_through
    if through < end_date:
        raise ValueError("simulate_through must not be before end_date")
    first_day = end_date - timedelta(days=days - 1)
    generation = Generation(
        seed,
        customers,
        first_day,
        end_date,
        through,
        activity or Activity(),
        block_size,
        foreign_currency_share,
    )
    writer = LandingWriter(out_dir, export_days=((first_day - EPOCH).days, (end_date - EPOCH).days))
    writer.clear()
    return _write(writer, generation)


def _write(writer: LandingWriter, generation: Generation) -> dict[str, int]:
    """Simulate the generation's window and hand every export to the writer."""
    window = generation.window()
    rng = np.random.default_rng(generation.seed)
    ctx = _build_context(rng, window, generation.customers, generation.activity)
    ctx.foreign_currency_share = generation.foreign_currency_share
    customers, block_size = generation.customers, generation.block_size
    writer.write(_stores_frame(window))
    writer.write(fx_rates_frame(window))
    starts = range(0, customers, block_size)
    for number, (first, block_rng) in enumerate(zip(starts, rng.spawn(len(starts)), strict=True)):
        size = min(block_size, customers - first)
        for frame in _generate_block(ctx, block_rng, first, size):
            writer.write(frame)
        logger.info("block %d of %d: %d people", number + 1, len(starts), size)
    for frame in _anonymous_clicks(ctx, rng):
        writer.write(frame)
    for frame in _ad_report_frames(ctx, rng):
        writer.write(frame)
    writer.close((generation.last_day - EPOCH).days, generation.to_json())
    # Per source at DEBUG: the console gets the one total line of the command.
    for source in SOURCES:
        logger.debug(
            "%s: %d rows in %d files",
            source.name,
            writer.rows[source.name],
            len(writer.files[source.name]),
        )
    return dict(writer.rows)
