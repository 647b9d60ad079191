"""Multi-touch attribution: the journey of an order, each model's shares and the fen credits.

The lookback and the time-decay half-life are the ``marketing_*`` vars of dbt_project.yml.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .project_vars import project_var

MINUTES_PER_DAY = 1440
LOOKBACK_MINUTES = int(project_var("marketing_attribution_lookback_days")) * MINUTES_PER_DAY
HALF_LIFE_MINUTES = int(project_var("marketing_time_decay_half_life_days")) * MINUTES_PER_DAY
MODELS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position_based",
)


@dataclass(frozen=True)
class Touch:
    touchpoint_id: str
    customer: int
    minute: int
    touch_type: str


@dataclass(frozen=True)
class Order:
    order_id: str
    customer: int
    minute: int
    net_cents: int
    is_revenue: bool


def journey(order: Order, touches: list[Touch]) -> list[tuple[str, str, int]]:
    """(touchpoint_id, touch_type, minutes before the order) in journey order."""
    inside = [
        touch
        for touch in touches
        if touch.customer == order.customer
        and order.minute - LOOKBACK_MINUTES <= touch.minute <= order.minute
    ]
    inside.sort(key=lambda touch: (touch.minute, touch.touchpoint_id))
    if not inside:
        return [(f"order:{order.order_id}", "direct", 0)]
    return [
        (touch.touchpoint_id, touch.touch_type, order.minute - touch.minute) for touch in inside
    ]


def shares(model: str, steps: list[tuple[str, str, int]]) -> list[Fraction | float]:
    """Each touch's share of the order under one model, straight from the model's definition."""
    n = len(steps)
    if model == "first_touch":
        return [Fraction(int(i == 0)) for i in range(n)]
    if model == "last_touch":
        return [Fraction(int(i == n - 1)) for i in range(n)]
    if model == "last_non_direct":
        non_direct = [i for i, step in enumerate(steps) if step[1] != "direct"]
        chosen = non_direct[-1] if non_direct else n - 1
        return [Fraction(int(i == chosen)) for i in range(n)]
    if model == "linear":
        return [Fraction(1, n)] * n
    if model == "position_based":
        if n <= 2:
            return [Fraction(1, n)] * n
        middle = Fraction(1, 5) / (n - 2)
        return [Fraction(2, 5)] + [middle] * (n - 2) + [Fraction(2, 5)]
    weights = [0.5 ** (step[2] / HALF_LIFE_MINUTES) for step in steps]
    return [weight / sum(weights) for weight in weights]


def allocate(net_cents: int, parts: list[Fraction | float]) -> list[int]:
    """Running credit floor(net * cumulative share), the last touch taking the rest."""
    running, credits, cumulative = 0, [], 0
    for index, part in enumerate(parts):
        cumulative += part
        total = net_cents if index == len(parts) - 1 else math.floor(net_cents * cumulative)
        credits.append(total - running)
        running = total
    return credits
