"""State shared by every block of people: the window, the ad plan, salts and counters."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dagster_project.lib.demo.arrays import _ALNUM, _join, _random_strings
from dagster_project.lib.demo.master_data import (
    _PLATFORM_CPC,
    _PLATFORM_CTR,
    BAIDU,
    DIAPERS,
    FORMULA,
    OCEAN_ENGINE,
    SAFETY_SEAT,
    STROLLER,
    TENCENT_ADS,
)
from dagster_project.lib.demo.window import DAY_S, Window

CLICKS_PER_CUSTOMER_YEAR = 25.0


@dataclass(frozen=True)
class Activity:
    """Multipliers of how much people do, for benchmark mixes; 1.0 everywhere is the demo.

    They scale the drawn rates (never the number of random draws), so the default output does not
    depend on them and any setting stays deterministic.
    """

    orders: float = 1.0  # purchase rate up and dropout chance down by this factor
    events: float = 1.0  # mini-program browsing visits
    clicks: float = 1.0  # reported ad clicks, hence click callbacks

    def __post_init__(self) -> None:
        if min(self.orders, self.events, self.clicks) <= 0:
            raise ValueError("activity multipliers must be positive")


@dataclass
class AdsPlan:
    """Every ad (ad / ad group / unit) with its campaign and its daily click expectation."""

    platform: np.ndarray
    campaign_id: np.ndarray
    campaign_name: np.ndarray
    ad_id: np.ndarray
    ad_name: np.ndarray
    category: np.ndarray
    expected_clicks: np.ndarray  # (days, ads)
    impressions: np.ndarray  # (days, ads)
    clicks: np.ndarray  # (days, ads) before the clicks of people the blocks add
    linked_clicks: np.ndarray  # (days, ads), filled by the blocks
    ctr: np.ndarray
    cpc_fen: np.ndarray
    cvr: np.ndarray
    accounts: tuple[str, str, str]

    @property
    def active(self) -> np.ndarray:
        return self.expected_clicks > 0


@dataclass
class Context:
    window: Window
    ads: AdsPlan
    broadcasts: np.ndarray
    group_ids: np.ndarray
    phone_salt: int
    code_salt: int
    email_salt: int
    orders_per_day: np.ndarray
    counters: dict[str, int]
    activity: Activity = field(default_factory=Activity)
    # Share of orders written in a foreign currency (lib/demo/currencies.py); 0 in the demo.
    foreign_currency_share: float = 0.0

    def take(self, counter: str, n: int) -> int:
        """Reserve ``n`` sequence numbers; returns the first."""
        first = self.counters[counter]
        self.counters[counter] = first + n
        return first


def _campaigns(window: Window) -> list[tuple[int, str, int, int, float, int, tuple[str, ...]]]:
    """platform, name, first day, last day, budget weight, product category, ad names."""
    last = window.days - 1
    half = window.days // 2
    campaigns = [
        (OCEAN_ENGINE, "品牌曝光_常投", 0, last, 1.0, DIAPERS, ("信息流_视频1", "信息流_视频2")),
        (OCEAN_ENGINE, "推车种草_A", 0, last, 0.6, STROLLER, ("达人视频_A", "直播切片_A")),
        (OCEAN_ENGINE, "推车种草_B", 0, last, 0.6, STROLLER, ("达人视频_B", "直播切片_B")),
        (TENCENT_ADS, "朋友圈_纸尿裤复购", 0, last, 0.8, DIAPERS, ("朋友圈卡片", "公众号文中")),
        (TENCENT_ADS, "视频号_安全座椅_A", half, last, 0.5, SAFETY_SEAT, ("视频号_A",)),
        (TENCENT_ADS, "视频号_安全座椅_B", half, last, 0.5, SAFETY_SEAT, ("视频号_B",)),
        (BAIDU, "品牌词", 0, last, 0.7, STROLLER, ("品牌词_精确", "品牌词_短语")),
        (BAIDU, "通用词_婴儿推车", 0, last, 0.6, STROLLER, ("推车_通用", "高景观推车")),
        (BAIDU, "竞品词", 0, half, 0.3, SAFETY_SEAT, ("竞品_推车", "竞品_座椅")),
    ]
    for label, year, day in window.peaks:
        campaigns += [
            (OCEAN_ENGINE, f"{year}{label}_大促", day - 20, day + 1, 3.0, STROLLER, ("大促_视频",)),
            (TENCENT_ADS, f"{year}{label}_朋友圈", day - 14, day, 2.0, FORMULA, ("大促_朋友圈",)),
            (BAIDU, f"{year}{label}_搜索", day - 10, day, 1.5, SAFETY_SEAT, ("大促_搜索",)),
        ]
    return [
        (platform, name, max(first, 0), min(end, last), weight, category, ads)
        for platform, name, first, end, weight, category, ads in campaigns
        if first <= last and end >= 0
    ]


def _numeric_ids(rng: np.random.Generator, n: int, base: int) -> np.ndarray:
    """Increasing, distinct numeric ids as platforms hand them out."""
    return (base + np.cumsum(rng.integers(1_000, 99_999, size=n))).astype(str)


def _ads_plan(
    rng: np.random.Generator, window: Window, customers: int, clicks_per_year: float
) -> AdsPlan:
    campaigns = _campaigns(window)
    n_campaigns = len(campaigns)
    campaign_ids = {
        OCEAN_ENGINE: _numeric_ids(rng, n_campaigns, 1_780_000_000_000_000),
        TENCENT_ADS: _numeric_ids(rng, n_campaigns, 41_000_000),
        BAIDU: _numeric_ids(rng, n_campaigns, 620_000_000),
    }
    ad_bases = {
        OCEAN_ENGINE: 7_300_000_000_000_000_000,
        TENCENT_ADS: 8_100_000_000,
        BAIDU: 9_200_000_000,
    }
    rows: list[tuple[int, str, str, str, int, int, int, float]] = []
    for index, (platform, name, first, last, weight, category, ad_names) in enumerate(campaigns):
        for ad_name in ad_names:
            rows.append(
                (platform, campaign_ids[platform][index], name, ad_name, category, first, last,
                 weight / len(ad_names))
            )  # fmt: skip
    n_ads = len(rows)
    platform = np.array([row[0] for row in rows])
    ad_ids = np.empty(n_ads, dtype="U24")
    for code, base in ad_bases.items():
        mask = platform == code
        ad_ids[mask] = _numeric_ids(rng, int(mask.sum()), base)
    days = np.arange(window.days)[:, None]
    first = np.array([row[5] for row in rows])[None, :]
    last = np.array([row[6] for row in rows])[None, :]
    weight = np.array([row[7] for row in rows])[None, :]
    demand = np.diff(window.cumulative)[:, None]
    expected = ((days >= first) & (days <= last)) * weight * demand
    total_clicks = clicks_per_year * customers * window.days / 365
    expected *= total_clicks / expected.sum()
    low = np.array([_PLATFORM_CTR[p][0] for p in platform])
    high = np.array([_PLATFORM_CTR[p][1] for p in platform])
    ctr = rng.uniform(low, high)
    daily_ctr = np.clip(ctr * rng.lognormal(0.0, 0.15, size=expected.shape), 0.005, 0.03)
    impressions = np.where(expected > 0, rng.poisson(expected / daily_ctr) + 1, 0)
    clicks = rng.binomial(impressions, daily_ctr)
    cpc_low = np.array([_PLATFORM_CPC[p][0] for p in platform])
    cpc_high = np.array([_PLATFORM_CPC[p][1] for p in platform])
    return AdsPlan(
        platform=platform,
        campaign_id=np.array([row[1] for row in rows]),
        campaign_name=np.array([row[2] for row in rows]),
        ad_id=ad_ids,
        ad_name=np.array([row[3] for row in rows]),
        category=np.array([row[4] for row in rows]),
        expected_clicks=expected,
        impressions=impressions.astype(np.int64),
        clicks=clicks.astype(np.int64),
        linked_clicks=np.zeros(expected.shape, dtype=np.int64),
        ctr=ctr,
        cpc_fen=np.round(rng.uniform(cpc_low, cpc_high) * 100),
        cvr=rng.uniform(0.02, 0.06, size=n_ads),
        accounts=("1712345678901234", "25610188", "小星星母婴-搜索推广"),
    )


def _build_context(
    rng: np.random.Generator, window: Window, customers: int, activity: Activity
) -> Context:
    broadcast_days = list(range(14, window.days, 30))
    broadcast_times = [window.start_s + day * DAY_S + 10 * 3600 for day in broadcast_days]
    for _label, _year, day in window.peaks:
        if day - 5 >= 0:
            broadcast_times.append(window.start_s + (day - 5) * DAY_S + 20 * 3600)
    group_ids = _join("wrOgQhDgAA", _random_strings(rng, 8, 12, _ALNUM))
    return Context(
        window=window,
        ads=_ads_plan(rng, window, customers, CLICKS_PER_CUSTOMER_YEAR * activity.clicks),
        broadcasts=np.unique(np.array(broadcast_times, dtype=np.int64)),
        group_ids=group_ids,
        phone_salt=int(rng.integers(0, 1_000_000_000)),
        code_salt=int(rng.integers(0, 1 << 40)),
        email_salt=int(rng.integers(0, 1 << 40)),
        orders_per_day=np.zeros(window.days, dtype=np.int64),
        counters={"member": 0, "code": 0, "payment": 0, "refund": 0, "interaction": 0},
        activity=activity,
    )
