"""The private-domain exports: WeCom contacts, community interactions, mini-program events."""

from __future__ import annotations

import numpy as np

from dagster_project.lib.demo.arrays import (
    _HEX,
    _digits,
    _join,
    _pick,
    _random_strings,
    _uniform_int,
)
from dagster_project.lib.demo.context import Context
from dagster_project.lib.demo.frames import Frame, _take
from dagster_project.lib.demo.master_data import (
    _CATEGORY_FIRST_SKU,
    _CATEGORY_SKU_COUNT,
    _EXTRA_TAGS,
    _INTERACTION_SHARES,
    _INTERACTIONS,
    _PARENT_TAGS,
    _SKU,
    _SKU_CATEGORY,
    _STAGE_TAGS,
    CATEGORIES,
)
from dagster_project.lib.demo.mess import (
    UNPARSEABLE_SHARE,
    UNPARSEABLE_TIMESTAMP,
    _blank,
    _consent_text,
    _epoch_seconds,
    _messy_phones,
    _mixed_timestamps,
    _with_duplicates,
)
from dagster_project.lib.demo.people import People
from dagster_project.lib.demo.private_domain import (
    AD_LANDING,
    PURCHASE,
    RESEARCH,
    Contacts,
    Sessions,
    StaffMessages,
)
from dagster_project.lib.demo.window import CHINA_UTC_OFFSET_S, DAY_S, NO_TIME


def _contacts_frame(
    ctx: Context, rng: np.random.Generator, people: People, contacts: Contacts
) -> Frame:
    """One row per add, tag change and opt-out of a contact."""
    person = contacts.person
    n = len(person)
    stage = rng.choice(np.array(_STAGE_TAGS), size=n)
    parent = rng.choice(np.array(_PARENT_TAGS), size=n, p=(0.85, 0.15))
    favourite = np.argmax(np.diff(people.category_cdf[person], axis=1, prepend=0.0), axis=1)
    interest = _join(np.array(CATEGORIES)[favourite], "_interest")
    extra = rng.choice(np.array(_EXTRA_TAGS), size=n)
    draw = rng.random(n)
    initial = np.where(
        draw < 0.25,
        "",
        np.where(draw < 0.6, _join(parent, "|", stage), _join(parent, "|", stage, "|", interest)),
    )
    changed = _join(parent, "|", stage, "|", interest, "|", extra)
    unionid = _blank(rng, people.unionid[person], 0.05)
    phone = _messy_phones(rng, np.where(rng.random(n) < 0.35, people.phone[person], ""))
    nickname = _blank(rng, people.nickname[person], 0.03)

    changes = np.flatnonzero(contacts.change_time >= 0)
    opt_outs = np.flatnonzero(contacts.opt_out_time != NO_TIME)
    row = np.r_[np.arange(n), changes, opt_outs]
    updated = np.r_[
        contacts.add_time, contacts.change_time[changes], contacts.opt_out_time[opt_outs]
    ]
    opted_out = updated >= contacts.opt_out_time[row]
    has_changed = (contacts.change_time[row] >= 0) & (updated >= contacts.change_time[row])
    # The first export is a snapshot: of the changes before the window only the latest state.
    sort = np.argsort(updated, kind="stable")
    history = np.flatnonzero(updated[sort] < ctx.window.start_s)
    _, latest = np.unique(row[sort][history][::-1], return_index=True)
    superseded = np.ones(len(history), dtype=bool)
    superseded[len(history) - 1 - latest] = False
    sort = np.delete(sort, history[superseded])
    row, updated, opted_out, has_changed = (
        row[sort],
        updated[sort],
        opted_out[sort],
        has_changed[sort],
    )
    frame = {
        "external_userid": people.external_userid[person][row],
        "unionid": unionid[row],
        "nickname": nickname[row],
        "phone": phone[row],
        "tags": np.where(has_changed, changed[row], initial[row]),
        "owner_userid": contacts.owner[row],
        "add_time": _epoch_seconds(contacts.add_time[row]),
        "marketing_consent": _consent_text(rng, contacts.consent[row] & ~opted_out),
        "opt_out": _blank(rng, np.where(opted_out, "1", "0"), 0.02),
        "updated_at": _epoch_seconds(updated),
    }
    day = ctx.window.export_day(updated)
    return _with_duplicates("scrm__wecom_contacts", rng, frame, day, 0.005)


def _community_frame(
    ctx: Context,
    rng: np.random.Generator,
    people: People,
    contacts: Contacts,
    messages: StaffMessages,
) -> Frame:
    """Group joins, leaves and activity of contacts, plus 1:1 staff broadcasts with A/B variant."""
    window = ctx.window
    n = len(contacts.person)
    group = rng.integers(0, len(ctx.group_ids), size=n)
    join = contacts.add_time + _uniform_int(rng, 0, 14 * DAY_S, n)
    joined = (rng.random(n) < 0.55) & (join < window.end_s)
    leave = join + _uniform_int(rng, 7 * DAY_S, 200 * DAY_S, n)
    left = joined & (rng.random(n) < 0.1) & (leave < window.end_s)
    stop = np.where(left, leave, window.end_s)
    rate = rng.gamma(0.6, 0.08 / 0.6, size=n)
    # Only what happens inside the window is exported.
    since = np.maximum(join, window.start_s)
    stay_days = np.maximum(stop - since, 0) / DAY_S
    count = np.where(joined, rng.poisson(rate * stay_days), 0)
    active = np.repeat(np.arange(n), count)
    spread = since[active] + (rng.random(len(active)) * (stop - since)[active]).astype(np.int64)
    active_time = window.seconds_on(rng, window.day_of(spread))
    active_time = np.clip(active_time, since[active], stop[active] - 1)
    kind = rng.choice(np.array(_INTERACTIONS), size=len(active), p=_INTERACTION_SHARES)
    joins = np.flatnonzero(joined & (join >= window.start_s))
    leaves = np.flatnonzero(left & (leave >= window.start_s))
    contact = np.r_[joins, leaves, active]
    sent = len(messages.person)
    frame = {
        "external_userid": np.r_[
            people.external_userid[contacts.person[contact]],
            people.external_userid[messages.person],
        ],
        "group_id": np.r_[ctx.group_ids[group[contact]], np.full(sent, "")],
        "interaction_type": np.r_[
            np.full(len(joins), "join"),
            np.full(len(leaves), "leave"),
            kind,
            np.full(sent, "staff_message"),
        ],
        "message_variant": np.r_[np.full(len(contact), ""), messages.variant],
    }
    time = np.r_[join[joins], leave[leaves], active_time, messages.time]
    sort = np.argsort(time, kind="stable")
    frame, time = _take(frame, sort), time[sort]
    first_number = ctx.take("interaction", len(time)) + 1
    interacted = _mixed_timestamps(rng, time)
    interacted[_pick(rng, len(time), UNPARSEABLE_SHARE, minimum=1 if len(time) else 0)] = (
        UNPARSEABLE_TIMESTAMP
    )
    frame = {
        "interaction_id": _join("CI", _digits(first_number + np.arange(len(time)), 10)),
        "group_id": frame["group_id"],
        "external_userid": frame["external_userid"],
        "interaction_type": frame["interaction_type"],
        "message_variant": frame["message_variant"],
        "interaction_time": interacted,
    }
    return _with_duplicates(
        "scrm__community_interactions", rng, frame, window.local_day(time), 0.005
    )


# Event slots of a session: name, page, and per session kind the chance the slot happens.
_SLOTS = (
    ("page_view", "/pages/index/index", (1.0, 1.0, 1.0, 1.0)),
    ("view", "/pages/product/detail", (1.0, 1.0, 1.0, 1.0)),
    ("view", "/pages/product/detail", (0.5, 0.5, 0.5, 0.5)),
    ("view", "/pages/product/detail", (0.25, 0.25, 0.25, 0.25)),
    ("add_to_cart", "/pages/product/detail", (1.0, 0.0, 0.25, 0.15)),
    ("page_view", "/pages/cart/index", (1.0, 0.0, 0.5, 0.5)),
    ("page_view", "/pages/order/confirm", (1.0, 0.0, 0.0, 0.0)),
    ("share", "/pages/product/detail", (0.08, 0.05, 0.05, 0.05)),
)
_CART, _CART_PAGE = 4, 5


def _events_frame(
    ctx: Context, rng: np.random.Generator, people: People, sessions: Sessions
) -> Frame:
    window = ctx.window
    s = len(sessions.person)
    chance = np.array([slot[2] for slot in _SLOTS]).T[sessions.kind]
    happens = rng.random((s, len(_SLOTS))) < chance
    happens[:, _CART_PAGE] &= happens[:, _CART]
    gaps = rng.exponential(40.0, size=(s, len(_SLOTS))) + 2
    offsets = (np.cumsum(gaps, axis=1) - gaps[:, :1]).astype(np.int64)
    lead = np.where(
        sessions.kind == PURCHASE,
        offsets[:, -1] + _uniform_int(rng, 20, 300, s),
        np.where(sessions.kind == RESEARCH, _uniform_int(rng, 3600, 72 * 3600, s), 0),
    )
    start = sessions.anchor - lead
    session, slot = np.nonzero(happens)
    local = start[session] + offsets[session, slot]
    keep = (local >= window.start_s) & (local < window.end_s)
    session, slot, local = session[keep], slot[keep], local[keep]
    millis = rng.integers(0, 1000, size=len(local))
    event_ms = (local - CHINA_UTC_OFFSET_S) * 1000 + millis
    sort = np.argsort(event_ms, kind="stable")
    session, slot, local, event_ms = session[sort], slot[sort], local[sort], event_ms[sort]

    names = np.array([slot_[0] for slot_ in _SLOTS])[slot]
    pages = np.array([slot_[1] for slot_ in _SLOTS])[slot]
    landing = (slot == 0) & (sessions.kind[session] == AD_LANDING)
    pages = np.where(landing, "/pages/activity/landing", pages)
    sku = sessions.sku[session]
    browsed = (slot == 2) | (slot == 3)
    category = _SKU_CATEGORY[sku]
    other = (
        _CATEGORY_FIRST_SKU[category]
        + rng.integers(0, 1 << 30, size=len(sku)) % _CATEGORY_SKU_COUNT[category]
    )
    sku = np.where(browsed, other, sku)
    product = np.isin(names, ("view", "add_to_cart", "share"))
    person = sessions.person[session]
    frame = {
        "event_id": _random_strings(rng, len(local), 32, _HEX),
        "openid": people.openid[person],
        "unionid": np.where(people.authorised[person], people.unionid[person], ""),
        "event_name": names,
        "page": _blank(rng, pages, 0.005),
        "product_sku": np.where(product, _SKU[sku], ""),
        "campaign_id": sessions.campaign[session],
        "event_time": event_ms.astype(str),
    }
    return _with_duplicates("scrm__miniprogram_events", rng, frame, window.local_day(local), 0.01)
