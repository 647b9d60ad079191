"""Predictive customer lifetime value: BG/NBD purchase counts and Gamma-Gamma spend per purchase.

Conventions (Fader, Hardie and Lee 2005): for each customer, ``frequency`` x is the number of
repeat purchase days (distinct purchase days after the first), ``recency`` t_x the time from the
first to the last purchase day and ``T`` the time from the first purchase day to the end of
observation, all in one time unit (weeks by default). Gamma-Gamma is fitted on repeat buyers
only, on the mean net value of their repeat purchase days (the first purchase is excluded).

Both models are fitted by maximum likelihood on the closed-form log-likelihoods with
``scipy.optimize`` (L-BFGS-B on log-parameters with analytic gradients). Identical
(frequency, recency, T) rows are fitted once with a weight, and every term that depends on one
column only (x, T or t_x) is computed once per distinct value, so a million customers fit in
about a second. Degenerate inputs never raise: the result says the model was not fitted and why.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Generic, TypeVar

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1
from threadpoolctl import threadpool_limits

FITTED = "fitted"
NOT_FITTED = "not_fitted"
BG_NBD = "bg_nbd"
GAMMA_GAMMA = "gamma_gamma"
DEFAULT_MIN_REPEAT_BUYERS = 50
# Time units the summary can be expressed in, as days per unit.
TIME_UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
DAYS_PER_MONTH = 365.25 / 12
# Log-parameters are kept in a box: far wider than any plausible fit once the data are rescaled,
# narrow enough that exp() never overflows.
_LOG_BOUND = 18.0
_HESSIAN_STEP = 1e-4


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BgNbdParams:
    """BG/NBD: purchase rate ~ Gamma(r, alpha) (alpha in the time unit), drop-out p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class GammaGammaParams:
    """Gamma-Gamma: spend per purchase ~ Gamma(p, nu), nu ~ Gamma(q, v) (v in money units)."""

    p: float
    q: float
    v: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


ParamsT = TypeVar("ParamsT", BgNbdParams, GammaGammaParams)


@dataclass(frozen=True)
class FitResult(Generic[ParamsT]):
    """One maximum-likelihood fit, or the reason there is none.

    ``reason`` is a snake_case code (``too_few_repeat_buyers``, ...) when the model was not
    fitted; ``detail`` explains it in words, or carries optimiser notes when it was fitted.
    ``n_customers`` counts the rows given (weights summed); ``n_used`` those in the likelihood.
    """

    model: str
    status: str
    fit_date: date | None
    n_customers: int
    n_used: int = 0
    n_unique_rows: int = 0
    params: ParamsT | None = None
    standard_errors: ParamsT | None = None
    log_likelihood: float | None = None
    converged: bool = False
    optimizer_message: str = ""
    iterations: int = 0
    reason: str | None = None
    detail: str = ""
    fit_seconds: float = 0.0
    diagnostics: dict[str, float] = field(default_factory=dict)

    @property
    def fitted(self) -> bool:
        return self.status == FITTED and self.params is not None


def _not_fitted(
    model: str, reason: str, detail: str, n_customers: int, fit_date: date | None, **extra
) -> FitResult:
    return FitResult(
        model=model,
        status=NOT_FITTED,
        fit_date=fit_date,
        n_customers=n_customers,
        reason=reason,
        detail=detail,
        **extra,
    )


# --- input checks ------------------------------------------------------------------------------


def _as_float(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).ravel()


def _weights(weights: Sequence[float] | np.ndarray | None, n: int) -> np.ndarray:
    return np.ones(n) if weights is None else _as_float(weights)


def _bgnbd_input_problems(x: np.ndarray, t_x: np.ndarray, t: np.ndarray, w: np.ndarray) -> str:
    if not (len(x) == len(t_x) == len(t) == len(w)):
        return "frequency, recency, T and weights differ in length"
    checks = {
        "non-finite values": ~(np.isfinite(x) & np.isfinite(t_x) & np.isfinite(t)),
        "non-integer or negative frequency": (x < 0) | (x != np.round(x)),
        "negative recency": t_x < 0,
        "recency greater than T": t_x > t,
        "repeat buyers with zero recency": (x > 0) & (t_x <= 0),
        "negative or non-finite weights": ~np.isfinite(w) | (w < 0),
    }
    found = [f"{int(mask.sum())} rows with {name}" for name, mask in checks.items() if mask.any()]
    return "; ".join(found)


# --- grouping ----------------------------------------------------------------------------------


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), np.asarray(uniques, dtype=np.float64)


def _group_rows(
    codes: Sequence[np.ndarray], sizes: Sequence[int], weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Group rows with identical code tuples: (first row of each group, summed weight)."""
    key = np.zeros(len(weights), dtype=np.int64)
    for column, size in zip(codes, sizes, strict=True):
        key = key * size + column
    group, _ = pd.factorize(key, sort=False)
    first = np.full(group.max() + 1 if len(group) else 0, len(group), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(group)))
    return first, np.bincount(group, weights=weights)


def _fits_in_int64(sizes: Sequence[int]) -> bool:
    return math.prod(max(size, 1) for size in sizes) < 2**62


# --- BG/NBD likelihood -------------------------------------------------------------------------


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


# --- Gamma-Gamma likelihood --------------------------------------------------------------------


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


# --- optimisation ------------------------------------------------------------------------------


ModelData = _BgNbdData | _GammaGammaData
# Mean negative log-likelihood and its gradient, in log-parameters.
Objective = Callable[[np.ndarray, ModelData], tuple[float, np.ndarray]]


@dataclass(frozen=True)
class _Optimum:
    theta: np.ndarray
    mean_negative_ll: float
    converged: bool
    message: str
    iterations: int
    standard_errors: np.ndarray  # of the log-parameters


def _optimise(
    objective: Objective, starts: Sequence[np.ndarray], data: ModelData, total_weight: float
) -> _Optimum:
    """L-BFGS-B from each start; the best optimum, with standard errors from the Hessian."""
    # The objective is a handful of dot products over long vectors: a multi-threaded BLAS spends
    # more on waking its threads than on the arithmetic (about 40x slower on two cores).
    with threadpool_limits(limits=1, user_api="blas"):
        return _optimise_single_threaded(objective, starts, data, total_weight)


def _optimise_single_threaded(
    objective: Objective, starts: Sequence[np.ndarray], data: ModelData, total_weight: float
) -> _Optimum:
    best = None
    for start in starts:
        result = minimize(
            objective,
            start,
            args=(data,),
            jac=True,
            method="L-BFGS-B",
            bounds=[(-_LOG_BOUND, _LOG_BOUND)] * len(start),
            options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-9},
        )
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
        # A clean convergence from the first start is the normal case: no need for others.
        if result.success and np.isfinite(result.fun):
            break
    if best is None:
        nan = np.full(len(starts[0]), np.nan)
        return _Optimum(nan, math.inf, False, "objective not finite at any start", 0, nan)
    gradient = objective(best.x, data)[1]
    # L-BFGS-B can stop on a line-search failure at the optimum, when the objective is flat to
    # machine precision: a vanishing gradient is the test that matters.
    converged = bool(best.success) or float(np.max(np.abs(gradient))) < 1e-6
    return _Optimum(
        theta=best.x,
        mean_negative_ll=float(best.fun),
        converged=converged,
        message=str(best.message),
        iterations=int(best.nit),
        standard_errors=_standard_errors(objective, best.x, data, total_weight),
    )


def _standard_errors(
    objective: Objective, theta: np.ndarray, data: ModelData, total_weight: float
) -> np.ndarray:
    """Asymptotic standard errors of the log-parameters: inverse observed information."""
    k = len(theta)
    hessian = np.empty((k, k))
    for i in range(k):
        step = np.zeros(k)
        step[i] = _HESSIAN_STEP
        upper = objective(theta + step, data)[1]
        lower = objective(theta - step, data)[1]
        hessian[i] = (upper - lower) / (2 * _HESSIAN_STEP)
    hessian = (hessian + hessian.T) / 2 * total_weight
    try:
        covariance = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return np.full(k, np.nan)
    variances = np.diag(covariance)
    return np.where(variances > 0, np.sqrt(np.abs(variances)), np.nan)


def _at_bound(theta: np.ndarray, names: Sequence[str]) -> list[str]:
    return [
        name for name, value in zip(names, theta, strict=True) if abs(value) > _LOG_BOUND - 1e-3
    ]


# --- fitting -----------------------------------------------------------------------------------


def fit_bgnbd(
    frequency: Sequence[float] | np.ndarray | pd.Series,
    recency: Sequence[float] | np.ndarray | pd.Series,
    t: Sequence[float] | np.ndarray | pd.Series,
    weights: Sequence[float] | np.ndarray | pd.Series | None = None,
    *,
    min_repeat_buyers: int = DEFAULT_MIN_REPEAT_BUYERS,
    group_identical: bool = True,
    fit_date: date | None = None,
) -> FitResult[BgNbdParams]:
    """Fit BG/NBD by maximum likelihood; never raises on degenerate data.

    ``weights`` count how many customers each row stands for (identical rows are grouped
    anyway when ``group_identical``). Returns ``status == "not_fitted"`` with a reason when the
    input is invalid, has fewer than ``min_repeat_buyers`` repeat buyers, or the optimiser fails.
    """
    started = time.perf_counter()
    x, t_x, big_t = _as_float(frequency), _as_float(recency), _as_float(t)
    w = _weights(weights, len(x))
    n_customers = int(round(float(np.nansum(w)))) if len(w) else 0
    problems = _bgnbd_input_problems(x, t_x, big_t, w)
    if problems:
        return _not_fitted(BG_NBD, "invalid_input", problems, n_customers, fit_date)
    keep = w > 0
    x, t_x, big_t, w = x[keep], t_x[keep], big_t[keep], w[keep]
    if len(x) == 0:
        return _not_fitted(BG_NBD, "no_customers", "no customers to fit", 0, fit_date)
    repeat_buyers = float(w[x > 0].sum())
    if repeat_buyers == 0:
        return _not_fitted(
            BG_NBD, "no_repeat_buyers", "every customer bought once", n_customers, fit_date
        )
    if repeat_buyers < min_repeat_buyers:
        return _not_fitted(
            BG_NBD,
            "too_few_repeat_buyers",
            f"{repeat_buyers:.0f} repeat buyers, at least {min_repeat_buyers} needed",
            n_customers,
            fit_date,
        )

    # Rescale time to a mean T of one: the optimiser then starts near the answer for any unit.
    scale = float(np.average(big_t, weights=w)) or 1.0
    data = _bgnbd_data(x, t_x / scale, big_t / scale, w, group_identical)
    mean_x = float(np.average(x, weights=w))
    starts = [
        np.log([1.0, 1.0 / mean_x, 1.0, 1.0]),
        np.log([0.5, 0.5 / mean_x, 0.5, 2.0]),
        np.log([2.0, 2.0 / mean_x, 2.0, 5.0]),
    ]
    optimum = _optimise(_bgnbd_objective, starts, data, data.total_weight)
    n_used, n_unique = n_customers, data.n_unique_rows
    if not np.isfinite(optimum.mean_negative_ll):
        return _not_fitted(
            BG_NBD, "optimizer_failed", optimum.message, n_customers, fit_date, n_used=n_used
        )
    r, alpha, a, b = np.exp(optimum.theta)
    params = BgNbdParams(r=float(r), alpha=float(alpha * scale), a=float(a), b=float(b))
    se = optimum.standard_errors * np.array([r, alpha * scale, a, b])
    # Undo the time rescaling: each of the sum(x) purchase densities carries 1/scale.
    log_likelihood = -optimum.mean_negative_ll * data.total_weight - math.log(scale) * float(w @ x)
    bounded = _at_bound(optimum.theta, ("r", "alpha", "a", "b"))
    detail = f"parameters at the search bound: {', '.join(bounded)}" if bounded else ""
    result = FitResult(
        model=BG_NBD,
        status=FITTED if optimum.converged else NOT_FITTED,
        fit_date=fit_date,
        n_customers=n_customers,
        n_used=n_used,
        n_unique_rows=n_unique,
        params=params,
        standard_errors=BgNbdParams(*map(float, se)),
        log_likelihood=float(log_likelihood),
        converged=optimum.converged,
        optimizer_message=optimum.message,
        iterations=optimum.iterations,
        reason=None if optimum.converged else "optimizer_did_not_converge",
        detail=detail,
        fit_seconds=time.perf_counter() - started,
        diagnostics={"repeat_buyers": repeat_buyers},
    )
    return result


def fit_gamma_gamma(
    frequency: Sequence[float] | np.ndarray | pd.Series,
    monetary_value: Sequence[float] | np.ndarray | pd.Series,
    weights: Sequence[float] | np.ndarray | pd.Series | None = None,
    *,
    min_repeat_buyers: int = DEFAULT_MIN_REPEAT_BUYERS,
    group_identical: bool = True,
    fit_date: date | None = None,
) -> FitResult[GammaGammaParams]:
    """Fit Gamma-Gamma on repeat buyers with a positive mean repeat spend; never raises.

    One-time buyers are ignored (they have no repeat spend). Repeat buyers whose repeat purchases
    were all free (mean spend zero) or net negative after refunds cannot enter the likelihood:
    they are left out and counted in ``diagnostics``.
    """
    started = time.perf_counter()
    x, m = _as_float(frequency), _as_float(monetary_value)
    w = _weights(weights, len(x))
    n_customers = int(round(float(np.nansum(w)))) if len(w) else 0
    if not (len(x) == len(m) == len(w)):
        return _not_fitted(
            GAMMA_GAMMA, "invalid_input", "inputs differ in length", n_customers, fit_date
        )
    if (~np.isfinite(w) | (w < 0)).any() or (~np.isfinite(x) | (x < 0)).any():
        return _not_fitted(
            GAMMA_GAMMA,
            "invalid_input",
            "negative or non-finite frequency or weights",
            n_customers,
            fit_date,
        )
    repeat = (x > 0) & (w > 0)
    usable = repeat & np.isfinite(m) & (m > 0)
    diagnostics = {
        "repeat_buyers": float(w[repeat].sum()),
        "excluded_zero_spend": float(w[repeat & (m == 0)].sum()),
        "excluded_negative_or_missing_spend": float(w[repeat & ~(np.isfinite(m) & (m >= 0))].sum()),
    }
    x, m, w = x[usable], m[usable], w[usable]
    n_used = int(round(float(w.sum())))
    if n_used < min_repeat_buyers:
        reason = (
            "no_repeat_buyers" if diagnostics["repeat_buyers"] == 0 else "too_few_repeat_buyers"
        )
        return _not_fitted(
            GAMMA_GAMMA,
            reason,
            f"{n_used} repeat buyers with a positive repeat spend, at least "
            f"{min_repeat_buyers} needed",
            n_customers,
            fit_date,
            n_used=n_used,
            diagnostics=diagnostics,
        )
    # Spend-frequency independence is the model's key assumption: report how far it holds.
    diagnostics["frequency_spend_correlation"] = (
        float(np.corrcoef(x, m)[0, 1]) if len(x) > 2 else 0.0
    )

    scale = float(np.average(m, weights=w))
    data = _gamma_gamma_data(x, m / scale, w, group_identical)
    starts = [np.log([2.0, 3.0, 1.0]), np.log([1.0, 2.0, 1.0]), np.log([5.0, 5.0, 2.0])]
    optimum = _optimise(_gamma_gamma_objective, starts, data, data.total_weight)
    if not np.isfinite(optimum.mean_negative_ll):
        return _not_fitted(
            GAMMA_GAMMA,
            "optimizer_failed",
            optimum.message,
            n_customers,
            fit_date,
            n_used=n_used,
            diagnostics=diagnostics,
        )
    p, q, v = np.exp(optimum.theta)
    params = GammaGammaParams(p=float(p), q=float(q), v=float(v * scale))
    se = optimum.standard_errors * np.array([p, q, v * scale])
    # Undo the spend rescaling: each customer's density of m carries 1/scale.
    log_likelihood = -optimum.mean_negative_ll * data.total_weight - math.log(scale) * float(
        w.sum()
    )
    status, reason, notes = FITTED, None, []
    if not optimum.converged:
        status, reason = NOT_FITTED, "optimizer_did_not_converge"
    elif q <= 1:
        # E[spend] = p v / (q - 1) is infinite for q <= 1: no usable prediction for anyone.
        status, reason = NOT_FITTED, "spend_mean_undefined"
        notes.append(f"q = {q:.3f} <= 1: the fitted spend distribution has no finite mean")
    bounded = _at_bound(optimum.theta, ("p", "q", "v"))
    if bounded:
        notes.append(f"parameters at the search bound: {', '.join(bounded)}")
    return FitResult(
        model=GAMMA_GAMMA,
        status=status,
        fit_date=fit_date,
        n_customers=n_customers,
        n_used=n_used,
        n_unique_rows=data.n_unique_rows,
        params=params,
        standard_errors=GammaGammaParams(*map(float, se)),
        log_likelihood=float(log_likelihood),
        converged=optimum.converged,
        optimizer_message=optimum.message,
        iterations=optimum.iterations,
        reason=reason,
        detail="; ".join(notes),
        fit_seconds=time.perf_counter() - started,
        diagnostics=diagnostics,
    )


# --- predictions -------------------------------------------------------------------------------


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


# --- scoring a customer summary ----------------------------------------------------------------

HORIZON_DAYS = (90, 180, 365)


@dataclass(frozen=True)
class ScoringConfig:
    """How far ahead to predict and how to value it.

    ``unit_days`` is the length of the summary's time unit in days (7 for weeks).
    """

    unit_days: float = 7.0
    clv_horizon_months: int = 12
    annual_discount_rate: float = 0.10
    profit_margin: float = 1.0


PREDICTION_COLUMNS = (
    "customer_key",
    "p_alive",
    *(f"expected_purchases_{days}d" for days in HORIZON_DAYS),
    "expected_average_spend_cents",
    "predicted_clv_cents",
    "clv_horizon_months",
    "annual_discount_rate",
    "model_status",
    "model_reason",
)


def model_status(bgnbd: FitResult, gamma_gamma: FitResult) -> tuple[str, str | None]:
    """One status for the predictions: ``fitted``, ``purchases_only`` or ``not_fitted``."""
    reasons = [f"{fit.model}: {fit.reason}" for fit in (bgnbd, gamma_gamma) if not fit.fitted]
    if bgnbd.fitted and gamma_gamma.fitted:
        return FITTED, None
    if bgnbd.fitted:
        return "purchases_only", "; ".join(reasons)
    return NOT_FITTED, "; ".join(reasons)


def _summary_arrays(summary: pd.DataFrame) -> tuple[np.ndarray, ...]:
    return tuple(
        summary[column].to_numpy(dtype=np.float64, na_value=np.nan)
        for column in ("frequency", "recency", "t", "monetary_value_cents")
    )


def score_customers(
    summary: pd.DataFrame,
    bgnbd: FitResult[BgNbdParams],
    gamma_gamma: FitResult[GammaGammaParams],
    config: ScoringConfig = ScoringConfig(),
) -> pd.DataFrame:
    """Predictions for every row of a customer summary; nulls where a model was not fitted.

    ``summary`` has ``customer_key``, ``frequency``, ``recency``, ``t`` (time units) and
    ``monetary_value_cents`` (mean repeat-day spend, null for one-time buyers). The columns
    returned are ``PREDICTION_COLUMNS``, one row per summary row in the same order.
    """
    n = len(summary)
    x, t_x, big_t, m = _summary_arrays(summary)
    p_alive = np.full(n, np.nan)
    purchases = np.full((n, len(HORIZON_DAYS)), np.nan)
    clv = spend = np.full(n, np.nan)
    if bgnbd.fitted and n:
        bg = bgnbd.params
        p_alive = probability_alive(bg, x, t_x, big_t)
        # One hypergeometric pass per distinct (x, T) for the horizons and the CLV months.
        horizons = np.array(HORIZON_DAYS, dtype=np.float64) / config.unit_days
        month_ends = _month_ends(config.clv_horizon_months, config.unit_days)
        pair, pair_x, pair_t = _pair_codes(x, big_t)
        with threadpool_limits(limits=1, user_api="blas"):
            if_alive = _expected_purchases_if_alive(
                bg, np.concatenate([horizons, month_ends]), pair_x, pair_t
            )
            purchases = if_alive[:, : len(horizons)][pair] * p_alive[:, None]
            if gamma_gamma.fitted:
                discount = _monthly_discount(config.clv_horizon_months, config.annual_discount_rate)
                discounted = _discounted(if_alive[:, len(horizons) :], discount)[pair] * p_alive
                spend = expected_average_spend(gamma_gamma.params, x, m)
                clv = config.profit_margin * spend * discounted
    status, reason = model_status(bgnbd, gamma_gamma)
    frame = pd.DataFrame(
        {
            "customer_key": summary["customer_key"].array,
            "p_alive": p_alive,
            **{
                f"expected_purchases_{days}d": purchases[:, index]
                for index, days in enumerate(HORIZON_DAYS)
            },
            "expected_average_spend_cents": _round_cents(spend),
            "predicted_clv_cents": _round_cents(clv),
            "clv_horizon_months": config.clv_horizon_months,
            "annual_discount_rate": config.annual_discount_rate,
        },
        index=pd.RangeIndex(n),
    )
    frame["model_status"] = pd.Series(status, index=frame.index, dtype="str")
    frame["model_reason"] = pd.Series(reason, index=frame.index, dtype="str")
    return frame


def _round_cents(values: np.ndarray) -> pd.arrays.IntegerArray:
    finite = np.isfinite(values)
    rounded = np.round(np.where(finite, values, 0.0)).astype(np.int64)
    return pd.arrays.IntegerArray(rounded, ~finite)


# --- fitted parameters as a table --------------------------------------------------------------

PARAMETER_NAMES = {BG_NBD: ("r", "alpha", "a", "b"), GAMMA_GAMMA: ("p", "q", "v")}


def parameters_frame(fits: Sequence[FitResult], time_unit: str) -> pd.DataFrame:
    """One row per model and parameter; values are null when the model was not fitted."""
    rows = []
    for fit in fits:
        values = fit.params.as_dict() if fit.params is not None else {}
        errors = fit.standard_errors.as_dict() if fit.standard_errors is not None else {}
        for name in PARAMETER_NAMES[fit.model]:
            rows.append(
                {
                    "model_name": fit.model,
                    "parameter_name": name,
                    "parameter_value": values.get(name, np.nan),
                    "standard_error": errors.get(name, np.nan),
                    "model_status": fit.status,
                    "model_reason": fit.reason,
                    "detail": fit.detail,
                    "log_likelihood": np.nan if fit.log_likelihood is None else fit.log_likelihood,
                    "is_converged": fit.converged,
                    "optimizer_message": fit.optimizer_message,
                    "iterations": fit.iterations,
                    "customers": fit.n_customers,
                    "customers_in_fit": fit.n_used,
                    "distinct_rows": fit.n_unique_rows,
                    "time_unit": time_unit if fit.model == BG_NBD else "cent",
                    "fit_date": fit.fit_date,
                }
            )
    return pd.DataFrame(rows)
