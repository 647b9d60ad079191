"""Activation audiences respect consent, and no mart exposes a raw customer identifier.

Both run on the generated demo warehouse of the session fixture. Consent is recomputed from the
WeCom contacts in staging (latest state per contact, any consent, no opt-out on any contact), not
read from the models under test. Messages count leaks and never print identifier values.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

IDENTIFIER_COLUMNS = {
    "stg_shop__members": ["phone", "email", "unionid", "openid"],
    "stg_shop__orders": ["phone", "openid"],
    "stg_scrm__wecom_contacts": ["external_userid", "unionid", "phone"],
    "stg_scrm__miniprogram_events": ["openid", "unionid"],
    "stg_ads__ad_clicks": ["openid"],
}


@pytest.fixture(scope="module")
def connection(built_warehouse: Path):
    connection = duckdb.connect(str(built_warehouse / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


def _consenting_customers(connection: duckdb.DuckDBPyConnection) -> set[str]:
    contacts = connection.sql(
        "select external_userid, has_marketing_consent, has_opted_out, updated_at "
        "from staging.stg_scrm__wecom_contacts"
    ).df()
    identifiers = connection.sql(
        "select identifier_value, customer_key from intermediate.int_customer_identifiers "
        "where identifier_type = 'wecom'"
    ).df()
    latest = contacts.sort_values("updated_at").groupby("external_userid").tail(1)
    states = latest.merge(identifiers, left_on="external_userid", right_on="identifier_value")
    per_customer = states.groupby("customer_key").agg(
        consent=("has_marketing_consent", "any"), opted_out=("has_opted_out", "any")
    )
    return set(per_customer.index[per_customer["consent"] & ~per_customer["opted_out"]])


def test_every_audience_member_consents_and_never_opted_out(connection) -> None:
    audiences = connection.sql("select customer_key, play from marts.activation_audiences").df()
    assert len(audiences) > 0
    outside = set(audiences["customer_key"]) - _consenting_customers(connection)
    assert len(outside) == 0, f"{len(outside)} audience customers lack consent or opted out"


def test_segment_plays_hold_exactly_the_consenting_customers_of_their_segment(
    connection,
) -> None:
    segments = connection.sql("select customer_key, plan_segment from marts.customer_segments")
    audiences = connection.sql("select customer_key, play from marts.activation_audiences").df()
    segments = segments.df().set_index("customer_key")["plan_segment"]
    consenting = _consenting_customers(connection)
    plays = {"dormant": "wake_up_offer", "potential": "scenario_recommendation"}
    plays["new"] = "first_order_care"
    for segment, play in plays.items():
        expected = set(segments.index[segments == segment]) & consenting
        actual = set(audiences.loc[audiences["play"] == play, "customer_key"])
        assert actual == expected, play


def _raw_identifiers(connection: duckdb.DuckDBPyConnection) -> set[str]:
    values: set[str] = set()
    for model, columns in IDENTIFIER_COLUMNS.items():
        for column in columns:
            rows = connection.sql(
                f"select distinct trim(cast({column} as varchar)) from staging.{model} "
                f"where {column} is not null"
            ).fetchall()
            values.update(value for (value,) in rows if value)
    return values


def _cell_tokens(series: pd.Series) -> set[str]:
    text = series.dropna().astype(str)
    tokens = set(text)
    for separator in ("|", ";", "=", ":", ","):
        tokens.update(
            token.strip() for cell in text if separator in cell for token in cell.split(separator)
        )
    return tokens


def test_no_mart_column_holds_a_raw_phone_email_unionid_or_openid(connection) -> None:
    identifiers = _raw_identifiers(connection)
    assert len(identifiers) > 100
    marts = [
        name
        for (name,) in connection.sql(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    ]
    assert {"dim_customers", "customer_segments", "activation_audiences"} <= set(marts)
    leaks = []
    for mart in marts:
        frame = connection.sql(f"select * from marts.{mart}").df()
        for column in frame.columns:
            if frame[column].dtype.kind in "biufcmM":
                continue
            if _cell_tokens(frame[column]) & identifiers:
                leaks.append(f"{mart}.{column}")
    assert leaks == []
