"""Result containers: model parameters, one fit's outcome and the fitted-parameter table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Generic, TypeVar

import numpy as np
import pandas as pd

FITTED = "fitted"
NOT_FITTED = "not_fitted"
BG_NBD = "bg_nbd"
GAMMA_GAMMA = "gamma_gamma"


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
