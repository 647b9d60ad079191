"""Identity resolution on hand-built landing files: chains, conflicts, stable keys, merges.

Small landing CSVs go through the real loader and the identity models (``dbt build`` of
``+identity_resolution_stats``, models and seeds only) in a temporary folder. Expected customers
and keys are worked out by hand: a customer_key is the md5 of its component's anchor, the
minimum node under the type ranking member < phone < unionid < email < openid < wecom < click.
The identifiers are made up; assertion messages name customers only by their keys.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from warehouse_helpers import dbt_build

from dagster_project.lib.landing import load_all

# Made-up mainland mobile numbers, unionids and openids for the fixtures.
P1, P2, P3 = "13900000001", "13900000002", "13900000003"

HEADERS = {
    ("shop", "members"): "member_id,phone,email,unionid,openid,registered_at,home_store_id",
    ("shop", "orders"): (
        "order_id,store_id,member_id,buyer_phone,openid,order_time,order_status,total_amount,"
        "discount_amount,referral_code,currency,updated_at"
    ),
    ("scrm", "wecom_contacts"): (
        "external_userid,unionid,nickname,phone,tags,owner_userid,add_time,marketing_consent,"
        "opt_out,updated_at"
    ),
    ("scrm", "miniprogram_events"): (
        "event_id,openid,unionid,event_name,page,product_sku,campaign_id,event_time"
    ),
    ("ads", "ad_clicks"): "click_id,platform,campaign_id,ad_id,click_time,openid",
}

# Day one: a member with a unionid, an openid and a click on that openid (one customer); an
# order joining member M2 to phone P2 and a WeCom contact joining P2 to unionid U2 (the chain
# M2-P2, P2-U2 is one customer); one phone P3 on two unionids (a conflict, merged into one
# customer); an openid seen alone (its own customer).
DAY_ONE = {
    ("shop", "members"): [f"M1,{P1},,U1,O1,2026-10-01 09:00:00,ST001"],
    ("shop", "orders"): [
        f"SO1,ST001,M2,{P2},,2026-10-01 10:00:00,paid,100.00,0.00,,CNY,2026-10-01 10:05:00"
    ],
    ("scrm", "wecom_contacts"): [
        f"W2,U2,nick,{P2},,staff1,1790820000,1,0,1790820000",
        f"W3a,U3a,nick,{P3},,staff1,1790820000,1,0,1790820000",
        f"W3b,U3b,nick,{P3},,staff1,1790820000,1,0,1790820000",
    ],
    ("scrm", "miniprogram_events"): ["E1,O9,,page_view,/pages/index/index,,,1790820000000"],
    ("ads", "ad_clicks"): ["C1,ocean_engine,CP1,AD1,2026-10-01 08:00:00,O1"],
}

# Day two: the lone openid O9 shows up with unionid U1 (it joins the M1 customer, whose anchor
# stays member:M1), and member M3 registers with phone P3 (the conflict customer gains a member,
# which becomes its anchor, so its key moves to md5('member:M3')).
DAY_TWO = {
    ("shop", "members"): [f"M3,{P3},,,,2026-10-02 09:00:00,ST001"],
    ("scrm", "miniprogram_events"): ["E2,O9,U1,page_view,/pages/index/index,,,1790906400000"],
}


def _key(anchor: str) -> str:
    return hashlib.md5(anchor.encode()).hexdigest()


def _write_day(landing: Path, day: str, rows: dict[tuple[str, str], list[str]]) -> None:
    for (family, table), header in HEADERS.items():
        folder = landing / family / table
        folder.mkdir(parents=True, exist_ok=True)
        lines = [header, *rows.get((family, table), [])]
        (folder / f"{table}_{day}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _build_identity(data_dir: Path) -> None:
    load_all(data_dir / "landing", data_dir / "raw")
    dbt_build(
        data_dir,
        "--select",
        "+identity_resolution_stats",
        "--resource-type",
        "model",
        "--resource-type",
        "seed",
    )


def _read(data_dir: Path) -> tuple[dict[str, str], dict[str, int]]:
    """Node to customer_key map and the identity_resolution_stats row."""
    connection = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        nodes = dict(
            connection.sql(
                "select node_id, customer_key from intermediate.int_identity_components"
            ).fetchall()
        )
        stats = connection.sql("select * from marts.identity_resolution_stats").df()
    finally:
        connection.close()
    return nodes, {column: int(value) for column, value in stats.iloc[0].items()}


@pytest.fixture(scope="module")
def identity_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    data_dir = tmp_path_factory.mktemp("identity")
    _write_day(data_dir / "landing", "2026-10-01", DAY_ONE)
    _build_identity(data_dir)
    first = _read(data_dir)
    _build_identity(data_dir)
    rerun = _read(data_dir)
    _write_day(data_dir / "landing", "2026-10-02", DAY_TWO)
    _build_identity(data_dir)
    return {"first": first, "rerun": rerun, "merged": _read(data_dir)}


def test_a_chain_of_pairs_resolves_to_one_customer_keyed_by_its_member(identity_runs) -> None:
    nodes, _ = identity_runs["first"]
    chain = ["member:M2", f"phone:{P2}", "wecom:W2", "unionid:U2"]
    assert {nodes[node] for node in chain} == {_key("member:M2")}
    star = ["member:M1", f"phone:{P1}", "unionid:U1", "openid:O1", "click:C1"]
    assert {nodes[node] for node in star} == {_key("member:M1")}


def test_one_phone_on_two_unionids_merges_them_and_is_reported_as_a_conflict(
    identity_runs,
) -> None:
    nodes, stats = identity_runs["first"]
    conflict = [f"phone:{P3}", "unionid:U3a", "unionid:U3b", "wecom:W3a", "wecom:W3b"]
    assert {nodes[node] for node in conflict} == {_key(f"phone:{P3}")}
    assert stats["phone_on_several_unionids_count"] == 1
    assert stats["unionid_on_several_phones_count"] == 0


def test_the_stats_count_customers_merges_and_sources_as_worked_out_by_hand(
    identity_runs,
) -> None:
    nodes, stats = identity_runs["first"]
    assert len(nodes) == 15
    assert stats["customer_count"] == 4
    assert stats["identifier_count"] == 15
    assert stats["single_identifier_customer_count"] == 1
    assert stats["multi_identifier_customer_count"] == 3
    # M1 (members + ads) and M2 (orders + WeCom); the P3 customer is seen in WeCom only.
    assert stats["multi_source_customer_count"] == 2
    assert stats["largest_customer_identifier_count"] == 5


def test_a_rebuild_of_the_same_data_keeps_every_key(identity_runs) -> None:
    assert identity_runs["rerun"][0] == identity_runs["first"][0]


def test_new_data_merges_components_into_the_smallest_anchor(identity_runs) -> None:
    before, _ = identity_runs["first"]
    after, stats = identity_runs["merged"]
    # O9 joins M1's customer and M1's key survives; O9's own key disappears.
    assert after["openid:O9"] == _key("member:M1") == before["member:M1"]
    assert _key("openid:O9") not in set(after.values())
    # The conflict customer gains member M3, its new anchor.
    assert after[f"phone:{P3}"] == _key("member:M3")
    # Untouched customers keep their keys.
    assert after["member:M2"] == before["member:M2"]
    assert stats["customer_count"] == 3
    assert stats["identifier_count"] == 16
