"""Do the CLV models predict? A calibration / holdout test against a naive baseline.

The purchase history is cut at ``calibration_end = observation_end - holdout_days`` by dbt
(int_customer_calibration_summary, var ``clv_holdout_days``). Both models are fitted on the
calibration period only; for every customer who had bought by then, the
purchases and revenue predicted for the holdout period are compared with what happened, and with
a naive baseline that carries each customer's calibration-period rate forward
(``frequency / T`` repeat purchase days per time unit, and repeat revenue per time unit, times
the holdout length). Results are grouped by calibration frequency, as in the calibration plots
of the BG/NBD literature, with an ``all`` row holding the overall figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from dagster_project.lib import clv
from dagster_project.lib.atomic_write import write_atomically
from dagster_project.lib.project_vars import project_var

ALL_CUSTOMERS = "all"
TOP_BUCKET = 7  # frequencies of 7 and more share the last bucket


@dataclass(frozen=True)
class ValidationConfig:
    # Must match the holdout the calibration summary was cut with (dbt var clv_holdout_days).
    holdout_days: int = field(default_factory=lambda: int(project_var("clv_holdout_days")))
    unit_days: float = 7.0
    min_repeat_buyers: int = clv.DEFAULT_MIN_REPEAT_BUYERS


@dataclass(frozen=True)
class ValidationReport:
    """The holdout comparison: per customer, by frequency bucket, and in a few headline figures."""

    status: str
    reason: str | None
    calibration_end: date
    observation_end: date
    holdout_days: int
    bgnbd: clv.FitResult
    gamma_gamma: clv.FitResult
    customers: pd.DataFrame
    by_frequency: pd.DataFrame

    @property
    def overall(self) -> pd.Series:
        return self.by_frequency.set_index("frequency_bucket").loc[ALL_CUSTOMERS]

    @property
    def model_beats_baseline(self) -> bool | None:
        """Lower per-customer MAE and lower absolute aggregate error for holdout purchases."""
        if self.status != clv.FITTED:
            return None
        overall = self.overall
        return bool(
            overall["model_purchases_mae"] < overall["naive_purchases_mae"]
            and abs(overall["model_purchases_aggregate_error"])
            < abs(overall["naive_purchases_aggregate_error"])
        )


# --- the calibration summary ------------------------------------------------------------------

# The columns of the warehouse's int_customer_calibration_summary that the comparison reads; the
# summary itself (the cut, the BG/NBD inputs, the holdout actuals) is computed by dbt.
CUSTOMER_COLUMNS = (
    "customer_key",
    "frequency",
    "recency",
    "t",
    "monetary_value_cents",
    "repeat_net_amount_cents",
    "holdout_purchases",
    "holdout_net_amount_cents",
)

_EMPTY_CUSTOMERS = pd.DataFrame(
    {
        "customer_key": pd.Series([], dtype="str"),
        **{column: pd.Series([], dtype=np.float64) for column in CUSTOMER_COLUMNS[1:]},
    }
)


# --- the comparison ----------------------------------------------------------------------------


def _predict_holdout(
    customers: pd.DataFrame,
    bgnbd: clv.FitResult,
    gamma_gamma: clv.FitResult,
    holdout_units: float,
) -> pd.DataFrame:
    x, t_x, t, m = (
        customers[column].to_numpy(dtype=np.float64, na_value=np.nan)
        for column in ("frequency", "recency", "t", "monetary_value_cents")
    )
    # The naive forecast: the calibration rate since the first purchase, carried forward.
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(t > 0, x / t, 0.0)
        revenue_rate = np.where(t > 0, customers["repeat_net_amount_cents"] / t, 0.0)
    model_purchases = np.full(len(customers), np.nan)
    model_revenue = np.full(len(customers), np.nan)
    if bgnbd.fitted:
        model_purchases = clv.expected_purchases(bgnbd.params, holdout_units, x, t_x, t)
        if gamma_gamma.fitted:
            spend = clv.expected_average_spend(gamma_gamma.params, x, m)
            model_revenue = model_purchases * spend
    return customers.assign(
        model_purchases=model_purchases,
        naive_purchases=rate * holdout_units,
        model_revenue_cents=model_revenue,
        naive_revenue_cents=revenue_rate * holdout_units,
        frequency_bucket=np.minimum(customers["frequency"], TOP_BUCKET),
    )


def _aggregate_error(predicted: pd.Series, actual: pd.Series) -> float:
    total = float(actual.sum())
    if predicted.isna().any() or total == 0:
        return float("nan")
    return (float(predicted.sum()) - total) / total


def _bucket_row(group: pd.DataFrame) -> dict[str, float]:
    actual, actual_revenue = group["holdout_purchases"], group["holdout_net_amount_cents"]
    row: dict[str, float] = {"customers": len(group)}
    for measure, truth in (("purchases", actual), ("revenue_cents", actual_revenue)):
        row[f"actual_{measure}_mean"] = float(truth.mean())
        row[f"actual_{measure}_total"] = float(truth.sum())
        for forecast in ("model", "naive"):
            predicted = group[f"{forecast}_{measure}"]
            row[f"{forecast}_{measure}_mean"] = float(predicted.mean(skipna=False))
            row[f"{forecast}_{measure}_total"] = float(predicted.sum(skipna=False))
            row[f"{forecast}_{measure}_mae"] = float((predicted - truth).abs().mean(skipna=False))
            row[f"{forecast}_{measure}_aggregate_error"] = _aggregate_error(predicted, truth)
    return row


def by_frequency_table(customers: pd.DataFrame) -> pd.DataFrame:
    """One row per calibration frequency bucket (0 .. 6, 7+) and one for all customers."""
    rows = []
    for bucket in range(TOP_BUCKET + 1):
        group = customers[customers["frequency_bucket"] == bucket]
        label = f"{bucket}+" if bucket == TOP_BUCKET else str(bucket)
        rows.append({"frequency_bucket": label, "bucket_order": bucket, **_bucket_row(group)})
    rows.append(
        {
            "frequency_bucket": ALL_CUSTOMERS,
            "bucket_order": TOP_BUCKET + 1,
            **_bucket_row(customers),
        }
    )
    return pd.DataFrame(rows)


def validate_holdout(
    customers: pd.DataFrame,
    observation_end: date,
    config: ValidationConfig = ValidationConfig(),
) -> ValidationReport:
    """Fit on the calibration period, predict the holdout, compare with the naive baseline.

    ``customers`` is the calibration summary (``CUSTOMER_COLUMNS``, one row per customer who had
    bought by ``observation_end - holdout_days``), as int_customer_calibration_summary has it.
    Never raises on thin data: when a model cannot be fitted on the calibration period the
    report's status says why, and its model columns are null while the baseline is still shown.
    """
    calibration_end = observation_end - timedelta(days=config.holdout_days)
    if customers.empty:
        customers = _EMPTY_CUSTOMERS
    else:
        # Sorted, so the fits see the customers in one order whatever order the reader returned.
        customers = customers.loc[:, list(CUSTOMER_COLUMNS)].sort_values(
            "customer_key", kind="stable", ignore_index=True
        )
    bgnbd = clv.fit_bgnbd(
        customers["frequency"],
        customers["recency"],
        customers["t"],
        min_repeat_buyers=config.min_repeat_buyers,
        fit_date=calibration_end,
    )
    gamma_gamma = clv.fit_gamma_gamma(
        customers["frequency"],
        customers["monetary_value_cents"],
        min_repeat_buyers=config.min_repeat_buyers,
        fit_date=calibration_end,
    )
    customers = _predict_holdout(
        customers, bgnbd, gamma_gamma, config.holdout_days / config.unit_days
    )
    status = clv.FITTED if bgnbd.fitted else clv.NOT_FITTED
    reason = None if bgnbd.fitted else f"{bgnbd.model}: {bgnbd.reason}"
    if bgnbd.fitted and not gamma_gamma.fitted:
        reason = f"{gamma_gamma.model}: {gamma_gamma.reason} (no revenue forecast)"
    return ValidationReport(
        status=status,
        reason=reason,
        calibration_end=calibration_end,
        observation_end=observation_end,
        holdout_days=config.holdout_days,
        bgnbd=bgnbd,
        gamma_gamma=gamma_gamma,
        customers=customers,
        by_frequency=by_frequency_table(customers),
    )


def validation_table(report: ValidationReport) -> pd.DataFrame:
    """The by-frequency table with the split and the model status on every row."""
    return report.by_frequency.assign(
        calibration_end_date=report.calibration_end,
        observation_end_date=report.observation_end,
        holdout_days=report.holdout_days,
        model_status=report.status,
        model_reason=report.reason,
        is_model_better=report.model_beats_baseline,
    )


# --- the figure --------------------------------------------------------------------------------


def plot_calibration(report: ValidationReport, path: Path) -> Path:
    """Mean actual vs predicted holdout purchases by calibration frequency, as a PNG.

    Written to a temporary file and renamed, so a reader never sees half a figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    table = report.by_frequency[report.by_frequency["frequency_bucket"] != ALL_CUSTOMERS]
    figure, axis = plt.subplots(figsize=(8, 4.5), dpi=100)
    positions = np.arange(len(table))
    axis.plot(positions, table["actual_purchases_mean"], "o-", color="black", label="actual")
    if report.status == clv.FITTED:
        axis.plot(positions, table["model_purchases_mean"], "s--", label="BG/NBD")
    axis.plot(positions, table["naive_purchases_mean"], "^:", label="naive (rate carried forward)")
    axis.set_xticks(positions, table["frequency_bucket"])
    axis.set_xlabel("repeat purchase days in the calibration period")
    axis.set_ylabel(f"mean purchase days in the {report.holdout_days}-day holdout")
    title = f"Holdout {report.calibration_end} to {report.observation_end}"
    if report.status != clv.FITTED:
        title += f" - model not fitted: {report.reason}"
    axis.set_title(title, fontsize=10)
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    try:
        # No software or date stamp in the metadata: identical inputs give identical bytes.
        return write_atomically(
            path,
            lambda target: figure.savefig(target, format="png", metadata={"Software": None}),
        )
    finally:
        plt.close(figure)
