"""The shop exports: stores, orders, order items, payments, refunds, members, referral codes."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from dagster_project.lib.demo.arrays import (
    _digits,
    _group_positions,
    _join,
    _pick,
    _uniform_int,
    _yuan,
)
from dagster_project.lib.demo.context import Context
from dagster_project.lib.demo.currencies import in_currency, order_currencies
from dagster_project.lib.demo.frames import Frame, _concat, _take
from dagster_project.lib.demo.master_data import (
    _REFUND_REASON_SHARES,
    _REFUND_REASONS,
    _SKU,
    _SKU_CATEGORY,
    _SKU_NAME,
    _SKU_PRICE_FEN,
    _STORES,
    CATEGORIES,
    FIRST_OFFLINE,
    JD,
    MINI_PROGRAM,
    TMALL,
)
from dagster_project.lib.demo.mess import (
    DUPLICATE_ROW_SHARE,
    GUEST_ORDER_SHARE,
    NEGATIVE_QUANTITY_SHARE,
    REEXPORT_SHARE,
    TIMESTAMP_FORMAT_SHARES,
    UNPARSEABLE_SHARE,
    UNPARSEABLE_TIMESTAMP,
    _blank,
    _messy_emails,
    _messy_phones,
    _mixed_timestamps,
    _timestamps,
    _with_duplicates,
)
from dagster_project.lib.demo.people import People
from dagster_project.lib.demo.shop import Items, Members, Orders, ReferralCodes
from dagster_project.lib.demo.window import DAY_S, NO_TIME, Window

REFUND_SHARE = 0.05


_STORE_IDS = np.array([store[0] for store in _STORES])


def _stores_frame(window: Window) -> Frame:
    opened = [(window.start - timedelta(days=store[5])).isoformat() for store in _STORES]
    frame = {
        "store_id": _STORE_IDS,
        "store_name": np.array([store[1] for store in _STORES]),
        "channel": np.array([store[2] for store in _STORES]),
        "platform": np.array([store[3] for store in _STORES]),
        "city": np.array([store[4] for store in _STORES]),
        "opened_date": np.array(opened),
    }
    return Frame("shop__stores", frame, np.full(len(_STORES), window.start_day))


def _payment_methods(rng: np.random.Generator, store: np.ndarray) -> np.ndarray:
    n = len(store)
    in_store = rng.choice(
        np.array(["wechat_pay", "alipay", "card", "cash"]), size=n, p=(0.5, 0.3, 0.15, 0.05)
    )
    jd = np.where(rng.random(n) < 0.6, "wechat_pay", "card")
    return np.where(
        store == MINI_PROGRAM,
        "wechat_pay",
        np.where(store == TMALL, "alipay", np.where(store == JD, jd, in_store)),
    )


def _order_frames(
    ctx: Context,
    rng: np.random.Generator,
    people: People,
    orders: Orders,
    items: Items,
    members: Members,
    referral: np.ndarray,
) -> list[Frame]:
    window = ctx.window
    n = len(orders.person)
    person, store = orders.person, orders.store
    day_index = (orders.time - window.start_s) // DAY_S
    sequence = _group_positions(day_index) + ctx.orders_per_day[day_index] + 1
    ctx.orders_per_day += np.bincount(day_index, minlength=window.days)
    day_labels = np.array(
        [(window.start + timedelta(days=day)).strftime("%y%m%d") for day in range(window.days)]
    )
    order_id = _join("SO", day_labels[day_index], _digits(sequence, 6))
    # '' for CNY, the demo's currency; a foreign order's amounts are its CNY amounts at the rate.
    currency = order_currencies(order_id, ctx.foreign_currency_share)

    line_fen = _SKU_PRICE_FEN[items.sku] * items.quantity
    gross = np.round(np.bincount(items.order, weights=line_fen, minlength=n)).astype(np.int64)
    promotion = window.promotion[day_index]
    draw = rng.random(n)
    rate = np.where(
        promotion,
        np.where(draw < 0.8, rng.uniform(0.10, 0.20, n), 0.0),
        np.where(draw < 0.35, rng.uniform(0.05, 0.10, n), 0.0),
    )
    discount = (gross * rate // 100).astype(np.int64) * 100 + np.where(referral != "", 3000, 0)
    discount = np.minimum(discount, gross // 200 * 100)
    net = gross - discount

    offline = store >= FIRST_OFFLINE
    cancelled = rng.random(n) < np.where(offline, 0.01, 0.035)
    status = np.where(cancelled, "cancelled", np.where(offline, "completed", "paid"))
    delay = np.where(cancelled, _uniform_int(rng, 300, 7200, n), _uniform_int(rng, 0, 600, n))
    updated = np.minimum(orders.time + delay, window.end_s - 1)

    member_of = np.full(len(people), "", dtype="U9")
    member_of[members.person] = members.member_id
    registered = np.full(len(people), NO_TIME, dtype=np.int64)
    registered[members.person] = members.registered
    mini_program = store == MINI_PROGRAM
    market = (store == TMALL) | (store == JD)
    member_share = np.where(mini_program, 0.85, np.where(market, 0.25, 0.95))
    phone_share = np.where(mini_program, 0.4, np.where(market, 0.95, 0.35))
    with_member = (orders.time >= registered[person]) & (rng.random(n) < member_share)
    with_phone = people.has_phone[person] & (rng.random(n) < phone_share)
    with_openid = mini_program & people.has_openid[person]
    with_phone |= ~(with_member | with_phone | with_openid) & people.has_phone[person]
    guest = _pick(rng, n, GUEST_ORDER_SHARE, minimum=1)
    formats = rng.choice(3, size=n, p=TIMESTAMP_FORMAT_SHARES)
    order_time = _timestamps(orders.time, formats)
    order_time[_pick(rng, n, UNPARSEABLE_SHARE, minimum=1)] = UNPARSEABLE_TIMESTAMP
    frame = {
        "order_id": order_id,
        "store_id": _STORE_IDS[store],
        "member_id": np.where(with_member & ~guest, member_of[person], ""),
        "buyer_phone": _messy_phones(rng, np.where(with_phone & ~guest, people.phone[person], "")),
        "openid": np.where(with_openid & ~guest, people.openid[person], ""),
        "order_time": order_time,
        "order_status": status,
        "total_amount": _yuan(in_currency(gross, currency)),
        "discount_amount": _blank(rng, _yuan(in_currency(discount, currency)), 0.02),
        "referral_code": referral,
        "currency": np.where(currency != "", currency, _blank(rng, np.full(n, "CNY"), 0.01)),
        "updated_at": _timestamps(updated, formats),
    }
    export_day = window.local_day(updated)
    # Online orders are re-exported when they complete: same order, later updated_at and file.
    completed_at = updated + _uniform_int(rng, 2 * DAY_S, 15 * DAY_S, n)
    again = np.flatnonzero(
        ~offline & ~cancelled & (rng.random(n) < REEXPORT_SHARE) & (completed_at < window.end_s)
    )
    reexport = _take(frame, again)
    reexport["order_status"] = np.full(len(again), "completed")
    reexport["updated_at"] = _timestamps(completed_at[again], formats[again])
    order_frame = _concat([frame, reexport])
    order_day = np.r_[export_day, window.local_day(completed_at[again])]
    frames: list[Frame] = [
        _with_duplicates("shop__orders", rng, order_frame, order_day, DUPLICATE_ROW_SHARE)
    ]

    line_number = _group_positions(items.order) + 1
    quantity = items.quantity.copy()
    negative = _pick(rng, len(quantity), NEGATIVE_QUANTITY_SHARE, minimum=1 if n else 0)
    quantity[negative] = -quantity[negative]
    category = np.array(CATEGORIES)[_SKU_CATEGORY[items.sku]]
    item_frame = {
        "order_id": order_id[items.order],
        "line_number": line_number.astype(str),
        "product_sku": _SKU[items.sku],
        "product_name": _blank(rng, _SKU_NAME[items.sku], 0.01),
        "category": _blank(rng, category, 0.005),
        "quantity": quantity.astype(str),
        "unit_price": _yuan(in_currency(_SKU_PRICE_FEN[items.sku], currency[items.order])),
    }
    item_day = export_day[items.order]
    frames.append(_with_duplicates("shop__order_items", rng, item_frame, item_day, 0.005))
    frames.append(_payments_frame(ctx, rng, orders, order_id, currency, net, cancelled))
    frames.append(_refunds_frame(ctx, rng, orders, order_id, currency, net, cancelled))
    return frames


def _payments_frame(
    ctx: Context,
    rng: np.random.Generator,
    orders: Orders,
    order_id: np.ndarray,
    currency: np.ndarray,
    net: np.ndarray,
    cancelled: np.ndarray,
) -> Frame:
    end = ctx.window.end_s - 1
    paid = np.flatnonzero(~cancelled)
    k = len(paid)
    paid_at = np.minimum(orders.time[paid] + _uniform_int(rng, 5, 600, k), end)
    method = _payment_methods(rng, orders.store[paid])
    split = rng.random(k) < 0.03
    first_part = np.where(split, np.round(net[paid] * rng.uniform(0.5, 0.9, k)), net[paid])
    first_part = first_part.astype(np.int64)
    second = np.flatnonzero(split)
    order = np.r_[paid, paid[second]]
    amount = np.r_[first_part, net[paid][second] - first_part[second]]
    when = np.r_[
        paid_at, np.minimum(paid_at[second] + _uniform_int(rng, 10, 120, len(second)), end)
    ]
    methods = np.r_[method, np.full(len(second), "card")]
    sort = np.argsort(when, kind="stable")
    order, amount, when, methods = order[sort], amount[sort], when[sort], methods[sort]
    first_number = ctx.take("payment", len(order)) + 1
    frame = {
        "payment_id": _join("PY", _digits(first_number + np.arange(len(order)), 10)),
        "order_id": order_id[order],
        "payment_method": methods,
        "amount": _yuan(in_currency(amount, currency[order])),
        "paid_at": _mixed_timestamps(rng, when),
    }
    return _with_duplicates("shop__payments", rng, frame, ctx.window.local_day(when), 0.005)


def _refunds_frame(
    ctx: Context,
    rng: np.random.Generator,
    orders: Orders,
    order_id: np.ndarray,
    currency: np.ndarray,
    net: np.ndarray,
    cancelled: np.ndarray,
) -> Frame:
    candidates = np.flatnonzero(~cancelled)
    refunded = candidates[rng.random(len(candidates)) < REFUND_SHARE]
    k = len(refunded)
    soon = _uniform_int(rng, 2 * 3600, 3 * DAY_S, k)
    late = _uniform_int(rng, 3 * DAY_S, 30 * DAY_S, k)
    when = orders.time[refunded] + np.where(rng.random(k) < 0.5, soon, late)
    partial = np.maximum(100, np.round(net[refunded] * rng.uniform(0.1, 0.6, k))).astype(np.int64)
    amount = np.where(rng.random(k) < 0.6, net[refunded], np.minimum(partial, net[refunded]))
    reason = rng.choice(np.array(_REFUND_REASONS), size=k, p=_REFUND_REASON_SHARES)
    keep = np.flatnonzero(when < ctx.window.end_s)
    keep = keep[np.argsort(when[keep], kind="stable")]
    first_number = ctx.take("refund", len(keep)) + 1
    frame = {
        "refund_id": _join("RF", _digits(first_number + np.arange(len(keep)), 10)),
        "order_id": order_id[refunded[keep]],
        "refund_amount": _yuan(in_currency(amount[keep], currency[refunded[keep]])),
        "refunded_at": _mixed_timestamps(rng, when[keep]),
        "reason": reason[keep],
    }
    return _with_duplicates("shop__refunds", rng, frame, ctx.window.local_day(when[keep]), 0.005)


def _members_frame(
    ctx: Context, rng: np.random.Generator, people: People, members: Members
) -> Frame:
    person = members.person
    m = len(person)
    mini_program = members.home_store == MINI_PROGRAM
    email = np.where(rng.random(m) < 0.9, people.email[person], "")
    frame = {
        "member_id": members.member_id,
        "phone": _messy_phones(rng, _blank(rng, people.phone[person], 0.03)),
        "email": _messy_emails(rng, email),
        "unionid": np.where(mini_program | (rng.random(m) < 0.1), people.unionid[person], ""),
        "openid": np.where(mini_program, people.openid[person], ""),
        "registered_at": _mixed_timestamps(rng, members.registered),
        "home_store_id": _blank(rng, _STORE_IDS[members.home_store], 0.03),
    }
    day = ctx.window.export_day(members.registered)
    return _with_duplicates("shop__members", rng, frame, day, 0.005)


def _referral_frame(ctx: Context, rng: np.random.Generator, codes: ReferralCodes) -> Frame:
    frame = {
        "referral_code": codes.code,
        "referrer_member_id": codes.member_id,
        "created_at": _mixed_timestamps(rng, codes.created),
    }
    return Frame("shop__referral_codes", frame, ctx.window.local_day(codes.created))
