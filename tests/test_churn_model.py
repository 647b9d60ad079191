"""The churn model: dbt's point-in-time features, a time-based split, and its holdout scores.

The features and labels are dbt's (int_churn_model_features): the window boundaries are the
hand-worked unit test in dbt_models/intermediate/clv/_clv__models.yml, and here the model is
compared with ``reference.clv_features`` on the session's demo warehouse. The fitting tests feed
the same pandas reference, computed from a larger generated history, to the Python model.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import reference
from clv_demo_history import demo_purchase_days

from dagster_project.lib import churn_model
from dagster_project.lib.churn_model import ChurnConfig


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory) -> churn_model.ChurnResult:
    days, observation_end = demo_purchase_days(tmp_path_factory.getbasetemp())
    return churn_model.fit_churn_model(_features(days, observation_end), observation_end)


def _days(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_key", "purchase_date", "net_amount_cents"])


def _features(days: pd.DataFrame, observation_end: date) -> pd.DataFrame:
    """The reference features of a purchase history without interactions or refunds."""
    interactions = pd.DataFrame(
        {"customer_key": [], "interaction_date": [], "interaction_count": []}
    )
    refunds = pd.DataFrame({"customer_key": [], "refund_date": [], "refund_amount_cents": []})
    return reference.clv_features.churn_features(days, observation_end, interactions, refunds)


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


def test_dbt_features_and_labels_equal_the_pandas_reference(built_warehouse: Path) -> None:
    with duckdb.connect(str(built_warehouse / "warehouse.duckdb"), read_only=True) as connection:

        def read(table: str) -> pd.DataFrame:
            return connection.execute(f"select * from intermediate.{table}").df()

        days = read("int_customer_purchase_days")
        interactions = read("int_customer_interaction_days")
        refunds = read("int_customer_refund_events")
        built = read("int_churn_model_features")
    observation_end = pd.Timestamp(days["observation_end_date"].max()).date()
    expected = reference.clv_features.churn_features(days, observation_end, interactions, refunds)
    order = ["cutoff_kind", "customer_key"]
    expected = expected.sort_values(order, ignore_index=True)
    built = built.sort_values(order, ignore_index=True)
    assert set(expected["cutoff_kind"]) == {"train", "holdout", "scoring"}
    # The demo history exercises every feature: interactions, refunds and both labels.
    assert expected["interactions_30d"].gt(0).any() and expected["refunds_12m"].gt(0).any()
    assert set(expected["churn_label"].dropna()) == {0.0, 1.0}
    assert built[order].equals(expected[order])
    assert (pd.to_datetime(built["cutoff_date"]).dt.date == expected["cutoff_date"]).all()
    for column in (*churn_model.FEATURE_COLUMNS, churn_model.LABEL_COLUMN):
        np.testing.assert_allclose(
            built[column].to_numpy(np.float64, na_value=np.nan),
            expected[column].to_numpy(np.float64),
            rtol=1e-12,
            err_msg=column,
        )


def test_cutoff_frame_is_sorted_by_customer_and_keeps_the_feature_order() -> None:
    features = _features(
        _days([("b", "2026-01-01", 100), ("a", "2026-02-01", 300), ("a", "2026-03-01", 50)]),
        date(2026, 10, 31),
    ).iloc[::-1]
    frame, labels = churn_model.cutoff_frame(features, churn_model.SCORING)
    assert list(frame.index) == ["a", "b"]
    assert tuple(frame.columns) == churn_model.FEATURE_COLUMNS
    assert frame.loc["a", "mean_interval_days"] == 28
    assert labels.isna().all()


def test_precision_at_the_top_decile_is_the_churn_share_among_the_riskiest_tenth() -> None:
    labels = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    scores = np.linspace(1, 0, 20)  # the first two customers are the riskiest 10%
    assert churn_model.precision_at_top(labels, scores) == 0.5


# --- degenerate data ---------------------------------------------------------------------------


def test_too_little_history_is_not_fitted_and_every_customer_keeps_a_row() -> None:
    days = _days([("a", "2026-10-01", 100), ("b", "2026-10-20", 100)])
    result = churn_model.fit_churn_model(_features(days, date(2026, 10, 31)), date(2026, 10, 31))
    assert not result.fitted
    assert result.reason.startswith("history_too_short")
    assert list(result.predictions["customer_key"]) == ["a", "b"]
    assert result.predictions["churn_probability"].isna().all()
    assert result.predictions["model_status"].eq(churn_model.NOT_FITTED).all()


def test_too_few_customers_are_not_fitted_rather_than_raising() -> None:
    days = _days([("a", "2026-01-01", 100), ("a", "2026-06-01", 100), ("b", "2026-09-01", 100)])
    features = _features(days, date(2026, 10, 31))
    result = churn_model.fit_churn_model(features, date(2026, 10, 31), ChurnConfig())
    assert result.reason.startswith("too_few_customers")
    empty = churn_model.fit_churn_model(features.iloc[:0], date(2026, 10, 31))
    assert empty.status == "not_fitted"
    assert empty.predictions.empty
