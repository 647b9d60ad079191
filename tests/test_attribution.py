"""Multi-touch attribution credits equal a pure-Python reference of the allocation rules.

The hand-worked journeys live as dbt unit tests in
``dbt_models/marts/marketing/_marketing__models.yml`` and
``dbt_models/intermediate/marketing/_marketing__models.yml``. Here hypothesis generates random
customers, touches and orders; the compiled SQL of ``int_attribution_touch_weights`` and
``fct_attribution`` (from the ``built_warehouse`` build with the vars of dbt_project.yml, which
``reference.attribution`` reads too: lookback and half-life) runs on them in a scratch DuckDB,
and every model's credits are checked against that reference and against the order's net
revenue, to the fen.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference.attribution import (
    HALF_LIFE_MINUTES,
    LOOKBACK_MINUTES,
    MODELS,
    Order,
    Touch,
    allocate,
    journey,
    shares,
)

START = datetime(2026, 1, 1)
# Models whose shares are rational: the SQL must match the reference to the fen.
EXACT_MODELS = tuple(model for model in MODELS if model != "time_decay")
COMPILED = Path("target/compiled/customer_value_warehouse/dbt_models")


def test_reference_allocation_matches_a_hand_worked_journey() -> None:
    # 1000 fen over touches two half-lives, one and none old: decay weights 1/4, 1/2, 1 of 7/4.
    steps = [
        ("a", "paid_ad", 2 * HALF_LIFE_MINUTES),
        ("b", "private_domain", HALF_LIFE_MINUTES),
        ("c", "direct", 0),
    ]
    assert allocate(1000, shares("time_decay", steps)) == [142, 286, 572]
    assert allocate(1000, shares("linear", steps)) == [333, 333, 334]
    assert allocate(1000, shares("position_based", steps)) == [400, 200, 400]
    assert allocate(1000, shares("last_non_direct", steps)) == [0, 1000, 0]


@pytest.fixture(scope="module")
def attribution_sql(built_warehouse: Path) -> tuple[str, str]:
    compiled = built_warehouse / COMPILED
    return (
        (compiled / "intermediate/marketing/int_attribution_touch_weights.sql").read_text(),
        (compiled / "marts/marketing/fct_attribution.sql").read_text(),
    )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    # The compiled SQL names relations "warehouse".<schema>.<table>: the file name must match.
    connection = duckdb.connect(str(tmp_path_factory.mktemp("attribution") / "warehouse.duckdb"))
    connection.execute("create schema marts; create schema intermediate")
    yield connection
    connection.close()


def run_attribution(
    connection: duckdb.DuckDBPyConnection,
    sql: tuple[str, str],
    orders: list[Order],
    touches: list[Touch],
) -> pd.DataFrame:
    order_frame = pd.DataFrame(
        {
            "order_id": [order.order_id for order in orders],
            "customer_key": [f"c{order.customer}" for order in orders],
            "ordered_at": [START + timedelta(minutes=order.minute) for order in orders],
            "is_revenue_order": [order.is_revenue for order in orders],
            "net_amount_cents": pd.array([order.net_cents for order in orders], dtype="int64"),
        }
    )
    order_frame["order_date"] = order_frame["ordered_at"].dt.date
    # the export day the order last changed: carried through to the credits, not used by them
    order_frame["_last_load_date"] = START.date()
    touch_frame = pd.DataFrame(
        {
            "touchpoint_id": [touch.touchpoint_id for touch in touches],
            "customer_key": [f"c{touch.customer}" for touch in touches],
            "touched_at": [START + timedelta(minutes=touch.minute) for touch in touches],
            "touch_type": [touch.touch_type for touch in touches],
            "touch_source": ["generated"] * len(touches),
            "platform": ["generated"] * len(touches),
            "campaign_id": [None] * len(touches),
        },
        columns=[
            "touchpoint_id",
            "customer_key",
            "touched_at",
            "touch_type",
            "touch_source",
            "platform",
            "campaign_id",
        ],
    )
    touch_frame["touched_at"] = pd.to_datetime(touch_frame["touched_at"])
    connection.register("order_frame", order_frame)
    connection.register("touch_frame", touch_frame)
    connection.execute(
        "create or replace table intermediate.int_orders_enriched as select * from order_frame"
    )
    connection.execute(
        "create or replace table intermediate.int_marketing_touchpoints as "
        "select * exclude (campaign_id), cast(campaign_id as varchar) as campaign_id "
        "from touch_frame"
    )
    weights_sql, credits_sql = sql
    connection.execute(
        f"create or replace table intermediate.int_attribution_touch_weights as {weights_sql}"
    )
    return connection.sql(credits_sql).df()


touch_types = st.sampled_from(["paid_ad", "private_domain", "direct"])


@st.composite
def journeys(draw: st.DrawFn) -> tuple[list[Order], list[Touch]]:
    span = 70 * 1440
    touches = [
        Touch(f"t{index:03d}", draw(st.integers(0, 2)), draw(st.integers(0, span)), kind)
        for index, kind in enumerate(draw(st.lists(touch_types, max_size=14)))
    ]
    # Some orders sit exactly on a touch or exactly at the lookback edge of one.
    anchors = [touch.minute for touch in touches] + [
        touch.minute + LOOKBACK_MINUTES for touch in touches
    ]
    minute = st.integers(0, span) | (st.sampled_from(anchors) if anchors else st.integers(0, span))
    count = draw(st.integers(1, 6))
    orders = [
        Order(
            f"o{index}",
            draw(st.integers(0, 2)),
            draw(minute),
            draw(st.integers(0, 5_000_000)),
            draw(st.booleans()) or index == 0,
        )
        for index in range(count)
    ]
    return orders, touches


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=journeys())
def test_every_model_credits_add_up_to_net_revenue_and_follow_the_rules(
    data: tuple[list[Order], list[Touch]],
    scratch: duckdb.DuckDBPyConnection,
    attribution_sql: tuple[str, str],
) -> None:
    orders, touches = data
    result = run_attribution(scratch, attribution_sql, orders, touches)
    revenue_orders = [order for order in orders if order.is_revenue]
    assert set(result["order_id"]) == {order.order_id for order in revenue_orders}
    for order in revenue_orders:
        steps = journey(order, touches)
        for model in MODELS:
            rows = result[
                (result["order_id"] == order.order_id) & (result["attribution_model"] == model)
            ].sort_values("touch_position")
            assert list(rows["touchpoint_id"]) == [step[0] for step in steps]
            assert int(rows["credit_cents"].sum()) == order.net_cents, (order.order_id, model)
            expected_shares = shares(model, steps)
            assert rows["credit_share"].tolist() == pytest.approx(
                [float(share) for share in expected_shares], abs=1e-9
            )
            expected = allocate(order.net_cents, expected_shares)
            actual = [int(credit) for credit in rows["credit_cents"]]
            if model in EXACT_MODELS:
                assert actual == expected, (order.order_id, model)
            else:
                # float weights: a running credit may sit on the other side of a whole fen
                assert all(abs(a - e) <= 1 for a, e in zip(actual, expected, strict=True))


def test_demo_warehouse_credits_add_up_to_each_orders_net_revenue(built_warehouse: Path) -> None:
    connection = duckdb.connect(str(built_warehouse / "warehouse.duckdb"), read_only=True)
    try:
        credits = connection.sql(
            "select order_id, attribution_model, credit_cents from marts.fct_attribution"
        ).df()
        orders = connection.sql(
            "select order_id, net_amount_cents from marts.fct_orders "
            "where is_revenue_order and customer_key is not null"
        ).df()
    finally:
        connection.close()
    totals = credits.groupby(["order_id", "attribution_model"])["credit_cents"].sum().unstack()
    assert sorted(totals.columns) == sorted(MODELS)
    net = orders.set_index("order_id")["net_amount_cents"].reindex(totals.index)
    assert len(totals) == len(orders)
    for model in MODELS:
        assert (totals[model].astype("int64") == net.astype("int64")).all(), model
