"""The CLV holdout validation, and the model assets that write its tables for dbt.

The calibration summary is dbt's (int_customer_calibration_summary): its boundaries are the
hand-worked unit test in dbt_models/intermediate/clv/_clv__models.yml, and here it is compared
with ``reference.clv_features`` on the session's demo warehouse. The fitting tests feed the same
pandas reference, computed from a larger generated history, to the Python comparison.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import reference
from clv_demo_history import demo_purchase_days
from dagster import AssetKey, materialize

from dagster_project.defs.models.assets import (
    CALIBRATION_FIGURE,
    _check_built_with,
    model_assets,
)
from dagster_project.lib import clv, clv_validation
from dagster_project.lib.clv_validation import ValidationConfig
from dagster_project.lib.model_outputs import SCHEMAS, model_output_path
from dagster_project.resources import WarehouseResource


@pytest.fixture(scope="module")
def demo_history(tmp_path_factory) -> tuple[pd.DataFrame, date]:
    return demo_purchase_days(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def demo_report(demo_history) -> clv_validation.ValidationReport:
    days, observation_end = demo_history
    customers = reference.clv_features.calibration_summary(days, observation_end)
    return clv_validation.validate_holdout(customers, observation_end, ValidationConfig())


def _days(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_key", "purchase_date", "net_amount_cents"])


def _validate(days: pd.DataFrame, observation_end: date) -> clv_validation.ValidationReport:
    customers = reference.clv_features.calibration_summary(days, observation_end)
    return clv_validation.validate_holdout(customers, observation_end)


# --- on demo data ------------------------------------------------------------------------------


def test_on_demo_data_predicted_holdout_purchases_beat_the_naive_baseline(demo_report) -> None:
    assert demo_report.status == clv.FITTED, demo_report.reason
    overall = demo_report.overall
    assert overall["customers"] > 1_000
    assert overall["model_purchases_mae"] < overall["naive_purchases_mae"]
    assert abs(overall["model_purchases_aggregate_error"]) < abs(
        overall["naive_purchases_aggregate_error"]
    )
    assert demo_report.model_beats_baseline is True


def test_on_demo_data_predicted_holdout_revenue_beats_the_naive_baseline(demo_report) -> None:
    overall = demo_report.overall
    assert overall["model_revenue_cents_mae"] < overall["naive_revenue_cents_mae"]
    assert abs(overall["model_revenue_cents_aggregate_error"]) < abs(
        overall["naive_revenue_cents_aggregate_error"]
    )


def test_validation_table_has_a_row_per_frequency_bucket_and_one_for_everyone(
    demo_report,
) -> None:
    table = clv_validation.validation_table(demo_report)
    assert list(table["frequency_bucket"]) == ["0", "1", "2", "3", "4", "5", "6", "7+", "all"]
    buckets = table[table["frequency_bucket"] != "all"]
    assert buckets["customers"].sum() == demo_report.overall["customers"]
    assert buckets["actual_purchases_total"].sum() == demo_report.overall["actual_purchases_total"]
    assert set(table["model_status"]) == {clv.FITTED}
    assert (table["calibration_end_date"] == date(2026, 8, 2)).all()


# --- summaries and the baseline ----------------------------------------------------------------


def test_dbt_calibration_summary_equals_the_pandas_reference(built_warehouse: Path) -> None:
    with duckdb.connect(str(built_warehouse / "warehouse.duckdb"), read_only=True) as connection:
        days = connection.execute(
            "select customer_key, purchase_date, net_amount_cents, observation_end_date "
            "from intermediate.int_customer_purchase_days"
        ).df()
        built = connection.execute(
            "select * from intermediate.int_customer_calibration_summary order by customer_key"
        ).df()
    observation_end = pd.Timestamp(days["observation_end_date"].max()).date()
    expected = reference.clv_features.calibration_summary(days, observation_end)
    assert len(expected) > 100
    assert expected["holdout_purchases"].gt(0).any()
    assert list(built["customer_key"]) == list(expected["customer_key"])
    for column in expected.columns[1:]:
        np.testing.assert_allclose(
            built[column].to_numpy(np.float64, na_value=np.nan),
            expected[column].to_numpy(np.float64),
            rtol=1e-12,
            err_msg=column,
        )
    holdout = int(reference.project_var("clv_holdout_days"))
    assert (built["holdout_days"] == holdout).all()
    assert (
        pd.to_datetime(built["calibration_end_date"]).dt.date
        == observation_end - timedelta(days=holdout)
    ).all()


def test_naive_baseline_carries_each_calibration_rate_forward() -> None:
    # a: 2 repeat days in 20 weeks -> 0.1 a week -> 1.3 in a 13-week holdout; b: one-time -> 0.
    customers = pd.DataFrame(
        {
            "customer_key": ["a", "b"],
            "frequency": [2, 0],
            "recency": [15.0, 0.0],
            "t": [20.0, 5.0],
            "monetary_value_cents": [1_000.0, np.nan],
            "repeat_net_amount_cents": [2_000, 0],
            "holdout_purchases": [1, 0],
            "holdout_net_amount_cents": [900, 0],
        }
    )
    not_fitted = clv.fit_bgnbd([], [], [])
    predicted = clv_validation._predict_holdout(customers, not_fitted, not_fitted, 13.0)
    assert predicted["naive_purchases"].tolist() == pytest.approx([1.3, 0.0])
    assert predicted["naive_revenue_cents"].tolist() == pytest.approx([1_300.0, 0.0])
    assert predicted["model_purchases"].isna().all()


def test_thin_history_reports_not_fitted_and_still_shows_the_baseline() -> None:
    days = _days([("a", "2026-01-01", 100), ("a", "2026-03-01", 0), ("b", "2026-10-31", 50)])
    report = _validate(days, date(2026, 10, 31))
    assert report.status == clv.NOT_FITTED
    assert report.reason == "bg_nbd: too_few_repeat_buyers"
    assert report.model_beats_baseline is None
    overall = report.overall
    assert overall["customers"] == 1
    assert np.isnan(overall["model_purchases_mae"])
    # a: one repeat day in the 213 days from 2026-01-01 to the calibration end, over 90 days.
    assert overall["naive_purchases_mae"] == pytest.approx(90 / 213)


def test_an_empty_history_does_not_raise() -> None:
    report = clv_validation.validate_holdout(pd.DataFrame(), date(2026, 10, 31))
    assert report.status == clv.NOT_FITTED
    assert (report.by_frequency["customers"] == 0).all()


def test_calibration_plot_is_a_png_and_identical_inputs_give_identical_bytes(
    demo_report, tmp_path: Path
) -> None:
    first = clv_validation.plot_calibration(demo_report, tmp_path / "one.png").read_bytes()
    second = clv_validation.plot_calibration(demo_report, tmp_path / "two.png").read_bytes()
    assert first.startswith(b"\x89PNG")
    assert first == second
    assert not list(tmp_path.glob("*.tmp"))


# --- the Dagster assets ------------------------------------------------------------------------


def _write_warehouse(data_dir: Path, days: pd.DataFrame, observation_end: date) -> None:
    """The intermediate tables the model assets read, as dbt would build them, from the pandas
    references (the full-period summary is the calibration summary without a holdout)."""
    end = {"observation_end_date": observation_end, "time_unit": "week", "time_unit_days": 7.0}
    features = reference.clv_features
    no_interactions = pd.DataFrame(
        {"customer_key": [], "interaction_date": [], "interaction_count": []}
    )
    no_refunds = pd.DataFrame({"customer_key": [], "refund_date": [], "refund_amount_cents": []})
    holdout = int(reference.project_var("clv_holdout_days"))
    horizon = int(reference.project_var("churn_horizon_days"))
    tables = {
        "int_as_of_date": pd.DataFrame({"as_of_date": [observation_end]}),
        "int_customer_purchase_summary": features.calibration_summary(
            days, observation_end, holdout_days=0
        ).assign(**end),
        "int_customer_calibration_summary": features.calibration_summary(
            days, observation_end
        ).assign(**end, holdout_days=holdout),
        "int_churn_model_features": features.churn_features(
            days, observation_end, no_interactions, no_refunds
        ).assign(observation_end_date=observation_end, horizon_days=horizon),
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as connection:
        connection.execute("create schema intermediate")
        for name, frame in tables.items():
            connection.register("frame", frame)
            connection.execute(f"create table intermediate.{name} as select * from frame")
            connection.unregister("frame")


def _materialize(data_dir: Path) -> None:
    result = materialize(
        model_assets, resources={"warehouse": WarehouseResource(data_dir=str(data_dir))}
    )
    assert result.success
    keys = {event.asset_key for event in result.get_asset_materialization_events()}
    assert keys == {AssetKey(["models", table]) for table in SCHEMAS}


def test_model_assets_write_every_table_with_its_schema_and_the_same_bytes_on_a_rerun(
    demo_history, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("CVW_DUCKDB_PATH", raising=False)
    days, observation_end = demo_history
    _write_warehouse(tmp_path, days, observation_end)
    _materialize(tmp_path)
    first = {table: model_output_path(tmp_path, table).read_bytes() for table in SCHEMAS}
    figure = model_output_path(tmp_path, "clv_validation").parent / CALIBRATION_FIGURE
    first_figure = figure.read_bytes()

    _materialize(tmp_path)
    for table, schema in SCHEMAS.items():
        path = model_output_path(tmp_path, table)
        assert path.read_bytes() == first[table], table
        assert pq.read_schema(path).equals(schema), table
        assert [item.name for item in path.parent.iterdir() if item.suffix != ".png"] == [path.name]
    assert figure.read_bytes() == first_figure

    predictions = pd.read_parquet(model_output_path(tmp_path, "clv_predictions"))
    assert set(predictions["model_status"]) == {clv.FITTED}
    assert predictions["customer_key"].is_monotonic_increasing
    assert (predictions["observation_end_date"] == observation_end).all()
    parameters = pd.read_parquet(model_output_path(tmp_path, "clv_parameters"))
    assert len(parameters) == 7 and parameters["parameter_value"].notna().all()
    assert (parameters["fit_date"] == observation_end).all()


def test_model_assets_write_not_fitted_rows_for_every_customer_when_the_data_are_thin(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("CVW_DUCKDB_PATH", raising=False)
    days = _days([("a", "2026-01-01", 100), ("a", "2026-03-01", 0), ("b", "2026-10-31", 50)])
    _write_warehouse(tmp_path, days, date(2026, 10, 31))
    _materialize(tmp_path)

    predictions = pd.read_parquet(model_output_path(tmp_path, "clv_predictions"))
    assert list(predictions["customer_key"]) == ["a", "b"]
    assert set(predictions["model_status"]) == {clv.NOT_FITTED}
    assert predictions["model_reason"].str.contains("too_few_repeat_buyers").all()
    assert predictions["predicted_clv_cents"].isna().all()
    parameters = pd.read_parquet(model_output_path(tmp_path, "clv_parameters"))
    assert len(parameters) == 7 and parameters["parameter_value"].isna().all()
    churn = pd.read_parquet(model_output_path(tmp_path, "churn_predictions"))
    assert list(churn["customer_key"]) == ["a", "b"]
    assert churn["churn_probability"].isna().all()
    metrics = pd.read_parquet(model_output_path(tmp_path, "churn_metrics"))
    assert metrics.loc[0, "model_status"] == "not_fitted"


def test_a_holdout_config_other_than_the_one_dbt_built_fails_and_names_the_var() -> None:
    built = pd.DataFrame({"holdout_days": [90, 90]})
    assert _check_built_with(built, "holdout_days", 90, "clv_holdout_days") == 90
    with pytest.raises(ValueError, match="set the dbt var clv_holdout_days"):
        _check_built_with(built, "holdout_days", 60, "clv_holdout_days")
    # An empty table holds no value: the config is checked against the var's declared default.
    default = int(reference.project_var("clv_holdout_days"))
    assert _check_built_with(built.iloc[:0], "holdout_days", default, "clv_holdout_days") == default
    with pytest.raises(ValueError, match="clv_holdout_days"):
        _check_built_with(built.iloc[:0], "holdout_days", default + 1, "clv_holdout_days")
