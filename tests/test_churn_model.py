"""The churn model: point-in-time features, a time-based split, and its holdout scores."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from clv_demo_history import demo_purchase_days

from dagster_project.lib import churn_model
from dagster_project.lib.churn_model import ChurnConfig


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory) -> churn_model.ChurnResult:
    days, observation_end = demo_purchase_days(tmp_path_factory.getbasetemp())
    return churn_model.fit_churn_model(days, observation_end)


def _days(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_key", "purchase_date", "net_amount_cents"])


# --- on demo data ------------------------------------------------------------------------------


def test_on_demo_data_the_holdout_auc_beats_chance_with_a_time_based_split(demo_result) -> None:
    assert demo_result.fitted, demo_result.reason
    assert demo_result.metrics["roc_auc"] > 0.5
    # The riskiest decile holds more churners than the population does.
    assert demo_result.metrics["precision_top_decile"] > demo_result.metrics["holdout_churn_rate"]


def test_the_split_trains_on_the_earlier_window_and_tests_on_the_later_one(demo_result) -> None:
    assert demo_result.observation_end == date(2026, 10, 31)
    assert demo_result.holdout_cutoff == date(2026, 8, 2)  # 90 days before the end
    assert demo_result.train_cutoff == date(2026, 5, 4)  # and 90 more before that
    assert demo_result.metrics["train_customers"] < demo_result.metrics["holdout_customers"]


def test_every_customer_gets_a_probability_and_a_risk_decile(demo_result) -> None:
    predictions = demo_result.predictions
    assert predictions["customer_key"].is_unique
    assert predictions["churn_probability"].between(0, 1).all()
    assert predictions["churn_risk_decile"].between(1, 10).all()
    deciles = predictions["churn_risk_decile"].value_counts()
    assert deciles.max() - deciles.min() <= 1
    riskiest = predictions.loc[predictions["churn_risk_decile"] == 1, "churn_probability"].min()
    safest = predictions.loc[predictions["churn_risk_decile"] == 10, "churn_probability"].max()
    assert riskiest >= safest


def test_metrics_frame_is_one_row_with_the_split_and_the_scores(demo_result) -> None:
    frame = churn_model.metrics_frame(demo_result)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["model_status"] == churn_model.FITTED
    assert row["roc_auc"] == demo_result.metrics["roc_auc"]
    assert "recency_days" in row["features"].split(",")


# --- features and labels -----------------------------------------------------------------------


def test_features_ignore_everything_after_the_cutoff() -> None:
    days = _days([("a", "2026-01-01", 100), ("a", "2026-02-01", 300), ("b", "2026-01-15", 50)])
    later = pd.concat([days, _days([("a", "2026-03-02", 999), ("c", "2026-03-05", 10)])])
    cutoff = date(2026, 3, 1)
    before = churn_model.purchase_features(days, cutoff)
    after = churn_model.purchase_features(later, cutoff)
    pd.testing.assert_frame_equal(before, after)
    assert before.loc["a", "recency_days"] == 28
    assert before.loc["a", "mean_interval_days"] == 31
    assert before.loc["a", "gap_to_interval_ratio"] == pytest.approx(28 / 31)
    assert np.isnan(before.loc["b", "mean_interval_days"])


def test_labels_mark_customers_without_a_purchase_in_the_horizon() -> None:
    days = _days(
        [
            ("a", "2026-01-01", 100),
            ("a", "2026-04-01", 100),  # the last day of the 90-day horizon: active
            ("b", "2026-01-01", 100),
            ("b", "2026-04-02", 100),  # one day too late: churned
            ("c", "2026-01-01", 100),
        ]
    )
    labels = churn_model.churn_labels(days, date(2026, 1, 1), 90)
    assert labels.to_dict() == {"a": 0, "b": 1, "c": 1}


def test_interaction_trend_compares_the_last_30_days_with_the_30_before() -> None:
    interactions = pd.DataFrame(
        {
            "customer_key": ["a", "a", "b"],
            "interaction_date": ["2026-01-20", "2026-02-25", "2026-01-05"],
            "interaction_count": [4, 1, 2],
        }
    )
    features = churn_model.interaction_features(interactions, date(2026, 3, 1))
    # a: 1 interaction in the 30 days after 2026-01-30, 4 in the 30 before: down 75%.
    assert features.loc["a", ["interactions_30d", "interactions_prior_30d"]].tolist() == [1, 4]
    assert features.loc["a", "interaction_trend"] == pytest.approx(-0.75)
    assert features.loc["b", "days_since_interaction"] == 55


def test_refunds_count_only_from_the_day_they_were_recorded() -> None:
    days = _days([("a", "2026-01-01", 10_000)])
    refunds = pd.DataFrame(
        {
            "customer_key": ["a", "a"],
            "refund_date": ["2026-01-05", "2026-03-02"],
            "refund_amount_cents": [2_500, 1_000],
        }
    )
    features = churn_model.build_features(days, date(2026, 3, 1), refunds=refunds)
    assert features.loc["a", "refunds_12m"] == 1
    assert features.loc["a", "refund_share_12m"] == pytest.approx(0.25)


def test_precision_at_the_top_decile_is_the_churn_share_among_the_riskiest_tenth() -> None:
    labels = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    scores = np.linspace(1, 0, 20)  # the first two customers are the riskiest 10%
    assert churn_model.precision_at_top(labels, scores) == 0.5


# --- degenerate data ---------------------------------------------------------------------------


def test_too_little_history_is_not_fitted_and_every_customer_keeps_a_row() -> None:
    days = _days([("a", "2026-10-01", 100), ("b", "2026-10-20", 100)])
    result = churn_model.fit_churn_model(days, date(2026, 10, 31))
    assert not result.fitted
    assert result.reason.startswith("history_too_short")
    assert list(result.predictions["customer_key"]) == ["a", "b"]
    assert result.predictions["churn_probability"].isna().all()
    assert result.predictions["model_status"].eq(churn_model.NOT_FITTED).all()


def test_too_few_customers_are_not_fitted_rather_than_raising() -> None:
    days = _days([("a", "2026-01-01", 100), ("a", "2026-06-01", 100), ("b", "2026-09-01", 100)])
    result = churn_model.fit_churn_model(days, date(2026, 10, 31), ChurnConfig())
    assert result.reason.startswith("too_few_customers")
    assert churn_model.fit_churn_model(days.iloc[:0], date(2026, 10, 31)).status == "not_fitted"
