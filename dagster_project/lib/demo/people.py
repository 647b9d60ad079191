"""The latent population: who a person is, which identifiers they have, how they buy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammainc

from dagster_project.lib.demo.arrays import (
    _ID_ALPHABET,
    _digits,
    _join,
    _random_strings,
    _scrambled_codes,
)
from dagster_project.lib.demo.context import Context
from dagster_project.lib.demo.master_data import (
    _CATEGORY_SHARES,
    _EMAIL_DOMAINS,
    _NICK_HEADS,
    _NICK_TAILS,
    _OFFLINE_SHARES,
    FIRST_OFFLINE,
)
from dagster_project.lib.demo.window import HISTORY_DAYS, NO_TIME


@dataclass
class People:
    """The latent people of one block; empty strings mark identifiers a person does not have."""

    buyer: np.ndarray
    phone: np.ndarray
    email: np.ndarray
    unionid: np.ndarray
    openid: np.ndarray
    external_userid: np.ndarray
    nickname: np.ndarray
    is_member: np.ndarray
    authorised: np.ndarray
    preferred_store: np.ndarray
    spend_level: np.ndarray
    spend_rank: np.ndarray
    category_cdf: np.ndarray
    purchase_rate: np.ndarray
    dropout: np.ndarray
    birth: np.ndarray  # operational time of the first purchase or first contact
    first_purchase: np.ndarray  # local seconds, NO_TIME for people who never buy
    last_purchase: np.ndarray  # local seconds, -1 for people who never buy

    def __len__(self) -> int:
        return len(self.buyer)

    @property
    def has_openid(self) -> np.ndarray:
        return self.openid != ""

    @property
    def has_phone(self) -> np.ndarray:
        return self.phone != ""


def _people(ctx: Context, rng: np.random.Generator, first_index: int, n: int) -> People:
    index = first_index + np.arange(n, dtype=np.int64)

    def share(buyer_share: float, other_share: float) -> np.ndarray:
        return rng.random(n) < np.where(buyer, buyer_share, other_share)

    buyer = rng.random(n) >= 0.15
    wecom = share(0.40, 0.85)
    unionid = np.where(wecom, rng.random(n) < 0.95, share(0.55, 0.9))
    openid = np.where(unionid, rng.random(n) < 0.8, rng.random(n) < 0.15)
    member = share(0.55, 0.3)
    channel_with_openid = rng.choice(4, size=n, p=(0.5, 0.1, 0.1, 0.3))
    channel_without = rng.choice([1, 2, 3], size=n, p=(0.25, 0.2, 0.55))
    channel = np.where(openid, channel_with_openid, channel_without)
    offline_store = FIRST_OFFLINE + rng.choice(len(_OFFLINE_SHARES), size=n, p=_OFFLINE_SHARES)
    preferred = np.where(channel == 3, offline_store, channel)
    # Every buyer owns a phone; whether a source records it is decided per source.
    phone = member | buyer | (rng.random(n) < 0.5)
    email = share(0.3, 0.1)

    second_digit = rng.choice(
        np.array(list("3456789")), size=n, p=(0.3, 0.05, 0.25, 0.05, 0.05, 0.1, 0.2)
    )
    suffix = (index * 387_420_489 + ctx.phone_salt) % 1_000_000_000  # bijective: gcd(3^18, 10^9)=1
    phones = _join("1", second_digit, _digits(suffix, 9))
    qq = rng.random(n) < 0.4
    local = np.strings.lower(_scrambled_codes(index, ctx.email_salt))
    qq_number = ((index * 2_654_435_761 + ctx.email_salt) % 900_000_000 + 100_000_000).astype(str)
    domain = rng.choice(np.array(_EMAIL_DOMAINS), size=n)
    emails = np.where(qq, _join(qq_number, "@qq.com"), _join(local, "@", domain))
    nickname = _join(
        rng.choice(np.array(_NICK_HEADS), size=n), rng.choice(np.array(_NICK_TAILS), size=n)
    )

    spend_level = rng.gamma(2.0, 0.5, size=n)
    return People(
        buyer=buyer,
        phone=np.where(phone, phones, ""),
        email=np.where(email, emails, ""),
        unionid=np.where(unionid, _join("o6_bm", _random_strings(rng, n, 23, _ID_ALPHABET)), ""),
        openid=np.where(openid, _join("oXyz", _random_strings(rng, n, 24, _ID_ALPHABET)), ""),
        external_userid=np.where(wecom, _join("wm", _random_strings(rng, n, 30, _ID_ALPHABET)), ""),
        nickname=nickname,
        is_member=member,
        authorised=unionid & (rng.random(n) < 0.8),
        preferred_store=preferred,
        spend_level=spend_level,
        spend_rank=gammainc(2.0, spend_level / 0.5),
        category_cdf=np.cumsum(rng.dirichlet(_CATEGORY_SHARES * 4, size=n), axis=1),
        purchase_rate=rng.gamma(0.7, 0.04 / 0.7, size=n) * ctx.activity.orders,
        dropout=np.minimum(rng.beta(1.0, 6.0, size=n) / ctx.activity.orders, 1.0),
        birth=rng.uniform(-HISTORY_DAYS, ctx.window.total, size=n),
        first_purchase=np.full(n, NO_TIME, dtype=np.int64),
        last_purchase=np.full(n, -1, dtype=np.int64),
    )
