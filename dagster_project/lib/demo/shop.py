"""Shop behaviour: purchases, order lines, cross-sell, members and referral codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dagster_project.lib.demo.arrays import (
    _digits,
    _group_positions,
    _join,
    _scrambled_codes,
    _uniform_int,
)
from dagster_project.lib.demo.context import Context
from dagster_project.lib.demo.master_data import (
    _CATEGORY_FIRST_SKU,
    _CATEGORY_SKU_COUNT,
    _OFFLINE_SHARES,
    _SKU_CATEGORY,
    _STORE_SHARES,
    _STORES,
    CATEGORIES,
    DIAPERS,
    FIRST_OFFLINE,
    FORMULA,
    JD,
    MINI_PROGRAM,
    SAFETY_SEAT,
    STROLLER,
    TMALL,
    TOYS,
)
from dagster_project.lib.demo.people import People
from dagster_project.lib.demo.window import DAY_S, NO_TIME


@dataclass
class Orders:
    person: np.ndarray
    time: np.ndarray  # local seconds
    store: np.ndarray


@dataclass
class Items:
    order: np.ndarray  # index into Orders
    sku: np.ndarray
    quantity: np.ndarray


def _choose_stores(rng: np.random.Generator, people: People, person: np.ndarray) -> np.ndarray:
    n = len(person)
    preferred = people.preferred_store[person]
    other = rng.choice(len(_STORES), size=n, p=_STORE_SHARES)
    store = np.where(rng.random(n) < 0.75, preferred, other)
    # Only people with an openid can order in the mini-program.
    return np.where((store == MINI_PROGRAM) & ~people.has_openid[person], preferred, store)


def _orders_on_days(
    ctx: Context, rng: np.random.Generator, person: np.ndarray, day: np.ndarray, store: np.ndarray
) -> Orders:
    time = ctx.window.seconds_on(rng, day, store >= FIRST_OFFLINE)
    return Orders(person, time, store)


def _base_orders(ctx: Context, rng: np.random.Generator, people: People) -> Orders:
    """BG/NBD-like purchases: exponential gaps at an individual rate until the person drops out.

    Purchases before the window are drawn too: they set each person's first and last purchase
    (stored on ``people``) but are not exported.
    """
    window = ctx.window
    buyers = np.flatnonzero(people.buyer)
    count = np.minimum(rng.geometric(people.dropout[buyers]), 200)
    person = np.repeat(buyers, count)
    position = _group_positions(person)
    gaps = rng.exponential(1.0, size=len(person)) / people.purchase_rate[person]
    gaps[position == 0] = 0.0
    running = np.cumsum(gaps)
    operational = people.birth[person] + running - np.repeat(running[position == 0], count)
    keep = operational < window.total
    person, operational, position = person[keep], operational[keep], position[keep]
    store = _choose_stores(rng, people, person)
    orders = _orders_on_days(ctx, rng, person, window.day_index(operational), store)
    people.first_purchase[person[position == 0]] = orders.time[position == 0]
    np.maximum.at(people.last_purchase, person, orders.time)
    inside = orders.time >= window.start_s
    return Orders(person[inside], orders.time[inside], store[inside])


def _first_times(n: int, orders: Orders) -> np.ndarray:
    first = np.full(n, NO_TIME, dtype=np.int64)
    np.minimum.at(first, orders.person, orders.time)
    return first


def _sku_in_category(
    rng: np.random.Generator, category: np.ndarray, spend_rank: np.ndarray
) -> np.ndarray:
    """Big spenders lean to the pricier SKUs of a category."""
    tier = np.clip(rng.normal(spend_rank, 0.25), 0.0, 0.999)
    return _CATEGORY_FIRST_SKU[category] + (tier * _CATEGORY_SKU_COUNT[category]).astype(np.int64)


def _quantities(rng: np.random.Generator, category: np.ndarray, spend: np.ndarray) -> np.ndarray:
    n = len(category)
    consumable = (category == DIAPERS) | (category == FORMULA)
    packs = 1 + np.minimum(rng.poisson(0.6 * spend), 5)
    small = 1 + (rng.random(n) < 0.15)
    return np.where(consumable, packs, np.where(category >= TOYS, small, 1)).astype(np.int64)


def _items(rng: np.random.Generator, people: People, orders: Orders) -> Items:
    spend = people.spend_level[orders.person]
    lines = 1 + np.minimum(rng.poisson(0.25 + 0.3 * spend), 4)
    order = np.repeat(np.arange(len(orders.person)), lines)
    person = orders.person[order]
    draw = rng.random(len(order))[:, None]
    category = np.minimum((people.category_cdf[person] < draw).sum(axis=1), len(CATEGORIES) - 1)
    sku = _sku_in_category(rng, category, people.spend_rank[person])
    return Items(order, sku, _quantities(rng, category, people.spend_level[person]))


def _cross_sell(
    ctx: Context, rng: np.random.Generator, people: People, orders: Orders, items: Items
) -> tuple[Orders, Items]:
    """Many stroller buyers come back for a safety seat within 90 days."""
    has_stroller = np.zeros(len(orders.person), dtype=bool)
    has_stroller[items.order[_SKU_CATEGORY[items.sku] == STROLLER]] = True
    source = np.flatnonzero(has_stroller & (rng.random(len(has_stroller)) < 0.45))
    later = orders.time[source] + _uniform_int(rng, 3 * DAY_S, 90 * DAY_S, len(source))
    source = source[later < ctx.window.end_s]
    day = (later[later < ctx.window.end_s] - ctx.window.start_s) // DAY_S
    person = orders.person[source]
    new = _orders_on_days(ctx, rng, person, day, orders.store[source])
    rank = people.spend_rank[person]
    seat = _sku_in_category(rng, np.full(len(person), SAFETY_SEAT), rank)
    extra = np.flatnonzero(rng.random(len(person)) < 0.3)
    diapers = _sku_in_category(rng, np.full(len(extra), DIAPERS), rank[extra])
    order = np.r_[np.arange(len(person)), extra]
    quantity = np.r_[
        np.ones(len(person), dtype=np.int64),
        _quantities(rng, np.full(len(extra), DIAPERS), people.spend_level[person[extra]]),
    ]
    sort = np.argsort(order, kind="stable")
    return new, Items(order[sort], np.r_[seat, diapers][sort], quantity[sort])


def _combine(parts: Sequence[tuple[Orders, Items]]) -> tuple[Orders, Items]:
    """Concatenate order sets and sort orders by time; items follow their orders."""
    offsets = np.cumsum([0] + [len(orders.person) for orders, _ in parts])
    orders = Orders(
        *(np.concatenate([getattr(o, f) for o, _ in parts]) for f in Orders.__annotations__)
    )
    order = np.concatenate(
        [items.order + offset for (_, items), offset in zip(parts, offsets, strict=False)]
    )
    sku = np.concatenate([items.sku for _, items in parts])
    quantity = np.concatenate([items.quantity for _, items in parts])
    by_time = np.lexsort((orders.person, orders.time))
    new_index = np.empty_like(by_time)
    new_index[by_time] = np.arange(len(by_time))
    orders = Orders(orders.person[by_time], orders.time[by_time], orders.store[by_time])
    order = new_index[order]
    by_order = np.argsort(order, kind="stable")
    return orders, Items(order[by_order], sku[by_order], quantity[by_order])


@dataclass
class Members:
    person: np.ndarray
    member_id: np.ndarray
    registered: np.ndarray
    home_store: np.ndarray


def _members(ctx: Context, rng: np.random.Generator, people: People, orders: Orders) -> Members:
    """Members register at their first purchase, at a later order, or before buying at all."""
    window = ctx.window
    person = np.flatnonzero(people.is_member)
    m = len(person)
    per_person = np.bincount(orders.person, minlength=len(people))
    count = per_person[person]
    # One padding row so that people without orders index something harmless.
    by_person = np.r_[np.argsort(orders.person, kind="stable"), len(orders.person)]
    first_position = (np.cumsum(per_person) - per_person)[person]
    time = np.r_[orders.time, 0]
    store = np.r_[orders.store, 0]
    first_purchase = people.first_purchase[person]
    bought = first_purchase != NO_TIME
    mode = rng.random(m)
    ahead = bought & (mode >= 0.95)
    # Registering at a later order leaves the earlier orders without a member id.
    later = bought & (mode >= 0.75) & ~ahead & (count > 0)
    at_order = (later | (bought & ~ahead & (first_purchase >= window.start_s))) & (count > 0)
    step = np.where(later, (rng.random(m) * count).astype(np.int64), 0)
    at = by_person[np.where(at_order, first_position + step, len(by_person) - 1)]
    unprompted = window.random_times(rng, people.birth[person], np.full(m, window.total))
    registered = np.select(
        [at_order, bought & ~ahead, ahead],
        [
            time[at] - _uniform_int(rng, 60, 1200, m),
            np.where(bought, first_purchase, 0) - _uniform_int(rng, 60, 1200, m),
            np.where(bought, first_purchase, 0) - _uniform_int(rng, DAY_S, 60 * DAY_S, m),
        ],
        default=unprompted,
    )

    store_at = store[at]
    fits = at_order & ((store_at == MINI_PROGRAM) | (store_at >= FIRST_OFFLINE))
    preferred = people.preferred_store[person]
    random_shop = FIRST_OFFLINE + rng.choice(len(_OFFLINE_SHARES), size=m, p=_OFFLINE_SHARES)
    shop = np.where(preferred >= FIRST_OFFLINE, preferred, random_shop)
    fallback = np.where(people.has_openid[person], MINI_PROGRAM, shop)
    home = np.where(fits, store_at, fallback)
    # Registrations away from a purchase happen at the home store's hours.
    retimed = window.seconds_on(rng, window.day_of(registered), home >= FIRST_OFFLINE)
    registered = np.where(ahead | ~bought, retimed, registered)
    registered = np.minimum(registered, window.end_s - 1)

    order = np.argsort(registered, kind="stable")
    first_number = ctx.take("member", m) + 1
    member_id = _join("M", _digits(first_number + np.arange(m), 8))
    return Members(person[order], member_id, registered[order], home[order])


@dataclass
class ReferralCodes:
    code: np.ndarray
    member_id: np.ndarray
    created: np.ndarray


def _referral_codes(
    ctx: Context, rng: np.random.Generator, members: Members, first_time: np.ndarray
) -> ReferralCodes:
    """A fifth of buying members get a code within a month of their first order."""
    first = first_time[members.person]
    bought = first != NO_TIME
    base = np.maximum(members.registered, np.where(bought, first, 0))
    room = ctx.window.end_s - 120 - base
    issue = bought & (rng.random(len(base)) < 0.2) & (room > 0)
    created = base + (rng.random(len(base)) * np.clip(room, 0, 30 * DAY_S)).astype(np.int64)
    chosen = np.flatnonzero(issue)
    chosen = chosen[np.argsort(created[chosen], kind="stable")]
    first_code = ctx.take("code", len(chosen))
    code = _join("RC", _scrambled_codes(first_code + np.arange(len(chosen)), ctx.code_salt))
    return ReferralCodes(code, members.member_id[chosen], created[chosen])


def _referral_use(rng: np.random.Generator, orders: Orders, codes: ReferralCodes) -> np.ndarray:
    """Some first orders in the mini-program or in store use a code issued at least an hour ago."""
    used = np.full(len(orders.person), "", dtype="U10")
    _, first = np.unique(orders.person, return_index=True)
    channel_ok = orders.store[first] != TMALL
    channel_ok &= orders.store[first] != JD
    candidates = first[channel_ok & (rng.random(len(first)) < 0.08)]
    available = np.searchsorted(codes.created, orders.time[candidates] - 3600, side="right")
    candidates, available = candidates[available > 0], available[available > 0]
    pick = (rng.random(len(candidates)) * available).astype(np.int64)
    used[candidates] = codes.code[pick]
    return used
