"""Ad clicks of known people: before a first purchase and stray ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dagster_project.lib.demo.arrays import _uniform_int
from dagster_project.lib.demo.context import Context
from dagster_project.lib.demo.people import People
from dagster_project.lib.demo.window import DAY_S


@dataclass
class Clicks:
    person: np.ndarray
    time: np.ndarray
    ad: np.ndarray
    openid: np.ndarray


def _person_clicks(ctx: Context, rng: np.random.Generator, people: People) -> Clicks:
    """Clicks shortly before a first purchase (ad-acquired buyers) and stray clicks of anyone."""
    window, ads = ctx.window, ctx.ads
    n = len(people)
    new_buyer = people.buyer & (people.first_purchase >= window.start_s)
    acquired = np.flatnonzero(new_buyer & (rng.random(n) < 0.25))
    first_purchase = people.first_purchase[acquired]
    before_first = first_purchase - _uniform_int(rng, 600, 3 * DAY_S, len(acquired))
    stray = np.flatnonzero(rng.random(n) < 0.08)
    stray = np.repeat(stray, 1 + rng.poisson(0.5, size=len(stray)))
    stray_time = window.random_times(rng, np.zeros(len(stray)), np.full(len(stray), window.total))
    person = np.r_[acquired, stray]
    time = np.r_[before_first, stray_time]
    keep = time >= window.start_s
    person, time = person[keep], time[keep]
    day = (time - window.start_s) // DAY_S
    cdf = np.cumsum(ads.expected_clicks, axis=1)
    total = cdf[:, -1]
    keep = total[day] > 0
    person, time, day = person[keep], time[keep], day[keep]
    draw = rng.random(len(day)) * total[day]
    ad = np.minimum((cdf[day] < draw[:, None]).sum(axis=1), cdf.shape[1] - 1)
    np.add.at(ads.linked_clicks, (day, ad), 1)
    logged_in = people.has_openid[person] & (rng.random(len(person)) < 0.75)
    return Clicks(person, time, ad, np.where(logged_in, people.openid[person], ""))
