"""Predictions from fitted parameters: P(alive), expected purchases, expected spend and
discounted customer lifetime value."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import expit, hyp2f1

from dagster_project.lib.clv.inputs import DAYS_PER_MONTH, _as_float, _factorize, _fits_in_int64
from dagster_project.lib.clv.results import BgNbdParams, GammaGammaParams


def probability_alive(
    params: BgNbdParams,
    frequency: Sequence[float] | np.ndarray,
    recency: Sequence[float] | np.ndarray,
    t: Sequence[float] | np.ndarray,
) -> np.ndarray:
    """P(still active at T | x, t_x, T). Customers without a repeat purchase get 1: in BG/NBD a
    customer can only drop out right after a repeat purchase."""
    x, t_x, big_t = _as_float(frequency), _as_float(recency), _as_float(t)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    repeat = x > 0
    log_odds = np.full_like(x, -np.inf)
    xr = x[repeat]
    log_odds[repeat] = (
        math.log(a)
        - np.log(b + xr - 1)
        + (r + xr) * (np.log(alpha + big_t[repeat]) - np.log(alpha + t_x[repeat]))
    )
    return expit(-log_odds)


def _pair_codes(x: np.ndarray, big_t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (x, T) pairs: the conditional expectation's numerator depends on nothing else."""
    x_codes, x_values = _factorize(x)
    t_codes, t_values = _factorize(big_t)
    if not _fits_in_int64((len(x_values), len(t_values))):
        return np.arange(len(x)), x, big_t
    key = x_codes * max(len(t_values), 1) + t_codes
    pair, uniques = pd.factorize(key, sort=False)
    return (
        pair.astype(np.int64),
        x_values[uniques // max(len(t_values), 1)],
        t_values[uniques % max(len(t_values), 1)],
    )


def _expected_purchases_if_alive(
    params: BgNbdParams, horizons: np.ndarray, x: np.ndarray, big_t: np.ndarray
) -> np.ndarray:
    """E[Y(t) | x, T, alive] for each row of (x, T) and each horizon: shape (rows, horizons).

    FHL (2005) equation 10 without its P(alive) denominator.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, big_t = x[:, None], big_t[:, None]
    h = horizons[None, :]
    total = alpha + big_t + h
    hyper = hyp2f1(r + x, b + x, a + b + x - 1, h / total)
    decay = np.exp((r + x) * (np.log(alpha + big_t) - np.log(total)))
    return (a + b + x - 1) / (a - 1) * (1 - decay * hyper)


def expected_purchases(
    params: BgNbdParams,
    horizons: float | Sequence[float] | np.ndarray,
    frequency: Sequence[float] | np.ndarray,
    recency: Sequence[float] | np.ndarray,
    t: Sequence[float] | np.ndarray,
) -> np.ndarray:
    """Expected repeat purchases in the next ``horizons`` (time units) given each history.

    A scalar horizon gives one value per customer, a sequence a (customers, horizons) array.
    The hypergeometric part is computed once per distinct (x, T) pair.
    """
    x, t_x, big_t = _as_float(frequency), _as_float(recency), _as_float(t)
    scalar = np.ndim(horizons) == 0
    h = np.atleast_1d(np.asarray(horizons, dtype=np.float64))
    pair, pair_x, pair_t = _pair_codes(x, big_t)
    if_alive = _expected_purchases_if_alive(params, h, pair_x, pair_t)[pair]
    result = if_alive * probability_alive(params, x, t_x, big_t)[:, None]
    return result[:, 0] if scalar else result


def expected_average_spend(
    params: GammaGammaParams,
    frequency: Sequence[float] | np.ndarray,
    monetary_value: Sequence[float] | np.ndarray,
) -> np.ndarray:
    """Posterior mean spend per purchase; one-time buyers get the population mean p v / (q - 1).

    Repeat buyers whose mean repeat spend is missing or not positive count as zero spend: their
    expectation shrinks below the population mean in proportion to their purchases.
    """
    x, m = _as_float(frequency), _as_float(monetary_value)
    p, q, v = params.p, params.q, params.v
    m = np.where(np.isfinite(m) & (m > 0), m, 0.0)
    x = np.where(np.isfinite(x) & (x > 0), x, 0.0)
    denominator = p * x + q - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, p * (v + x * m) / denominator, np.nan)


def _month_ends(horizon_months: int, unit_days: float) -> np.ndarray:
    return np.arange(1, horizon_months + 1, dtype=np.float64) * DAYS_PER_MONTH / unit_days


def _monthly_discount(horizon_months: int, annual_discount_rate: float) -> np.ndarray:
    """Purchases in month k count as paid at its end: (1 + annual rate) ** -(k / 12)."""
    months = np.arange(1, horizon_months + 1, dtype=np.float64)
    return (1.0 + annual_discount_rate) ** (-months / 12.0)


def _discounted(cumulative: np.ndarray, discount: np.ndarray) -> np.ndarray:
    per_month = np.diff(cumulative, axis=1, prepend=0.0)
    return per_month @ discount


def discounted_expected_purchases(
    params: BgNbdParams,
    frequency: Sequence[float] | np.ndarray,
    recency: Sequence[float] | np.ndarray,
    t: Sequence[float] | np.ndarray,
    *,
    horizon_months: int,
    annual_discount_rate: float,
    unit_days: float,
) -> np.ndarray:
    """Expected purchases month by month over the horizon, each discounted to today."""
    x, t_x, big_t = _as_float(frequency), _as_float(recency), _as_float(t)
    pair, pair_x, pair_t = _pair_codes(x, big_t)
    cumulative = _expected_purchases_if_alive(
        params, _month_ends(horizon_months, unit_days), pair_x, pair_t
    )
    discount = _monthly_discount(horizon_months, annual_discount_rate)
    return _discounted(cumulative, discount)[pair] * probability_alive(params, x, t_x, big_t)


def customer_lifetime_value(
    bgnbd: BgNbdParams,
    gamma_gamma: GammaGammaParams,
    frequency: Sequence[float] | np.ndarray,
    recency: Sequence[float] | np.ndarray,
    t: Sequence[float] | np.ndarray,
    monetary_value: Sequence[float] | np.ndarray,
    *,
    horizon_months: int = 12,
    annual_discount_rate: float = 0.10,
    unit_days: float = 7.0,
    profit_margin: float = 1.0,
) -> np.ndarray:
    """Discounted value of the purchases expected over the horizon, in the spend's money unit."""
    discounted = discounted_expected_purchases(
        bgnbd,
        frequency,
        recency,
        t,
        horizon_months=horizon_months,
        annual_discount_rate=annual_discount_rate,
        unit_days=unit_days,
    )
    spend = expected_average_spend(gamma_gamma, frequency, monetary_value)
    return profit_margin * spend * discounted
