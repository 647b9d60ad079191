"""Fit and scoring times of the CLV models at a million simulated customers.

Customers are simulated from BG/NBD and Gamma-Gamma with known parameters, observed the way the
warehouse observes them: purchase days over a two-year window, times in weeks rounded to whole
days, spend in fen. Prints each timing against its target; it does not fail on a miss, because
timings depend on the machine.

    .venv/bin/python benchmarks/bench_clv.py [--customers 1000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

from dagster_project.lib.clv import (
    BgNbdParams,
    GammaGammaParams,
    ScoringConfig,
    fit_bgnbd,
    fit_gamma_gamma,
    score_customers,
)

TRUE_BGNBD = BgNbdParams(r=0.25, alpha=4.0, a=0.8, b=2.5)
TRUE_GAMMA_GAMMA = GammaGammaParams(p=6.0, q=4.0, v=5_000.0)
WINDOW_DAYS = 730
TARGETS_S = {"BG/NBD fit": 1.5, "Gamma-Gamma fit": 1.0, "scoring": 1.0}
Result = TypeVar("Result")


def simulate(customers: int, seed: int) -> pd.DataFrame:
    """A customer summary as dbt would build it, drawn from the two models."""
    rng = np.random.default_rng(seed)
    bg, gg = TRUE_BGNBD, TRUE_GAMMA_GAMMA
    t_days = rng.integers(0, WINDOW_DAYS, customers)
    t = t_days / 7.0
    rate = rng.gamma(bg.r, 1.0 / bg.alpha, customers)
    dropout = rng.beta(bg.a, bg.b, customers)
    # Given N Poisson purchases in (0, T], the x-th of them falls at T times a Beta(x, N-x+1).
    purchases = rng.poisson(rate * t)
    frequency = np.minimum(purchases, rng.geometric(dropout))
    repeat = frequency > 0
    recency = np.zeros(customers)
    recency[repeat] = t[repeat] * rng.beta(
        frequency[repeat], purchases[repeat] - frequency[repeat] + 1
    )
    recency = np.minimum(np.ceil(recency * 7.0), t_days) / 7.0
    spend_scale = rng.gamma(gg.q, 1.0 / gg.v, customers)
    monetary = np.full(customers, np.nan)
    monetary[repeat] = rng.gamma(gg.p * frequency[repeat], 1.0) / (
        frequency[repeat] * spend_scale[repeat]
    )
    return pd.DataFrame(
        {
            "customer_key": np.arange(customers).astype(str),
            "frequency": frequency,
            "recency": recency,
            "t": t,
            "monetary_value_cents": np.round(monetary),
        }
    )


def timed(label: str, function: Callable[[], Result]) -> tuple[Result, float]:
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()

    summary = simulate(arguments.customers, arguments.seed)
    repeat = summary[summary["frequency"] > 0]
    print(f"{len(summary):,} customers, {len(repeat):,} repeat buyers")

    bgnbd, bgnbd_s = timed(
        "BG/NBD fit", lambda: fit_bgnbd(summary["frequency"], summary["recency"], summary["t"])
    )
    gamma_gamma, gamma_gamma_s = timed(
        "Gamma-Gamma fit",
        lambda: fit_gamma_gamma(summary["frequency"], summary["monetary_value_cents"]),
    )
    scores, scoring_s = timed(
        "scoring", lambda: score_customers(summary, bgnbd, gamma_gamma, ScoringConfig())
    )

    print(f"BG/NBD: {bgnbd.status}, {bgnbd.n_unique_rows:,} distinct rows, {bgnbd.params}")
    print(f"  true: {TRUE_BGNBD}")
    print(f"Gamma-Gamma: {gamma_gamma.status}, {gamma_gamma.params}")
    print(f"  true: {TRUE_GAMMA_GAMMA}")
    print(f"mean predicted 12-month CLV: {scores['predicted_clv_cents'].mean() / 100:,.2f} yuan")
    for label, seconds in zip(TARGETS_S, (bgnbd_s, gamma_gamma_s, scoring_s), strict=True):
        target = TARGETS_S[label]
        verdict = "pass" if seconds < target else "FAIL"
        print(f"{label:<16} {seconds:6.2f} s  (target < {target:.1f} s)  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
