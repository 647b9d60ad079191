"""Scoring a customer summary: every prediction for every customer as one table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from dagster_project.lib.clv.prediction import (
    _discounted,
    _expected_purchases_if_alive,
    _month_ends,
    _monthly_discount,
    _pair_codes,
    expected_average_spend,
    probability_alive,
)
from dagster_project.lib.clv.results import (
    FITTED,
    NOT_FITTED,
    BgNbdParams,
    FitResult,
    GammaGammaParams,
)

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
