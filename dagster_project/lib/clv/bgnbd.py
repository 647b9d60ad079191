"""BG/NBD likelihood: the plain per-customer form and the fast grouped objective with its
gradient."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, expit, gammaln

from dagster_project.lib.clv.inputs import (
    _as_float,
    _factorize,
    _fits_in_int64,
    _group_rows,
    _weights,
)
from dagster_project.lib.clv.results import BgNbdParams


def bgnbd_individual_log_likelihood(
    params: BgNbdParams,
    frequency: Sequence[float] | np.ndarray,
    recency: Sequence[float] | np.ndarray,
    t: Sequence[float] | np.ndarray,
) -> np.ndarray:
    """Log-likelihood of each customer's (x, t_x, T) under BG/NBD (FHL 2005, equation 6)."""
    x, t_x, big_t = _as_float(frequency), _as_float(recency), _as_float(t)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + big_t)
    repeat = x > 0
    a4 = np.full_like(x, -np.inf)
    a4[repeat] = (
        np.log(a) - np.log(b + x[repeat] - 1) - (r + x[repeat]) * np.log(alpha + t_x[repeat])
    )
    return a1 + a2 + np.logaddexp(a3, a4)


def bgnbd_log_likelihood(
    params: BgNbdParams,
    frequency: Sequence[float] | np.ndarray,
    recency: Sequence[float] | np.ndarray,
    t: Sequence[float] | np.ndarray,
    weights: Sequence[float] | np.ndarray | None = None,
) -> float:
    """Total (weighted) BG/NBD log-likelihood."""
    individual = bgnbd_individual_log_likelihood(params, frequency, recency, t)
    return float(_weights(weights, len(individual)) @ individual)


@dataclass(frozen=True)
class _BgNbdData:
    """The sufficient pieces of a (rescaled) BG/NBD sample for the fast objective.

    The log-likelihood is rewritten as per-x terms + per-T terms + one softplus per repeat-buyer
    row: log(e^u + e^v) = u + softplus(v - u) with u = -(r + x) log(alpha + T), so only the
    softplus needs the grouped rows.
    """

    x_values: np.ndarray  # distinct frequencies, with their total weights
    x_weights: np.ndarray
    t_values: np.ndarray  # distinct T, with total weight and weighted sum of x
    t_weights: np.ndarray
    t_x_sums: np.ndarray
    tx_values: np.ndarray  # distinct t_x of repeat buyers
    rep_x_values: np.ndarray  # distinct frequencies of repeat buyers
    rep_x: np.ndarray  # grouped repeat-buyer rows: x, indices into the tables, weight
    rep_x_index: np.ndarray
    rep_t_index: np.ndarray
    rep_tx_index: np.ndarray
    rep_weights: np.ndarray
    total_weight: float
    n_unique_rows: int


def _bgnbd_data(
    x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, w: np.ndarray, group: bool
) -> _BgNbdData:
    x_codes, x_values = _factorize(x)
    t_codes, t_values = _factorize(big_t)
    repeat = x > 0
    rx_codes, rx_values = _factorize(x[repeat])
    tx_codes, tx_values = _factorize(t_x[repeat])
    rt_codes, rw = t_codes[repeat], w[repeat]
    sizes = (len(rx_values), len(tx_values), len(t_values))
    if group and _fits_in_int64(sizes):
        first, rw = _group_rows((rx_codes, tx_codes, rt_codes), sizes, rw)
        rx_codes, rt_codes, tx_codes = rx_codes[first], rt_codes[first], tx_codes[first]
    zero_rows = len(np.unique(t_codes[~repeat]))
    # int32 indices halve the memory traffic of the per-evaluation table look-ups.
    return _BgNbdData(
        x_values=x_values,
        x_weights=np.bincount(x_codes, weights=w, minlength=len(x_values)),
        t_values=t_values,
        t_weights=np.bincount(t_codes, weights=w, minlength=len(t_values)),
        t_x_sums=np.bincount(t_codes, weights=w * x, minlength=len(t_values)),
        tx_values=tx_values,
        rep_x_values=rx_values,
        rep_x=rx_values[rx_codes],
        rep_x_index=rx_codes.astype(np.int32),
        rep_t_index=rt_codes.astype(np.int32),
        rep_tx_index=tx_codes.astype(np.int32),
        rep_weights=rw,
        total_weight=float(w.sum()),
        n_unique_rows=zero_rows + len(rw),
    )


def _softplus_and_sigmoid(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log(1 + e^z) and 1 / (1 + e^-z) from one expit and one log, stable for any z."""
    sigmoid = expit(z)
    positive = z > 0
    # Take the log of whichever of sigmoid(z), 1 - sigmoid(z) is >= 1/2: no cancellation.
    larger = np.where(positive, sigmoid, 1.0 - sigmoid)
    softplus = np.maximum(z, 0.0) - np.log(larger)
    return softplus, sigmoid


def _bgnbd_objective(theta: np.ndarray, data: _BgNbdData) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood and its gradient in log-parameters."""
    r, alpha, a, b = np.exp(theta)
    xs, wx, total = data.x_values, data.x_weights, data.total_weight
    log_alpha = math.log(alpha)

    # Terms that depend on x only: once per distinct frequency.
    ll = wx @ (gammaln(r + xs) + gammaln(b + xs) - gammaln(a + b + xs)) + total * (
        gammaln(a + b) - gammaln(r) - gammaln(b) + r * log_alpha
    )
    psi_abx = digamma(a + b + xs)
    d_r = wx @ digamma(r + xs) + total * (log_alpha - digamma(r))
    d_alpha = total * r / alpha
    d_a = total * digamma(a + b) - wx @ psi_abx
    d_b = total * (digamma(a + b) - digamma(b)) + wx @ (digamma(b + xs) - psi_abx)

    # -(r + x) log(alpha + T) for every customer: once per distinct T.
    log_t_table = np.log(alpha + data.t_values)
    inv_t_table = 1.0 / (alpha + data.t_values)
    ll -= r * (data.t_weights @ log_t_table) + data.t_x_sums @ log_t_table
    d_r -= data.t_weights @ log_t_table
    d_alpha -= (r * data.t_weights + data.t_x_sums) @ inv_t_table

    # Repeat buyers may have dropped out after t_x: softplus(z) per grouped row, where
    # sigmoid(z) is the posterior probability that they did.
    if len(data.rep_weights):
        rw, rx = data.rep_weights, r + data.rep_x
        gap = log_t_table[data.rep_t_index] - np.log(alpha + data.tx_values)[data.rep_tx_index]
        log_odds_x = math.log(a) - np.log(b + data.rep_x_values - 1.0)
        z = log_odds_x[data.rep_x_index] + rx * gap
        softplus, dropped = _softplus_and_sigmoid(z)
        weighted = rw * dropped
        ll += rw @ softplus
        d_r += weighted @ gap
        inv_gap = (
            inv_t_table[data.rep_t_index] - (1.0 / (alpha + data.tx_values))[data.rep_tx_index]
        )
        d_alpha += (weighted * rx) @ inv_gap
        d_a += weighted.sum() / a
        per_x = np.bincount(data.rep_x_index, weights=weighted, minlength=len(log_odds_x))
        d_b -= per_x @ (1.0 / (b + data.rep_x_values - 1.0))

    gradient = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
    return -ll / total, -gradient / total
