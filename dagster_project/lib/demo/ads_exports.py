"""The ad exports: click callbacks and the daily reports of the three platforms."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from dagster_project.lib.contract import get_source
from dagster_project.lib.demo.arrays import (
    _ALNUM,
    _DIGITS,
    _ID_ALPHABET,
    _LOWER_ALNUM,
    _join,
    _pick,
    _random_strings,
    _replace,
    _yuan,
)
from dagster_project.lib.demo.context import Context
from dagster_project.lib.demo.frames import Frame
from dagster_project.lib.demo.master_data import _PLATFORM_LABELS, BAIDU, OCEAN_ENGINE, TENCENT_ADS
from dagster_project.lib.demo.mess import (
    UNPARSEABLE_SHARE,
    UNPARSEABLE_TIMESTAMP,
    _blank,
    _mixed_timestamps,
    _with_duplicates,
)
from dagster_project.lib.demo.window import DAY_S

CALLBACK_SHARE = 0.2


_CLICK_ID_SHAPES = {
    OCEAN_ENGINE: ("EJ", 30, _ALNUM),
    TENCENT_ADS: ("wx0", 16, _LOWER_ALNUM),
    BAIDU: ("", 20, _DIGITS),
}


def _clicks_frame(
    ctx: Context, rng: np.random.Generator, ad: np.ndarray, time: np.ndarray, openid: np.ndarray
) -> Frame:
    n = len(ad)
    platform = ctx.ads.platform[ad]
    click_id = np.empty(n, dtype="U40")
    label = np.empty(n, dtype="U12")
    for code, (prefix, length, alphabet) in _CLICK_ID_SHAPES.items():
        mask = platform == code
        click_id[mask] = _join(prefix, _random_strings(rng, int(mask.sum()), length, alphabet))
        names, shares = _PLATFORM_LABELS[code]
        label[mask] = rng.choice(np.array(names), size=int(mask.sum()), p=shares)
    click_time = _mixed_timestamps(rng, time)
    click_time[_pick(rng, n, UNPARSEABLE_SHARE, minimum=1 if n else 0)] = UNPARSEABLE_TIMESTAMP
    frame = {
        "click_id": click_id,
        "platform": label,
        "campaign_id": ctx.ads.campaign_id[ad],
        "ad_id": _blank(rng, ctx.ads.ad_id[ad], 0.01),
        "click_time": click_time,
        "openid": openid,
    }
    return _with_duplicates("ads__ad_clicks", rng, frame, ctx.window.local_day(time), 0.01)


def _anonymous_clicks(ctx: Context, rng: np.random.Generator) -> Iterator[Frame]:
    """Click callbacks of people outside the population: a sample of the reported clicks.

    Yields a month at a time so that a large population never holds a year of clicks.
    """
    window = ctx.window
    for first in range(0, window.days, 31):
        callbacks = rng.binomial(ctx.ads.clicks[first : first + 31], CALLBACK_SHARE)
        day, ad = np.nonzero(callbacks)
        count = callbacks[day, ad]
        day, ad = np.repeat(day + first, count), np.repeat(ad, count)
        time = window.seconds_on(rng, day)
        sort = np.argsort(time, kind="stable")
        time, ad = time[sort], ad[sort]
        # Some visitors were logged in to the mini-program without ever becoming known.
        strangers = _join("oXyz", _random_strings(rng, len(ad), 24, _ID_ALPHABET))
        openid = np.where(rng.random(len(ad)) < 0.1, strangers, "")
        yield _clicks_frame(ctx, rng, ad, time, openid)


def _ad_report_frames(ctx: Context, rng: np.random.Generator) -> list[Frame]:
    ads, window = ctx.ads, ctx.window
    clicks = ads.clicks + ads.linked_clicks
    conversions = rng.binomial(clicks, ads.cvr[None, :])
    noise = rng.lognormal(0.0, 0.08, size=clicks.shape)
    cost_per_click = ads.cpc_fen[None, :] * noise
    # Feed platforms bill per impression (oCPM), search per click.
    paid_clicks = np.where(
        ads.platform[None, :] == BAIDU, clicks, ads.impressions * ads.ctr[None, :]
    )
    spend = np.round(paid_clicks * cost_per_click).astype(np.int64)
    frames = []
    for code, name in (
        (OCEAN_ENGINE, "ads__ocean_engine_campaign_daily"),
        (TENCENT_ADS, "ads__tencent_ads_daily"),
        (BAIDU, "ads__baidu_campaign_daily"),
    ):
        active = ads.active & (ads.platform[None, :] == code)
        day, ad = np.nonzero(active)
        report_day = (window.start_s // DAY_S + day).astype("datetime64[D]").astype(str)
        if code == BAIDU:
            report_day = _replace(report_day, "-", "/")
        cost = spend[day, ad]
        values = {
            "date": report_day,
            "account": np.full(len(day), ads.accounts[code]),
            "campaign_id": ads.campaign_id[ad],
            "campaign_name": ads.campaign_name[ad],
            "ad_id": ads.ad_id[ad],
            "ad_name": ads.ad_name[ad],
            "cost": cost.astype(str) if code == TENCENT_ADS else _yuan(cost),
            # The demo buys its ads in CNY; no random draw, so the other columns stay the same.
            "currency": np.full(len(day), "CNY"),
            "impressions": ads.impressions[day, ad].astype(str),
            "clicks": clicks[day, ad].astype(str),
            "conversions": conversions[day, ad].astype(str),
        }
        columns = get_source(name).column_names
        frame = dict(zip(columns, values.values(), strict=True))
        file_day = window.start_day + day
        if code == OCEAN_ENGINE:
            frame["convert_cnt"] = _blank(rng, frame["convert_cnt"], 0.005)
            frames.append(_with_duplicates(name, rng, frame, file_day, 0.005))
        else:
            frames.append(Frame(name, frame, file_day))
    return frames
