"""Gamma-Gamma likelihood: the plain per-customer form and the fast grouped objective with
its gradient."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln

from dagster_project.lib.clv.inputs import (
    _as_float,
    _factorize,
    _fits_in_int64,
    _group_rows,
    _weights,
)
from dagster_project.lib.clv.results import GammaGammaParams


def gamma_gamma_individual_log_likelihood(
    params: GammaGammaParams,
    frequency: Sequence[float] | np.ndarray,
    monetary_value: Sequence[float] | np.ndarray,
) -> np.ndarray:
    """Log-density of each repeat buyer's mean spend m given x purchases (FHL 2005, Gamma-Gamma)."""
    x, m = _as_float(frequency), _as_float(monetary_value)
    p, q, v = params.p, params.q, params.v
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )


def gamma_gamma_log_likelihood(
    params: GammaGammaParams,
    frequency: Sequence[float] | np.ndarray,
    monetary_value: Sequence[float] | np.ndarray,
    weights: Sequence[float] | np.ndarray | None = None,
) -> float:
    """Total (weighted) Gamma-Gamma log-likelihood of repeat buyers."""
    individual = gamma_gamma_individual_log_likelihood(params, frequency, monetary_value)
    return float(_weights(weights, len(individual)) @ individual)


@dataclass(frozen=True)
class _GammaGammaData:
    x_values: np.ndarray  # distinct frequencies with total weight and weighted sum of log(m)
    x_weights: np.ndarray
    x_log_m: np.ndarray
    rows_x: np.ndarray  # grouped rows
    rows_xm: np.ndarray
    rows_weights: np.ndarray
    total_weight: float
    n_unique_rows: int


def _gamma_gamma_data(x: np.ndarray, m: np.ndarray, w: np.ndarray, group: bool) -> _GammaGammaData:
    x_codes, x_values = _factorize(x)
    m_codes, m_values = _factorize(m)
    x_weights = np.bincount(x_codes, weights=w, minlength=len(x_values))
    x_log_m = np.bincount(x_codes, weights=w * np.log(m), minlength=len(x_values))
    sizes = (len(x_values), len(m_values))
    rows_x, rows_m, rows_w = x, m, w
    if group and _fits_in_int64(sizes):
        first, rows_w = _group_rows((x_codes, m_codes), sizes, w)
        rows_x, rows_m = x[first], m[first]
    return _GammaGammaData(
        x_values=x_values,
        x_weights=x_weights,
        x_log_m=x_log_m,
        rows_x=rows_x,
        rows_xm=rows_x * rows_m,
        rows_weights=rows_w,
        total_weight=float(w.sum()),
        n_unique_rows=len(rows_w),
    )


def _gamma_gamma_objective(theta: np.ndarray, data: _GammaGammaData) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood and its gradient in log-parameters."""
    p, q, v = np.exp(theta)
    xs, wx = data.x_values, data.x_weights
    px = p * xs
    log_v = math.log(v)
    ll = wx @ (gammaln(px + q) - gammaln(px) + px * np.log(xs)) + (px - 1) @ data.x_log_m
    ll += data.total_weight * (q * log_v - gammaln(q))
    psi_pxq = digamma(px + q)
    d_p = wx @ (xs * (psi_pxq - digamma(px) + np.log(xs))) + xs @ data.x_log_m
    d_q = wx @ psi_pxq + data.total_weight * (log_v - digamma(q))
    d_v = data.total_weight * q / v

    # The only term that needs every row: -(px + q) log(x m + v).
    rw, rx = data.rows_weights, data.rows_x
    log_xmv = np.log(data.rows_xm + v)
    weighted_log = rw * log_xmv
    ll -= p * (rx @ weighted_log) + q * weighted_log.sum()
    d_p -= rx @ weighted_log
    d_q -= weighted_log.sum()
    d_v -= (rw * (p * rx + q)) @ (1.0 / (data.rows_xm + v))

    gradient = np.array([d_p * p, d_q * q, d_v * v])
    return -ll / data.total_weight, -gradient / data.total_weight
