"""The marketing marts equal independent pandas / scipy computations.

ROI, funnel and ad ratios are recomputed from the staging tables, ``fct_orders`` and the
attribution credits of the ``built_warehouse`` demo build; the A/B readout's interval and p-value
are recomputed with scipy, both on the demo counts and on generated counts run through the
compiled ``ab_test_results`` SQL. Messages name rows by campaign or experiment, never by person.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

REPO_ROOT = Path(__file__).resolve().parents[1]
VARS = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"]
ROI_MODEL = VARS["marketing_roi_attribution_model"]
REVIEW_ANCHOR = date.fromisoformat(VARS["marketing_review_anchor_date"])
AB_DAYS = VARS["marketing_ab_conversion_days"]
AFFINITY_DAYS = VARS["marketing_affinity_window_days"]
AD_TABLES = (
    "stg_ads__ocean_engine_campaign_daily",
    "stg_ads__tencent_ads_daily",
    "stg_ads__baidu_campaign_daily",
)
KEYS = ["period_start_date", "platform", "campaign_id"]
FUNNEL_KEYS = ["funnel_date", "platform", "campaign_id"]
STEPS = ["impressions", "clicks", "product_viewers", "cart_adders", "orders", "paid_orders"]


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


@pytest.fixture(scope="module")
def read(built_warehouse: Path) -> Iterator:
    connection = duckdb.connect(str(built_warehouse / "warehouse.duckdb"), read_only=True)

    def query(sql: str) -> pd.DataFrame:
        return connection.sql(sql).df()

    yield query
    connection.close()


def _ad_spend(read) -> pd.DataFrame:
    frames = [
        read(
            "select platform, campaign_id, report_date, spend_cents, impressions, clicks "
            f"from staging.{table}"
        )
        for table in AD_TABLES
    ]
    spend = pd.concat(frames, ignore_index=True)
    for column in ("spend_cents", "impressions", "clicks"):
        spend[column] = spend[column].fillna(0).astype("int64")
    return _dates(spend, "report_date")


def _paid_credits(read) -> pd.DataFrame:
    credits = read(
        "select order_id, customer_key, order_date, platform, campaign_id, credit_share, "
        f"credit_cents from marts.fct_attribution where attribution_model = '{ROI_MODEL}' "
        "and touch_type = 'paid_ad'"
    )
    return _dates(credits, "order_date")


def _review_start(day: date) -> date:
    return REVIEW_ANCHOR + timedelta(days=14 * ((day - REVIEW_ANCHOR).days // 14))


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day(day: date) -> date:
    return day


def _whole_fen(amounts: np.ndarray) -> np.ndarray:
    """Fractional fen rounded half away from zero (numpy's own round goes half to even)."""
    return np.sign(amounts) * np.floor(np.abs(amounts) + 0.5)


@pytest.mark.parametrize(
    ("view", "period_start"),
    [
        ("channel_roi_daily", _day),
        ("channel_roi_weekly", _week_start),
        ("channel_roi_review_window", _review_start),
        ("channel_roi_monthly", _month_start),
    ],
)
def test_roas_cpa_and_cac_equal_a_pandas_computation(read, view: str, period_start) -> None:
    spend = _ad_spend(read)
    spend["period_start_date"] = spend["report_date"].map(period_start)
    spend = spend.groupby(KEYS, as_index=False)["spend_cents"].sum()

    orders = read(
        "select order_id, customer_key, ordered_at from marts.fct_orders "
        "where is_revenue_order and customer_key is not null"
    ).sort_values(["customer_key", "ordered_at", "order_id"])
    first_orders = set(orders.drop_duplicates("customer_key")["order_id"])
    credits = _paid_credits(read)
    credits["period_start_date"] = credits["order_date"].map(period_start)
    credits["new_customers"] = np.where(
        credits["order_id"].isin(first_orders), credits["credit_share"], 0.0
    )
    attributed = credits.groupby(KEYS, as_index=False).agg(
        attributed_orders=("credit_share", "sum"),
        attributed_net_revenue_cents=("credit_cents", "sum"),
        new_customers=("new_customers", "sum"),
    )
    expected = spend.merge(attributed, on=KEYS, how="outer").fillna(
        {
            "spend_cents": 0,
            "attributed_orders": 0.0,
            "attributed_net_revenue_cents": 0,
            "new_customers": 0.0,
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        expected["roas"] = np.where(
            expected["spend_cents"] > 0,
            expected["attributed_net_revenue_cents"] / expected["spend_cents"],
            np.nan,
        )
        expected["cac_cents"] = np.where(
            expected["new_customers"] > 0,
            _whole_fen(expected["spend_cents"] / expected["new_customers"]),
            np.nan,
        )
        expected["cpa_cents"] = np.where(
            expected["attributed_orders"] > 0,
            _whole_fen(expected["spend_cents"] / expected["attributed_orders"]),
            np.nan,
        )

    actual = _dates(read(f"select * from marts.{view}"), "period_start_date")
    merged = expected.merge(actual, on=KEYS, how="outer", suffixes=("_expected", ""))
    assert len(merged) == len(expected) == len(actual)
    assert expected["spend_cents"].sum() > 0
    for column in (
        "spend_cents",
        "attributed_orders",
        "attributed_net_revenue_cents",
        "new_customers",
        "roas",
        "cac_cents",
        "cpa_cents",
    ):
        np.testing.assert_allclose(
            merged[column].astype(float),
            merged[f"{column}_expected"].astype(float),
            rtol=1e-9,
            equal_nan=True,
            err_msg=column,
        )


def test_each_grain_view_is_channel_roi_at_that_grain_without_the_grain_column(read) -> None:
    roi = read("select * from marts.channel_roi")
    views = {
        "day": "channel_roi_daily",
        "week": "channel_roi_weekly",
        "review_window": "channel_roi_review_window",
        "month": "channel_roi_monthly",
    }
    assert set(roi["period_grain"]) == set(views)
    for grain, view in views.items():
        expected = roi[roi["period_grain"] == grain].drop(columns="period_grain")
        actual = read(f"select * from marts.{view}")
        assert list(actual.columns) == list(expected.columns), view
        assert len(actual) > 0, view
        pd.testing.assert_frame_equal(
            actual.sort_values("channel_roi_key").reset_index(drop=True),
            expected.sort_values("channel_roi_key").reset_index(drop=True),
            obj=view,
        )


def test_review_windows_are_fourteen_days_from_the_anchor(read) -> None:
    windows = _dates(
        read(
            "select distinct period_start_date, period_end_date "
            "from marts.channel_roi_review_window"
        ),
        "period_start_date",
        "period_end_date",
    )
    assert len(windows) > 1
    for start, end in windows.itertuples(index=False):
        assert (start - REVIEW_ANCHOR).days % 14 == 0
        assert (end - start).days == 13


def test_funnel_steps_and_rates_equal_a_pandas_computation(read) -> None:
    spend = _ad_spend(read)
    campaigns = spend[["platform", "campaign_id"]].drop_duplicates()
    delivery = (
        spend.rename(columns={"report_date": "funnel_date"})
        .groupby(FUNNEL_KEYS, as_index=False)[["impressions", "clicks"]]
        .sum()
    )

    events = read(
        "select openid, event_name, campaign_id, event_at "
        "from staging.stg_scrm__miniprogram_events "
        "where campaign_id is not null"
    ).merge(campaigns, on="campaign_id")
    events["funnel_date"] = pd.to_datetime(events["event_at"]).dt.date
    users = {
        step: events[events["event_name"] == name]
        .groupby(FUNNEL_KEYS)["openid"]
        .nunique()
        .rename(step)
        for step, name in (("product_viewers", "view"), ("cart_adders", "add_to_cart"))
    }

    credits = _paid_credits(read)
    credits = credits[credits["credit_share"] > 0].rename(columns={"order_date": "funnel_date"})
    payments = read("select order_id from staging.stg_shop__payments where amount_cents > 0")
    credits["paid_order_id"] = credits["order_id"].where(
        credits["order_id"].isin(set(payments["order_id"]))
    )
    orders = credits.groupby(FUNNEL_KEYS).agg(
        orders=("order_id", "nunique"), paid_orders=("paid_order_id", "nunique")
    )

    expected = (
        delivery.set_index(FUNNEL_KEYS)
        .join([users["product_viewers"], users["cart_adders"], orders], how="outer")
        .fillna(0)
        .reset_index()
    )
    actual = _dates(read("select * from marts.fct_funnel_daily"), "funnel_date")
    merged = expected.merge(actual, on=FUNNEL_KEYS, how="outer", suffixes=("_expected", ""))
    assert len(merged) == len(expected) == len(actual)
    for previous, step in zip(STEPS, STEPS[1:], strict=False):
        np.testing.assert_array_equal(merged[step], merged[f"{step}_expected"], err_msg=step)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(
                merged[f"{previous}_expected"] > 0,
                merged[f"{step}_expected"] / merged[f"{previous}_expected"],
                np.nan,
            )
        np.testing.assert_allclose(
            merged[f"{step}_conversion_rate"].astype(float), rate, rtol=1e-12, equal_nan=True
        )
        np.testing.assert_allclose(
            merged[f"{step}_drop_off_rate"].astype(float), 1 - rate, rtol=1e-12, equal_nan=True
        )
    assert merged["product_viewers"].sum() > 0
    assert merged["orders"].sum() > 0


def test_ad_ratios_equal_a_pandas_computation(read) -> None:
    ads = read("select * from marts.fct_ad_performance_daily")
    assert ads["spend_cents"].sum() == _ad_spend(read)["spend_cents"].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        ctr = np.where(ads["impressions"] > 0, ads["clicks"] / ads["impressions"], np.nan)
        cpc = np.where(ads["clicks"] > 0, _whole_fen(ads["spend_cents"] / ads["clicks"]), np.nan)
        cpm = np.where(
            ads["impressions"] > 0,
            _whole_fen(1000 * ads["spend_cents"] / ads["impressions"]),
            np.nan,
        )
    for column, expected in (("ctr", ctr), ("cpc_cents", cpc), ("cpm_cents", cpm)):
        np.testing.assert_allclose(ads[column].astype(float), expected, rtol=1e-12, equal_nan=True)


def _affinity_level(purchases: pd.DataFrame) -> pd.DataFrame:
    """Pairs (A, B) of one level: customers who bought B in a later order within the window of
    their first purchase of A, with support, confidence, lift and the median lag in days."""
    first = purchases.groupby(["customer_key", "item"], as_index=False)["ordered_at"].min()
    joined = first.merge(purchases, on="customer_key", suffixes=("_a", "_b"))
    lag = joined["ordered_at_b"] - joined["ordered_at_a"]
    joined = joined[
        (joined["item_a"] != joined["item_b"])
        & (lag > pd.Timedelta(0))
        & (lag <= pd.Timedelta(days=AFFINITY_DAYS))
    ].assign(lag_days=lag.dt.total_seconds() / 86400)
    per_customer = joined.groupby(["customer_key", "item_a", "item_b"], as_index=False)[
        "lag_days"
    ].min()
    pairs = per_customer.groupby(["item_a", "item_b"], as_index=False).agg(
        pair_customer_count=("customer_key", "size"), median_lag_days=("lag_days", "median")
    )
    buyers = first.groupby("item").size()
    customers = first["customer_key"].nunique()
    pairs["support"] = pairs["pair_customer_count"] / customers
    pairs["confidence"] = pairs["pair_customer_count"] / pairs["item_a"].map(buyers)
    pairs["lift"] = pairs["confidence"] / (pairs["item_b"].map(buyers) / customers)
    return pairs


def test_product_affinity_equals_a_pandas_computation(read) -> None:
    items = read(
        "select items.order_id, items.category, items.product_sku, orders.customer_key, "
        "orders.ordered_at from staging.stg_shop__order_items as items "
        "inner join marts.fct_orders as orders on items.order_id = orders.order_id "
        "where items.quantity > 0 "
        "and orders.is_revenue_order and orders.customer_key is not null"
    )
    actual = read("select * from marts.product_affinity")
    for level, column in (("category", "category"), ("product", "product_sku")):
        purchases = (
            items.dropna(subset=[column])
            .rename(columns={column: "item"})[["customer_key", "item", "ordered_at"]]
            .drop_duplicates()
        )
        expected = _affinity_level(purchases)
        level_actual = actual[actual["affinity_level"] == level]
        merged = expected.merge(
            level_actual, on=["item_a", "item_b"], how="outer", suffixes=("_expected", "")
        )
        assert len(expected) > 10
        assert len(merged) == len(expected) == len(level_actual), level
        for name in ("pair_customer_count", "support", "confidence", "lift", "median_lag_days"):
            np.testing.assert_allclose(
                merged[name].astype(float),
                merged[f"{name}_expected"].astype(float),
                rtol=1e-9,
                err_msg=f"{level} {name}",
            )


def _scipy_readout(n1: int, x1: int, n0: int, x0: int) -> tuple[float, float, float, float]:
    """Difference, 95% Wald interval and pooled two-proportion z-test p-value, with scipy."""
    p1, p0 = x1 / n1, x0 / n0
    difference = p1 - p0
    half_width = stats.norm.ppf(0.975) * np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    pooled = (x1 + x0) / (n1 + n0)
    z = difference / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    return difference, difference - half_width, difference + half_width, 2 * stats.norm.sf(abs(z))


def _check_readout(results: pd.DataFrame) -> int:
    treated = results[~results["is_control"]]
    checked = 0
    for row in treated.itertuples(index=False):
        n1, x1 = int(row.user_count), int(row.converted_user_count)
        n0, x0 = int(row.control_user_count), int(row.control_converted_user_count)
        pooled = (x1 + x0) / (n1 + n0)
        if pooled in (0.0, 1.0):
            assert pd.isna(row.p_value)
            continue
        difference, lower, upper, p_value = _scipy_readout(n1, x1, n0, x0)
        assert row.conversion_rate_difference == pytest.approx(difference, abs=1e-9)
        assert row.p_value == pytest.approx(p_value, abs=1e-6), row.experiment_id
        if 0 < x1 < n1 or 0 < x0 < n0:
            assert row.difference_ci_lower == pytest.approx(lower, abs=1e-6)
            assert row.difference_ci_upper == pytest.approx(upper, abs=1e-6)
        checked += 1
    return checked


def test_ab_readout_equals_scipy_on_the_demo_counts(read) -> None:
    results = read("select * from marts.ab_test_results")
    assert {"wecom:staff_message"} <= set(results["experiment_id"])
    assert _check_readout(results) >= 1


def test_ab_arm_counts_equal_a_pandas_computation(read) -> None:
    exposures = read("select * from intermediate.int_ab_test_exposures")
    orders = read(
        "select customer_key, ordered_at, net_amount_cents from marts.fct_orders "
        "where is_revenue_order and customer_key is not null"
    )
    joined = exposures.merge(orders, on="customer_key", how="left")
    inside = (joined["ordered_at"] > joined["first_exposed_at"]) & (
        joined["ordered_at"] <= joined["first_exposed_at"] + pd.Timedelta(days=AB_DAYS)
    )
    joined["converting_cents"] = joined["net_amount_cents"].where(inside, 0)
    joined["converted"] = inside
    per_user = joined.groupby(["experiment_id", "arm", "customer_key"]).agg(
        converted=("converted", "any"), net_amount_cents=("converting_cents", "sum")
    )
    expected = per_user.groupby(["experiment_id", "arm"]).agg(
        user_count=("converted", "size"),
        converted_user_count=("converted", "sum"),
        net_amount_cents=("net_amount_cents", "sum"),
    )
    actual = read("select * from marts.ab_test_results").set_index(["experiment_id", "arm"])
    actual = actual.loc[expected.index]
    assert len(actual) == len(expected)
    for column in expected.columns:
        np.testing.assert_array_equal(
            actual[column].astype("int64"), expected[column].astype("int64"), err_msg=column
        )


@pytest.fixture(scope="module")
def ab_scratch(
    built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    sql = (
        built_warehouse
        / "target/compiled/customer_value_warehouse/dbt_models/marts/marketing/ab_test_results.sql"
    ).read_text()
    # The compiled SQL names relations "warehouse".<schema>.<table>.
    connection = duckdb.connect(str(tmp_path_factory.mktemp("ab") / "warehouse.duckdb"))
    connection.execute("create schema marts; create schema intermediate")
    yield connection, sql
    connection.close()


def _arm_frames(arms: dict[str, tuple[int, int]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    exposed_at = datetime(2026, 5, 1, 9)
    exposures, orders = [], []
    for arm, (users, converted) in arms.items():
        for index in range(users):
            key = f"{arm}{index}"
            exposures.append(("exp", "message_variant", arm, key, exposed_at))
            if index < converted:
                orders.append((key, exposed_at + timedelta(hours=5), True, 100))
    exposure_frame = pd.DataFrame(
        exposures,
        columns=["experiment_id", "experiment_type", "arm", "customer_key", "first_exposed_at"],
    )
    order_frame = pd.DataFrame(
        orders, columns=["customer_key", "ordered_at", "is_revenue_order", "net_amount_cents"]
    )
    order_frame["order_id"] = [f"o{index}" for index in range(len(order_frame))]
    order_frame["ordered_at"] = pd.to_datetime(order_frame["ordered_at"])
    return exposure_frame, order_frame


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    control=st.integers(1, 400).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
    treated=st.integers(1, 400).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
)
def test_ab_interval_and_p_value_equal_scipy_on_generated_counts(
    control: tuple[int, int],
    treated: tuple[int, int],
    ab_scratch: tuple[duckdb.DuckDBPyConnection, str],
) -> None:
    connection, sql = ab_scratch
    exposure_frame, order_frame = _arm_frames({"A": control, "B": treated})
    connection.register("exposure_frame", exposure_frame)
    connection.register("order_frame", order_frame)
    connection.execute(
        "create or replace table intermediate.int_ab_test_exposures as select * from exposure_frame"
    )
    connection.execute(
        "create or replace table marts.fct_orders as "
        "select order_id, customer_key, ordered_at, is_revenue_order, "
        "cast(net_amount_cents as bigint) as net_amount_cents from order_frame"
    )
    results = connection.sql(sql).df()
    assert sorted(results["arm"]) == ["A", "B"]
    _check_readout(results)
