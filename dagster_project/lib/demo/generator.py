"""Generates the landing files: the population block by block, then the ad exports."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

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
from dagster_project.lib.demo.window import Window
from dagster_project.lib.demo.writing import LandingWriter

logger = logging.getLogger(__name__)


DEFAULT_END_DATE = date(2026, 10, 31)
BLOCK_SIZE = 25_000  # people per block; memory follows it


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
    foreign_currency_share: float = 0.0,
) -> dict[str, int]:
    """Write every contract source as daily landing CSVs under ``out_dir``.

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
        foreign_currency_share,
    )


def _generate(
    out_dir: Path,
    seed: int,
    customers: int,
    days: int,
    end_date: date,
    block_size: int,
    activity: Activity | None = None,
    foreign_currency_share: float = 0.0,
) -> dict[str, int]:
    if customers < 1 or days < 1 or block_size < 1:
        raise ValueError("customers, days and block size must be positive")
    if not 0.0 <= foreign_currency_share <= 1.0:
        raise ValueError(
            f"foreign currency share must be between 0 and 1, got {foreign_currency_share}"
        )
    window = Window.build(end_date, days)
    rng = np.random.default_rng(seed)
    ctx = _build_context(rng, window, customers, activity or Activity())
    ctx.foreign_currency_share = foreign_currency_share
    writer = LandingWriter(out_dir)
    writer.clear()
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
    writer.close(window.start_day + window.days - 1)
    for source in SOURCES:
        logger.info(
            "%s: %d rows in %d files",
            source.name,
            writer.rows[source.name],
            len(writer.files[source.name]),
        )
    return dict(writer.rows)
