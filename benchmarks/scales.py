"""The benchmark's scales and its targets."""

from __future__ import annotations

from dataclasses import dataclass

GIB = 2**30


@dataclass(frozen=True)
class Scale:
    customers: int
    # Activity multipliers of the generator that give the mix of the issue: about 10 orders,
    # 50 private-domain events (mini-program events plus WeCom interactions) and 20 ad clicks
    # per customer.
    orders_scale: float = 3.0
    events_scale: float = 1.6
    clicks_scale: float = 4.0
    days: int = 365
    # At the large scale the widest models spill tens of GB to disk; one dbt thread keeps two of
    # them from spilling at the same time. DuckDB still runs each query on every core.
    dbt_threads: int = 2


SCALES = {
    "small": Scale(customers=10_000),
    "medium": Scale(customers=100_000),
    "large": Scale(customers=1_000_000, dbt_threads=1),
}
TARGET_TOTAL_S = 30 * 60
TARGET_PEAK_BYTES = 16 * GIB
TARGET_FLOOR_RATIO = 3.0
