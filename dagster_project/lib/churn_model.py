"""Churn probability: will a customer make no purchase in the next ``horizon_days``?

A supervised model (scikit-learn's histogram gradient boosting) on point-in-time features with a
time-based split, so that nothing from after a cutoff leaks into the features at that cutoff:

- train: features as of ``observation_end - 2 * horizon``, labels from the following horizon;
- holdout: features as of ``observation_end - horizon``, labels from the last horizon, scored by
  the model trained on the earlier window (ROC AUC, precision in the top decile);
- scoring: the same model settings refitted on the holdout window (the latest labels there are),
  then applied to features as of ``observation_end``.

The features are computed by dbt (int_churn_model_features, one row per customer and cutoff,
with the label where it is known): purchase days (recency, frequency, spend, rolling 12-month
spend - the quantity the membership tiers are set on - inter-purchase interval and its trend),
private-domain interactions (the churn-warning rule's window against the one before) and refunds.
This module only fits and scores.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from dagster_project.lib.project_vars import project_var

FITTED = "fitted"
NOT_FITTED = "not_fitted"
MODEL_NAME = "hist_gradient_boosting"


@dataclass(frozen=True)
class ChurnConfig:
    # Must match the horizon the features were built with (dbt var churn_horizon_days).
    horizon_days: int = field(default_factory=lambda: int(project_var("churn_horizon_days")))
    min_customers: int = 200  # in each of the train and holdout windows
    min_churned: int = 20  # and at least this many of each label
    random_state: int = 0


@dataclass(frozen=True)
class ChurnResult:
    status: str
    reason: str | None
    observation_end: date
    train_cutoff: date
    holdout_cutoff: date
    horizon_days: int
    predictions: pd.DataFrame
    metrics: dict[str, float] = field(default_factory=dict)
    features: tuple[str, ...] = ()

    @property
    def fitted(self) -> bool:
        return self.status == FITTED


# --- features ----------------------------------------------------------------------------------

# The point-in-time features of int_churn_model_features, computed by dbt, in the order the
# model is given them (the column order is part of the fit: keep it stable).
FEATURE_COLUMNS = (
    "recency_days",
    "tenure_days",
    "purchase_days",
    "purchase_days_90d",
    "purchase_days_prior_90d",
    "mean_spend_cents",
    "net_amount_cents_12m",
    "mean_interval_days",
    "last_interval_days",
    "gap_to_interval_ratio",
    "interval_trend",
    "interactions_30d",
    "interactions_prior_30d",
    "interaction_trend",
    "days_since_interaction",
    "refunds_12m",
    "refund_amount_cents_12m",
    "refund_share_12m",
)
LABEL_COLUMN = "churn_label"
TRAIN, HOLDOUT, SCORING = "train", "holdout", "scoring"


def cutoff_frame(features: pd.DataFrame, cutoff_kind: str) -> tuple[pd.DataFrame, pd.Series]:
    """The features (indexed and sorted by customer) and labels of one cutoff kind."""
    rows = features[features["cutoff_kind"] == cutoff_kind].sort_values(
        "customer_key", kind="stable"
    )
    index = pd.Index(rows["customer_key"].to_numpy(dtype=object), name="customer_key")
    frame = pd.DataFrame(
        {name: rows[name].to_numpy(dtype=np.float64, na_value=np.nan) for name in FEATURE_COLUMNS},
        index=index,
    )
    labels = pd.Series(rows[LABEL_COLUMN].to_numpy(), index=index, name=LABEL_COLUMN)
    return frame, labels


# --- model -------------------------------------------------------------------------------------


def _classifier(config: ChurnConfig) -> HistGradientBoostingClassifier:
    # Small, regularised and without early stopping: deterministic for a given random_state, and
    # sized for a few thousand customers per window (deeper trees overfit the demo data).
    return HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.05,
        max_leaf_nodes=8,
        min_samples_leaf=20,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=config.random_state,
    )


def _threads_for(rows: int) -> threadpool_limits | contextlib.nullcontext:
    """One OpenMP thread below ~100k rows: waking threads per tree costs more than it saves
    (five times slower on two cores at a few thousand customers)."""
    if rows < 100_000:
        return threadpool_limits(limits=1, user_api="openmp")
    return contextlib.nullcontext()


def precision_at_top(labels: np.ndarray, scores: np.ndarray, share: float = 0.1) -> float:
    """Share of churners among the ``share`` of customers with the highest scores."""
    count = max(1, int(np.ceil(len(scores) * share)))
    # A stable sort on the negated score keeps ties in input order: reproducible.
    top = np.argsort(-scores, kind="stable")[:count]
    return float(np.mean(labels[top]))


def _window_problem(labels: pd.Series, config: ChurnConfig, window: str) -> str | None:
    if len(labels) < config.min_customers:
        return (
            f"too_few_customers: {len(labels)} in the {window} window, "
            f"{config.min_customers} needed"
        )
    churned = int(labels.sum())
    if min(churned, len(labels) - churned) < config.min_churned:
        return (
            f"too_few_of_one_label: {churned} churned and {len(labels) - churned} active "
            f"in the {window} window, {config.min_churned} of each needed"
        )
    return None


def _predictions_frame(
    features: pd.DataFrame,
    probabilities: np.ndarray | None,
    config: ChurnConfig,
    observation_end: date,
    status: str,
    reason: str | None,
) -> pd.DataFrame:
    n = len(features)
    probability = np.full(n, np.nan) if probabilities is None else probabilities
    decile = pd.array([pd.NA] * n, dtype="Int64")
    if probabilities is not None and n:
        # Decile 1 holds the 10% most likely to churn; ties are broken by customer order.
        rank = np.empty(n, dtype=np.int64)
        rank[np.argsort(-probability, kind="stable")] = np.arange(n)
        decile = pd.array(rank * 10 // n + 1, dtype="Int64")
    return pd.DataFrame(
        {
            "customer_key": features.index.to_numpy(),
            "churn_probability": probability,
            "churn_risk_decile": decile,
            "horizon_days": config.horizon_days,
            "scored_as_of_date": observation_end,
            "model_status": status,
            "model_reason": pd.Series([reason] * n, dtype="str"),
        }
    )


def fit_churn_model(
    features: pd.DataFrame,
    observation_end: date,
    config: ChurnConfig = ChurnConfig(),
) -> ChurnResult:
    """Train on the earlier window, evaluate on the later one, score everyone as of today.

    ``features`` has the rows of int_churn_model_features: ``customer_key``, ``cutoff_kind``
    (train, holdout, scoring), ``FEATURE_COLUMNS`` and the ``churn_label`` of the labelled
    cutoffs, built with ``config.horizon_days``. Never raises on thin data: the result then has
    status ``not_fitted``, a reason, and one prediction row per customer with a null probability.
    """
    horizon = timedelta(days=config.horizon_days)
    holdout_cutoff = observation_end - horizon
    train_cutoff = holdout_cutoff - horizon
    scoring, _ = cutoff_frame(features, SCORING)
    names = tuple(scoring.columns)

    def not_fitted(reason: str) -> ChurnResult:
        return ChurnResult(
            status=NOT_FITTED,
            reason=reason,
            observation_end=observation_end,
            train_cutoff=train_cutoff,
            holdout_cutoff=holdout_cutoff,
            horizon_days=config.horizon_days,
            predictions=_predictions_frame(
                scoring, None, config, observation_end, NOT_FITTED, reason
            ),
            features=names,
        )

    train_x, train_y = cutoff_frame(features, TRAIN)
    # No customer had bought by the train cutoff: the first purchase came after it.
    if train_x.empty:
        return not_fitted(
            f"history_too_short: the time-based split needs purchases before {train_cutoff}"
        )
    holdout_x, holdout_y = cutoff_frame(features, HOLDOUT)
    train_y, holdout_y = train_y.astype(np.int64), holdout_y.astype(np.int64)
    for labels, window in ((train_y, "train"), (holdout_y, "holdout")):
        problem = _window_problem(labels, config, window)
        if problem:
            return not_fitted(problem)

    # A feature without two distinct values in training (no interactions recorded yet, say)
    # carries no information, and the binning of the gradient boosting rejects it.
    columns = [name for name in names if train_x[name].nunique(dropna=True) > 1]
    with _threads_for(len(train_y) + len(holdout_y) + len(scoring)):
        model = _classifier(config).fit(train_x[columns], train_y)
        holdout_scores = model.predict_proba(holdout_x[columns])[:, 1]
        final = _classifier(config).fit(holdout_x[columns], holdout_y)
        probabilities = final.predict_proba(scoring[columns])[:, 1]
    labels = holdout_y.to_numpy()
    base_rate = float(labels.mean())
    precision = precision_at_top(labels, holdout_scores)
    metrics = {
        "train_customers": float(len(train_y)),
        "holdout_customers": float(len(holdout_y)),
        "train_churn_rate": float(train_y.mean()),
        "holdout_churn_rate": base_rate,
        "roc_auc": float(roc_auc_score(labels, holdout_scores)),
        # The simplest rule as a yardstick: the longer since the last purchase, the riskier.
        "recency_only_roc_auc": float(roc_auc_score(labels, holdout_x["recency_days"])),
        "precision_top_decile": precision,
        "lift_top_decile": precision / base_rate if base_rate else float("nan"),
    }
    return ChurnResult(
        status=FITTED,
        reason=None,
        observation_end=observation_end,
        train_cutoff=train_cutoff,
        holdout_cutoff=holdout_cutoff,
        horizon_days=config.horizon_days,
        predictions=_predictions_frame(
            scoring, probabilities, config, observation_end, FITTED, None
        ),
        metrics=metrics,
        features=tuple(columns),
    )


METRIC_COLUMNS = (
    "train_customers",
    "holdout_customers",
    "train_churn_rate",
    "holdout_churn_rate",
    "roc_auc",
    "recency_only_roc_auc",
    "precision_top_decile",
    "lift_top_decile",
)


def metrics_frame(result: ChurnResult) -> pd.DataFrame:
    """One row: the split, the holdout scores, and the status of the churn model."""
    row = {
        "model_name": MODEL_NAME,
        "model_status": result.status,
        "model_reason": result.reason,
        "horizon_days": result.horizon_days,
        "train_cutoff_date": result.train_cutoff,
        "holdout_cutoff_date": result.holdout_cutoff,
        "observation_end_date": result.observation_end,
        **{name: result.metrics.get(name, np.nan) for name in METRIC_COLUMNS},
        "features": ",".join(result.features),
    }
    return pd.DataFrame([row])
