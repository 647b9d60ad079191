"""The maximum-likelihood search both models share: multi-start L-BFGS-B on log-parameters,
standard errors from the observed information."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from dagster_project.lib.clv.bgnbd import _BgNbdData
from dagster_project.lib.clv.gamma_gamma import _GammaGammaData

# Log-parameters are kept in a box: far wider than any plausible fit once the data are rescaled,
# narrow enough that exp() never overflows.
_LOG_BOUND = 18.0
_HESSIAN_STEP = 1e-4


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
