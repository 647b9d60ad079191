"""Private-domain behaviour: WeCom contacts, staff broadcasts and mini-program visits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dagster_project.lib.demo.ad_clicks import Clicks
from dagster_project.lib.demo.arrays import _group_positions, _uniform_int
from dagster_project.lib.demo.context import Context
from dagster_project.lib.demo.master_data import _STAFF, CATEGORIES, MINI_PROGRAM
from dagster_project.lib.demo.people import People
from dagster_project.lib.demo.shop import Items, Orders, _orders_on_days, _sku_in_category
from dagster_project.lib.demo.window import DAY_S, HISTORY_DAYS, NO_TIME


@dataclass
class Contacts:
    person: np.ndarray
    add_time: np.ndarray
    consent: np.ndarray
    opt_out_time: np.ndarray  # NO_TIME when the contact never opts out
    change_time: np.ndarray  # -1 when the contact never changes
    owner: np.ndarray


@dataclass
class StaffMessages:
    person: np.ndarray
    time: np.ndarray
    variant: np.ndarray


def _contacts(ctx: Context, rng: np.random.Generator, people: People) -> Contacts:
    window = ctx.window
    person = np.flatnonzero(people.external_userid != "")
    n = len(person)
    buyer = people.buyer[person]
    # Most buyers are added by staff right after a purchase (in store or via the parcel card).
    first_purchase = np.where(buyer, people.first_purchase[person], 0)
    after_purchase = first_purchase + _uniform_int(rng, 60, 1800, n)
    birth = people.birth[person]
    low = np.where(buyer, np.maximum(birth - 30, -HISTORY_DAYS), birth)
    high = np.where(buyer, window.total, np.minimum(birth + 3, window.total))
    added = np.where(
        buyer & (rng.random(n) < 0.6), after_purchase, window.random_times(rng, low, high)
    )
    added = np.minimum(added, window.end_s - 1)
    opt_out = added + _uniform_int(rng, DAY_S, 90 * DAY_S, n)
    opt_out = np.where((rng.random(n) < 0.03) & (opt_out < window.end_s), opt_out, NO_TIME)
    change = added + _uniform_int(rng, DAY_S, 120 * DAY_S, n)
    changes = (rng.random(n) < 0.15) & (change < window.end_s) & (change != opt_out)
    return Contacts(
        person=person,
        add_time=added,
        consent=rng.random(n) < 0.7,
        opt_out_time=opt_out,
        change_time=np.where(changes, change, -1),
        owner=rng.choice(np.array(_STAFF), size=n),
    )


def _staff_messages(ctx: Context, rng: np.random.Generator, contacts: Contacts) -> StaffMessages:
    """Broadcasts go to consenting contacts added before and not opted out; A/B at random."""
    sent = ctx.broadcasts[None, :]
    eligible = (
        contacts.consent[:, None]
        & (contacts.add_time[:, None] < sent)
        & (contacts.opt_out_time[:, None] > sent)
        & (rng.random((len(contacts.person), len(ctx.broadcasts))) < 0.9)
    )
    row, column = np.nonzero(eligible)
    time = ctx.broadcasts[column] + rng.integers(0, 3600, size=len(row))
    variant = np.where(rng.random(len(row)) < 0.5, "A", "B")
    keep = time < ctx.window.end_s
    return StaffMessages(contacts.person[row][keep], time[keep], variant[keep])


def _response_orders(
    ctx: Context, rng: np.random.Generator, people: People, messages: StaffMessages
) -> Orders:
    n = len(messages.person)
    chance = np.where(messages.variant == "B", 0.06, 0.03)
    later = messages.time + _uniform_int(rng, 1800, 7 * DAY_S, n)
    keep = people.buyer[messages.person] & (rng.random(n) < chance) & (later < ctx.window.end_s)
    person = messages.person[keep]
    day = (later[keep] - ctx.window.start_s) // DAY_S
    return _orders_on_days(ctx, rng, person, day, people.preferred_store[person])


PURCHASE, RESEARCH, BROWSE, AD_LANDING = 0, 1, 2, 3


@dataclass
class Sessions:
    person: np.ndarray
    anchor: np.ndarray  # order time for purchase and research sessions, else the start
    kind: np.ndarray
    sku: np.ndarray
    campaign: np.ndarray


def _sessions(
    ctx: Context,
    rng: np.random.Generator,
    people: People,
    orders: Orders,
    items: Items,
    clicks: Clicks,
) -> Sessions:
    window = ctx.window
    first_line = np.flatnonzero(_group_positions(items.order) == 0)
    first_sku = np.zeros(len(orders.person), dtype=np.int64)
    first_sku[items.order[first_line]] = items.sku[first_line]
    with_openid = people.has_openid[orders.person]
    purchase = np.flatnonzero(orders.store == MINI_PROGRAM)
    research = np.flatnonzero(
        (orders.store != MINI_PROGRAM) & with_openid & (rng.random(len(with_openid)) < 0.25)
    )

    users = np.flatnonzero(people.has_openid)
    last = people.last_purchase[users]
    birth = people.birth[users]
    bought = last >= 0
    # Visits start a little before the first purchase and fade two months after the last one.
    low = np.maximum(np.where(bought, birth - 20, birth), 0)
    high = np.where(bought, np.minimum(window.operational(last) + 60, window.total), window.total)
    rate = rng.gamma(1.0, 0.05, size=len(users)) * ctx.activity.events
    visits = rng.poisson(rate * np.maximum(high - low, 0))
    browser = np.repeat(users, visits)
    browse_time = window.random_times(rng, np.repeat(low, visits), np.repeat(high, visits))
    draw = rng.random(len(browser))[:, None]
    category = np.minimum((people.category_cdf[browser] < draw).sum(axis=1), len(CATEGORIES) - 1)
    browse_sku = _sku_in_category(rng, category, people.spend_rank[browser])

    landed = np.flatnonzero(clicks.openid != "")
    ad_category = ctx.ads.category[clicks.ad[landed]]
    ad_sku = _sku_in_category(rng, ad_category, people.spend_rank[clicks.person[landed]])
    ad_time = clicks.time[landed] + _uniform_int(rng, 3, 60, len(landed))

    kinds = (PURCHASE, RESEARCH, BROWSE, AD_LANDING)
    sizes = (len(purchase), len(research), len(browser), len(landed))
    return Sessions(
        person=np.r_[
            orders.person[purchase], orders.person[research], browser, clicks.person[landed]
        ],
        anchor=np.r_[orders.time[purchase], orders.time[research], browse_time, ad_time],
        kind=np.repeat(np.array(kinds), sizes),
        sku=np.r_[first_sku[purchase], first_sku[research], browse_sku, ad_sku],
        campaign=np.r_[
            np.full(len(purchase) + len(research) + len(browser), ""),
            ctx.ads.campaign_id[clicks.ad[landed]],
        ],
    )
