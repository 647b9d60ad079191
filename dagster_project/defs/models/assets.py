"""Model-fitting assets between the two dbt runs: CLV models, their holdout test, churn.

Each asset reads its dbt inputs from DuckDB read-only (the connection is closed before any
fitting), fits, and writes ``<data>/models/<table>/<table>.parquet`` atomically; dbt reads the
files back as the ``models`` source for the prediction marts. The outputs are deterministic for
the same inputs: rows sorted, no wall-clock time in the data (fit dates are the observation end).
A model that cannot be fitted still writes its table, with null values and the reason. The tables'
schemas and their writing are in ``lib.model_outputs``.
"""

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from dagster_project.lib import churn_model, clv, clv_validation
from dagster_project.lib.model_outputs import write_model_table
from dagster_project.lib.project_vars import project_var
from dagster_project.resources import WarehouseResource

GROUP = "models"
PURCHASE_SUMMARY = AssetKey(["intermediate", "int_customer_purchase_summary"])
CALIBRATION_SUMMARY = AssetKey(["intermediate", "int_customer_calibration_summary"])
CHURN_FEATURES = AssetKey(["intermediate", "int_churn_model_features"])
AS_OF_DATE = AssetKey(["intermediate", "int_as_of_date"])
CALIBRATION_FIGURE = "clv_calibration_by_frequency.png"
# Stands in for the observation end when the warehouse has no purchases; no row carries it.
NO_DATA_DATE = date(1970, 1, 1)
VALIDATION_SUMMARY_COLUMNS = (
    "frequency_bucket",
    "customers",
    "actual_purchases_mean",
    "model_purchases_mean",
    "naive_purchases_mean",
    "model_purchases_mae",
    "naive_purchases_mae",
)


def model_output_key(table: str) -> AssetKey:
    return AssetKey(["models", table])


def _observation_end(frame: pd.DataFrame, column: str = "observation_end_date") -> date | None:
    if frame.empty or column not in frame.columns or frame[column].isna().all():
        return None
    return pd.Timestamp(frame[column].max()).date()


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("customer_key", kind="stable").reset_index(drop=True)


def _table_metadata(path: Path, frame: pd.DataFrame) -> dict[str, object]:
    return {"path": MetadataValue.path(str(path)), "dagster/row_count": len(frame)}


def _number(value: object) -> float | None:
    """A metadata number; NaN and missing become null."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def _check_built_with(table: pd.DataFrame, column: str, configured: int, var: str) -> int:
    """The run config must ask for the split dbt built the table with: the split is the var's.

    An empty table carries no value of its own; the var's declared default stands in for it.
    """
    built = {int(value) for value in table[column].dropna().unique()} if column in table else set()
    built = built or {int(project_var(var))}
    if built != {configured}:
        raise ValueError(
            f"the config asks for {column}={configured}, but dbt built the table with "
            f"{var}={sorted(built)[0]}: set the dbt var {var} (dbt_project.yml or --vars) "
            f"and rebuild, rather than the asset config"
        )
    return configured


def _markdown(frame: pd.DataFrame, columns: Sequence[str]) -> str:
    def cell(value: object) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in frame[list(columns)].itertuples(index=False):
        lines.append("| " + " | ".join(cell(value) for value in row) + " |")
    return "\n".join(lines)


# --- CLV ---------------------------------------------------------------------------------------


class ClvModelConfig(Config):
    """How the CLV models are fitted and valued."""

    clv_horizon_months: int = 12
    annual_discount_rate: float = 0.10
    profit_margin: float = 1.0
    min_repeat_buyers: int = clv.DEFAULT_MIN_REPEAT_BUYERS


def _fit_metadata(fit: clv.FitResult) -> dict[str, object]:
    values = fit.params.as_dict() if fit.params is not None else {}
    return {
        f"{fit.model}_status": fit.status,
        f"{fit.model}_reason": fit.reason or "",
        f"{fit.model}_log_likelihood": _number(fit.log_likelihood),
        f"{fit.model}_converged": fit.converged,
        f"{fit.model}_fit_seconds": round(fit.fit_seconds, 3),
        **{f"{fit.model}_{name}": _number(value) for name, value in values.items()},
    }


@multi_asset(
    name="clv_model",
    specs=[
        AssetSpec(
            key=model_output_key("clv_parameters"),
            deps=[PURCHASE_SUMMARY],
            group_name=GROUP,
            kinds={"python", "parquet"},
            description="BG/NBD and Gamma-Gamma maximum-likelihood fits on the customer summary.",
        ),
        AssetSpec(
            key=model_output_key("clv_predictions"),
            deps=[PURCHASE_SUMMARY],
            group_name=GROUP,
            kinds={"python", "parquet"},
            description=(
                "Expected purchases in 90/180/365 days, P(alive), expected spend and "
                "discounted CLV per customer."
            ),
        ),
    ],
)
def clv_model(
    context: AssetExecutionContext, config: ClvModelConfig, warehouse: WarehouseResource
) -> Iterator[MaterializeResult]:
    summary = warehouse.read_table("intermediate.int_customer_purchase_summary", "customer_key")
    observation_end = _observation_end(summary)
    unit = str(summary["time_unit"].iloc[0]) if len(summary) else "week"
    unit_days = float(summary["time_unit_days"].iloc[0]) if len(summary) else 7.0

    bgnbd = clv.fit_bgnbd(
        summary["frequency"],
        summary["recency"],
        summary["t"],
        min_repeat_buyers=config.min_repeat_buyers,
        fit_date=observation_end,
    )
    gamma_gamma = clv.fit_gamma_gamma(
        summary["frequency"],
        summary["monetary_value_cents"],
        min_repeat_buyers=config.min_repeat_buyers,
        fit_date=observation_end,
    )
    for fit in (bgnbd, gamma_gamma):
        outcome = f"{fit.params}" if fit.fitted else f"not fitted ({fit.reason}: {fit.detail})"
        context.log.info(f"{fit.model}: {outcome}, {fit.fit_seconds:.2f} s")

    parameters = clv.parameters_frame([bgnbd, gamma_gamma], unit)
    parameters_path = write_model_table(parameters, warehouse.data_dir, "clv_parameters")
    yield MaterializeResult(
        asset_key=model_output_key("clv_parameters"),
        metadata={
            **_table_metadata(parameters_path, parameters),
            **_fit_metadata(bgnbd),
            **_fit_metadata(gamma_gamma),
            "time_unit": unit,
        },
    )

    scoring = clv.ScoringConfig(
        unit_days=unit_days,
        clv_horizon_months=config.clv_horizon_months,
        annual_discount_rate=config.annual_discount_rate,
        profit_margin=config.profit_margin,
    )
    predictions = clv.score_customers(summary, bgnbd, gamma_gamma, scoring)
    predictions = _sorted(predictions.assign(observation_end_date=observation_end))
    predictions_path = write_model_table(predictions, warehouse.data_dir, "clv_predictions")
    status, reason = clv.model_status(bgnbd, gamma_gamma)
    yield MaterializeResult(
        asset_key=model_output_key("clv_predictions"),
        metadata={
            **_table_metadata(predictions_path, predictions),
            "model_status": status,
            "model_reason": reason or "",
            "mean_p_alive": _number(predictions["p_alive"].mean()),
            "total_predicted_clv_yuan": _number(predictions["predicted_clv_cents"].sum() / 100),
        },
    )


class ClvValidationConfig(Config):
    """The calibration / holdout split of the CLV validation.

    dbt cuts the calibration period (int_customer_calibration_summary, var clv_holdout_days);
    the config only restates it, and a run whose config disagrees with the table fails.
    """

    holdout_days: int = int(project_var("clv_holdout_days"))
    min_repeat_buyers: int = clv.DEFAULT_MIN_REPEAT_BUYERS


def _headline(report: clv_validation.ValidationReport) -> str:
    overall = report.overall
    return (
        f"holdout {report.calibration_end} to {report.observation_end}: purchases MAE model "
        f"{overall['model_purchases_mae']:.3f} vs naive {overall['naive_purchases_mae']:.3f}, "
        f"aggregate error model {overall['model_purchases_aggregate_error']:+.1%} vs naive "
        f"{overall['naive_purchases_aggregate_error']:+.1%}"
    )


@asset(
    key=model_output_key("clv_validation"),
    deps=[CALIBRATION_SUMMARY, AS_OF_DATE],
    group_name=GROUP,
    kinds={"python", "parquet"},
    description=(
        "CLV models fitted on a calibration period and scored on the holdout against a naive "
        "baseline, by frequency bucket; with a calibration plot (PNG) beside the table."
    ),
)
def clv_validation_asset(
    context: AssetExecutionContext, config: ClvValidationConfig, warehouse: WarehouseResource
) -> MaterializeResult:
    customers = warehouse.read_table(
        "intermediate.int_customer_calibration_summary", "customer_key"
    )
    holdout_days = _check_built_with(
        customers, "holdout_days", config.holdout_days, "clv_holdout_days"
    )
    # The observation end is the as-of day even when nobody had bought by the calibration end.
    observation_end = _observation_end(
        warehouse.read_table("intermediate.int_as_of_date"), "as_of_date"
    )
    unit_days = float(customers["time_unit_days"].iloc[0]) if len(customers) else 7.0
    report = clv_validation.validate_holdout(
        customers,
        observation_end or NO_DATA_DATE,
        clv_validation.ValidationConfig(
            holdout_days=holdout_days,
            unit_days=unit_days,
            min_repeat_buyers=config.min_repeat_buyers,
        ),
    )
    table = clv_validation.validation_table(report)
    if observation_end is None:
        table = table.assign(calibration_end_date=None, observation_end_date=None)
    path = write_model_table(table, warehouse.data_dir, "clv_validation")
    figure = clv_validation.plot_calibration(report, path.parent / CALIBRATION_FIGURE)
    headline = _headline(report) if report.status == clv.FITTED else f"not fitted: {report.reason}"
    context.log.info(f"CLV validation: {headline}")
    return MaterializeResult(
        metadata={
            **_table_metadata(path, table),
            "model_status": report.status,
            "model_reason": report.reason or "",
            "model_beats_baseline": report.model_beats_baseline,
            "headline": headline,
            "calibration_plot": MetadataValue.path(str(figure)),
            "by_frequency": MetadataValue.md(_markdown(table, VALIDATION_SUMMARY_COLUMNS)),
        }
    )


# --- churn -------------------------------------------------------------------------------------


class ChurnModelConfig(Config):
    """The churn horizon and the least data the churn model is fitted on.

    dbt computes the features and labels at the horizon's cutoffs (int_churn_model_features, var
    churn_horizon_days); the config only restates the horizon, and a mismatch fails the run.
    """

    horizon_days: int = int(project_var("churn_horizon_days"))
    min_customers: int = 200
    min_churned: int = 20


@multi_asset(
    name="churn_model",
    specs=[
        AssetSpec(
            key=model_output_key("churn_predictions"),
            deps=[CHURN_FEATURES],
            group_name=GROUP,
            kinds={"python", "scikitlearn", "parquet"},
            description="Probability of no purchase in the next horizon_days, per customer.",
        ),
        AssetSpec(
            key=model_output_key("churn_metrics"),
            deps=[CHURN_FEATURES],
            group_name=GROUP,
            kinds={"python", "scikitlearn", "parquet"},
            description="Holdout ROC AUC and precision at the top decile of the churn model.",
        ),
    ],
)
def churn_model_asset(
    context: AssetExecutionContext, config: ChurnModelConfig, warehouse: WarehouseResource
) -> Iterator[MaterializeResult]:
    features = warehouse.read_table(
        "intermediate.int_churn_model_features", "cutoff_kind, customer_key"
    )
    horizon_days = _check_built_with(
        features, "horizon_days", config.horizon_days, "churn_horizon_days"
    )
    observation_end = _observation_end(features)
    result = churn_model.fit_churn_model(
        features,
        observation_end or NO_DATA_DATE,
        churn_model.ChurnConfig(
            horizon_days=horizon_days,
            min_customers=config.min_customers,
            min_churned=config.min_churned,
        ),
    )
    if result.fitted:
        metrics = result.metrics
        context.log.info(
            f"churn model: holdout ROC AUC {metrics['roc_auc']:.3f} (recency alone "
            f"{metrics['recency_only_roc_auc']:.3f}), precision in the top decile "
            f"{metrics['precision_top_decile']:.3f} at a churn rate of "
            f"{metrics['holdout_churn_rate']:.3f}"
        )
    else:
        context.log.warning(f"churn model not fitted: {result.reason}")

    predictions = _sorted(result.predictions)
    path = write_model_table(predictions, warehouse.data_dir, "churn_predictions")
    yield MaterializeResult(
        asset_key=model_output_key("churn_predictions"),
        metadata={
            **_table_metadata(path, predictions),
            "model_status": result.status,
            "model_reason": result.reason or "",
        },
    )
    metrics_table = churn_model.metrics_frame(result)
    if observation_end is None:
        dates = ["train_cutoff_date", "holdout_cutoff_date", "observation_end_date"]
        metrics_table = metrics_table.assign(**dict.fromkeys(dates))
    path = write_model_table(metrics_table, warehouse.data_dir, "churn_metrics")
    yield MaterializeResult(
        asset_key=model_output_key("churn_metrics"),
        metadata={
            **_table_metadata(path, metrics_table),
            "model_status": result.status,
            "model_reason": result.reason or "",
            **{name: _number(result.metrics.get(name)) for name in churn_model.METRIC_COLUMNS},
        },
    )


model_assets = [clv_model, clv_validation_asset, churn_model_asset]
