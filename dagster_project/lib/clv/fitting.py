"""Fit orchestration: check and rescale the data, run the optimiser, and turn its optimum
into a ``FitResult`` (or the reason there is none)."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from dagster_project.lib.clv.bgnbd import _bgnbd_data, _bgnbd_objective
from dagster_project.lib.clv.gamma_gamma import _gamma_gamma_data, _gamma_gamma_objective
from dagster_project.lib.clv.inputs import _as_float, _bgnbd_input_problems, _weights
from dagster_project.lib.clv.optimiser import _at_bound, _optimise
from dagster_project.lib.clv.results import (
    BG_NBD,
    FITTED,
    GAMMA_GAMMA,
    NOT_FITTED,
    BgNbdParams,
    FitResult,
    GammaGammaParams,
    _not_fitted,
)

DEFAULT_MIN_REPEAT_BUYERS = 50


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
