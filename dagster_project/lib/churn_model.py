"""Churn probability: will a customer make no purchase in the next ``horizon_days``?

A supervised model (scikit-learn's histogram gradient boosting) on point-in-time features with a
time-based split, so that nothing from after a cutoff leaks into the features at that cutoff:

- train: features as of ``observation_end - 2 * horizon``, labels from the following horizon;
- holdout: features as of ``observation_end - horizon``, labels from the last horizon, scored by
  the model trained on the earlier window (ROC AUC, precision in the top decile);
- scoring: the same model settings refitted on the holdout window (the latest labels there are),
  then applied to features as of ``observation_end``.

Features come from purchase days (recency, frequency, spend, rolling 12-month spend - the
quantity the membership tiers are set on - inter-purchase interval and its trend) and, when
given, private-domain interactions (last 30 days against the 30 before) and refunds.
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

FITTED = "fitted"
NOT_FITTED = "not_fitted"
MODEL_NAME = "hist_gradient_boosting"


@dataclass(frozen=True)
class ChurnConfig:
    horizon_days: int = 90
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


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.normalize()


def _count_between(
    frame: pd.DataFrame,
    date_column: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    count_column: str | None = None,
) -> pd.Series:
    """Events per customer in (start, end]: rows, or the sum of ``count_column``."""
    window = frame[(frame[date_column] > start) & (frame[date_column] <= end)]
    grouped = window.groupby("customer_key")
    return grouped[count_column].sum() if count_column else grouped.size()


def purchase_features(purchase_days: pd.DataFrame, cutoff: date) -> pd.DataFrame:
    """Point-in-time purchase features of every customer who bought on or before ``cutoff``."""
    end = pd.Timestamp(cutoff)
    days = purchase_days.assign(purchase_date=_dates(purchase_days["purchase_date"]))
    days = days[days["purchase_date"] <= end].sort_values(["customer_key", "purchase_date"])
    gap = days.groupby("customer_key")["purchase_date"].diff().dt.days
    days = days.assign(interval_days=gap)
    per_customer = days.groupby("customer_key").agg(
        first_purchase=("purchase_date", "min"),
        last_purchase=("purchase_date", "max"),
        purchase_days=("purchase_date", "size"),
        net_amount_cents=("net_amount_cents", "sum"),
        last_interval_days=("interval_days", "last"),
    )
    recent_spend = days[days["purchase_date"] > end - pd.Timedelta(days=365)]
    features = pd.DataFrame(index=per_customer.index)
    features["recency_days"] = (end - per_customer["last_purchase"]).dt.days
    features["tenure_days"] = (end - per_customer["first_purchase"]).dt.days
    features["purchase_days"] = per_customer["purchase_days"]
    features["purchase_days_90d"] = _count_between(
        days, "purchase_date", end - pd.Timedelta(days=90), end
    )
    features["purchase_days_prior_90d"] = _count_between(
        days, "purchase_date", end - pd.Timedelta(days=180), end - pd.Timedelta(days=90)
    )
    features["mean_spend_cents"] = per_customer["net_amount_cents"] / per_customer["purchase_days"]
    features["net_amount_cents_12m"] = recent_spend.groupby("customer_key")[
        "net_amount_cents"
    ].sum()
    span = (per_customer["last_purchase"] - per_customer["first_purchase"]).dt.days
    repeat = per_customer["purchase_days"] > 1
    mean_interval = (span / (per_customer["purchase_days"] - 1)).where(repeat)
    features["mean_interval_days"] = mean_interval
    features["last_interval_days"] = per_customer["last_interval_days"]
    # The churn-warning rule's own quantity: today's gap against the customer's typical interval.
    features["gap_to_interval_ratio"] = features["recency_days"] / mean_interval
    features["interval_trend"] = per_customer["last_interval_days"] / mean_interval
    counts = ["purchase_days_90d", "purchase_days_prior_90d", "net_amount_cents_12m"]
    features[counts] = features[counts].fillna(0)
    return features


def interaction_features(interactions: pd.DataFrame, cutoff: date) -> pd.DataFrame:
    """Private-domain interactions in the last 30 days against the 30 before, and since when.

    ``interactions`` has ``customer_key`` and ``interaction_date``, one row per interaction or,
    with an ``interaction_count`` column, per customer and day.
    """
    end = pd.Timestamp(cutoff)
    events = interactions.assign(interaction_date=_dates(interactions["interaction_date"]))
    events = events[events["interaction_date"] <= end]
    count = "interaction_count" if "interaction_count" in events.columns else None
    month = pd.Timedelta(days=30)
    last_30 = _count_between(events, "interaction_date", end - month, end, count)
    prior_30 = _count_between(events, "interaction_date", end - 2 * month, end - month, count)
    last_seen = events.groupby("customer_key")["interaction_date"].max()
    features = pd.DataFrame({"interactions_30d": last_30, "interactions_prior_30d": prior_30})
    features = features.reindex(last_seen.index).fillna(0)
    features["interaction_trend"] = (
        features["interactions_30d"] - features["interactions_prior_30d"]
    ) / features["interactions_prior_30d"].clip(lower=1)
    features["days_since_interaction"] = (end - last_seen).dt.days
    return features


def refund_features(refunds: pd.DataFrame, cutoff: date) -> pd.DataFrame:
    """Refunds in the 12 months before the cutoff: how many and how much."""
    end = pd.Timestamp(cutoff)
    rows = refunds.assign(refund_date=_dates(refunds["refund_date"]))
    rows = rows[(rows["refund_date"] <= end) & (rows["refund_date"] > end - pd.Timedelta(days=365))]
    return rows.groupby("customer_key").agg(
        refunds_12m=("refund_date", "size"), refund_amount_cents_12m=("refund_amount_cents", "sum")
    )


def build_features(
    purchase_days: pd.DataFrame,
    cutoff: date,
    interactions: pd.DataFrame | None = None,
    refunds: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """All features as of ``cutoff``, one row per customer who had bought by then."""
    features = purchase_features(purchase_days, cutoff)
    if interactions is not None:
        extra = interaction_features(interactions, cutoff)
        features = features.join(extra, how="left")
        features[["interactions_30d", "interactions_prior_30d"]] = features[
            ["interactions_30d", "interactions_prior_30d"]
        ].fillna(0)
    if refunds is not None:
        features = features.join(refund_features(refunds, cutoff), how="left")
        features[["refunds_12m", "refund_amount_cents_12m"]] = features[
            ["refunds_12m", "refund_amount_cents_12m"]
        ].fillna(0)
        features["refund_share_12m"] = features["refund_amount_cents_12m"] / features[
            "net_amount_cents_12m"
        ].where(features["net_amount_cents_12m"] > 0)
    return features.sort_index()


def churn_labels(purchase_days: pd.DataFrame, cutoff: date, horizon_days: int) -> pd.Series:
    """1 for customers with no purchase in (cutoff, cutoff + horizon], else 0."""
    end = pd.Timestamp(cutoff)
    days = _dates(purchase_days["purchase_date"])
    after = purchase_days.loc[
        (days > end) & (days <= end + pd.Timedelta(days=horizon_days)), "customer_key"
    ]
    customers = pd.Index(purchase_days["customer_key"].unique()).sort_values()
    return pd.Series((~customers.isin(after.unique())).astype(np.int64), index=customers)


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


def _labelled(
    purchase_days: pd.DataFrame,
    cutoff: date,
    horizon_days: int,
    interactions: pd.DataFrame | None,
    refunds: pd.DataFrame | None,
) -> tuple[pd.DataFrame, pd.Series]:
    features = build_features(purchase_days, cutoff, interactions, refunds)
    labels = churn_labels(purchase_days, cutoff, horizon_days).reindex(features.index)
    return features, labels.astype(np.int64)


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
    purchase_days: pd.DataFrame,
    observation_end: date,
    config: ChurnConfig = ChurnConfig(),
    interactions: pd.DataFrame | None = None,
    refunds: pd.DataFrame | None = None,
) -> ChurnResult:
    """Train on the earlier window, evaluate on the later one, score everyone as of today.

    Never raises on thin data: the result then has status ``not_fitted``, a reason, and one
    prediction row per customer with a null probability.
    """
    horizon = timedelta(days=config.horizon_days)
    holdout_cutoff = observation_end - horizon
    train_cutoff = holdout_cutoff - horizon
    if purchase_days.empty:
        scoring = pd.DataFrame(index=pd.Index([], dtype="str", name="customer_key"))
    else:
        scoring = build_features(purchase_days, observation_end, interactions, refunds)
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

    first_day = _dates(purchase_days["purchase_date"]).min() if len(purchase_days) else None
    if first_day is None or first_day > pd.Timestamp(train_cutoff):
        return not_fitted(
            f"history_too_short: the time-based split needs purchases before {train_cutoff}"
        )
    train_x, train_y = _labelled(
        purchase_days, train_cutoff, config.horizon_days, interactions, refunds
    )
    holdout_x, holdout_y = _labelled(
        purchase_days, holdout_cutoff, config.horizon_days, interactions, refunds
    )
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
