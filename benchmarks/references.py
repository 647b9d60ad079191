"""Two independent computations of customer_rfm and cohort_retention for the benchmark.

Both start from the raw Parquet of orders and refunds and apply the staging rules that decide
which rows reach the RFM and cohort marts: trimmed ids, mixed-format China-time timestamps,
yuan amounts to fen, the order status enum, the identifier and amount checks, and the latest
clean version of a repeated order or refund id. Identity resolution (an iterative graph
computation over all sources, not a one-query job) is taken as given: both read the warehouse's
identifier-to-customer map, ``intermediate.int_customer_identifiers``, and the dbt time they are
compared with excludes the identity models too (see ``RFM_COHORT_MODELS``).
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

# The dbt models on the path from the raw Parquet to the two marts: the staging models that
# int_orders_enriched reads (the references redo their cleaning and deduplication), then the
# order and customer models.
RFM_COHORT_MODELS = (
    "base_shop__orders",
    "base_shop__order_items",
    "base_shop__refunds",
    "base_shop__referral_codes",
    "stg_shop__orders",
    "stg_shop__order_items",
    "stg_shop__refunds",
    "stg_shop__referral_codes",
    "int_orders_enriched",
    "int_as_of_date",
    "int_customer_orders_aggregated",
    "customer_rfm",
    "cohort_retention",
)
RFM_COLUMNS = [
    "customer_key",
    "as_of_date",
    "last_order_date",
    "recency_days",
    "frequency",
    "monetary_cents",
    "r_score",
    "f_score",
    "m_score",
    "rfm_score",
]
COHORT_COLUMNS = [
    "cohort_month",
    "months_since_first",
    "activity_month",
    "cohort_size",
    "active_customers",
    "retention_rate",
]
REVENUE_STATUSES = ("paid", "completed")
# Full-width digits and symbols a phone may be typed with, and their ASCII forms.
WIDE_CHARS = "０１２３４５６７８９＋－（）　"
ASCII_CHARS = "0123456789+-() "
FULL_WIDTH = str.maketrans(WIDE_CHARS, ASCII_CHARS)
MAIN_TIMESTAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
ANY_TIMESTAMP = (
    r"^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?"
    r"([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?$"
)
UTC_OFFSET = r"([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$"
DECIMAL = r"^[+-]?([0-9]+([.][0-9]+)?|[.][0-9]+)$"
PHONE = r"^(?:[+]86|0086|86)?(1[3-9][0-9]{9})$"


def _raw_glob(data_dir: Path, table: str) -> str:
    return str(data_dir / "raw" / "shop" / table / "*" / "*.parquet")


# --- the floor: hand-written DuckDB SQL ----------------------------------------------------------


def _sql_timestamp(column: str) -> str:
    text = f"nullif(trim({column}), '')"
    local = f"translate(regexp_replace({text}, '{UTC_OFFSET}', ''), '/T', '- ')"
    offset = f"nullif(regexp_extract({text}, '{UTC_OFFSET}', 1), '')"
    return f"""case
        when regexp_matches({text}, '{MAIN_TIMESTAMP}') then try_cast({text} as timestamp)
        when regexp_matches({text}, '{ANY_TIMESTAMP}') then
            try_cast(case when {local} like '%:%:%' then {local} else {local} || ':00' end
                as timestamp)
            + to_minutes(case
                when {offset} is null then 0
                when upper({offset}) = 'Z' then 480
                else 480 - (case when {offset} like '-%' then -1 else 1 end) * (
                    cast(substring({offset}, 2, 2) as int) * 60
                    + case when length({offset}) > 3
                        then cast(substring({offset}, length({offset}) - 1, 2) as int) else 0 end)
            end)
    end"""


def _sql_fen(column: str) -> str:
    text = f"nullif(replace(replace(replace(trim({column}), ',', ''), '¥', ''), '￥', ''), '')"
    return (
        f"case when regexp_matches({text}, '{DECIMAL}') "
        f"then cast(round(try_cast({text} as decimal(18, 4)) * 100) as bigint) end"
    )


def floor_sql(data_dir: Path) -> tuple[str, str, str]:
    """The cleaned revenue orders, then RFM and cohorts from them: three hand-written queries."""
    ascii_phone = f"translate(nullif(trim(buyer_phone), ''), '{WIDE_CHARS}', '{ASCII_CHARS}')"
    compact = f"regexp_replace({ascii_phone}, '[ ()-]', '', 'g')"
    phone = f"nullif(regexp_extract({compact}, '{PHONE}', 1), '')"
    orders = f"""
create temp table revenue_orders as
with typed as (
    select
        nullif(trim(order_id), '') as order_id,
        nullif(trim(store_id), '') as store_id,
        nullif(trim(member_id), '') as member_id,
        {phone} as phone,
        nullif(trim(openid), '') as openid,
        nullif(trim(order_time), '') is null as no_order_time,
        nullif(trim(total_amount), '') is null as no_total,
        nullif(trim(updated_at), '') is null as no_updated_at,
        {_sql_timestamp("order_time")} as ordered_at,
        case lower(nullif(trim(order_status), ''))
            when 'paid' then 'paid' when 'completed' then 'completed'
            when 'cancelled' then 'cancelled' when 'canceled' then 'cancelled'
        end as order_status,
        {_sql_fen("total_amount")} as gross,
        case when nullif(trim(discount_amount), '') is null then 0
            else {_sql_fen("discount_amount")} end as discount,
        coalesce(upper(nullif(trim(currency), '')), 'CNY') as currency,
        {_sql_timestamp("updated_at")} as updated_at,
        cast(load_date as date) as load_date,
        _source_file,
        _row_number
    from read_parquet('{_raw_glob(data_dir, "orders")}', hive_partitioning = true)
),
clean_orders as (
    select * from typed
    where order_id is not null and store_id is not null and not no_order_time
        and order_status is not null and not no_total and not no_updated_at
        and ordered_at is not null and gross is not null and discount is not null
        and currency = 'CNY' and updated_at is not null and gross >= 0 and discount >= 0
        and discount <= gross
        and coalesce(member_id, phone, openid) is not null
    qualify row_number() over (partition by order_id order by updated_at desc,
        load_date desc, _source_file desc, _row_number desc) = 1
),
refunds as (
    select
        nullif(trim(refund_id), '') as refund_id,
        nullif(trim(order_id), '') as order_id,
        {_sql_fen("refund_amount")} as amount,
        {_sql_timestamp("refunded_at")} as refunded_at,
        cast(load_date as date) as load_date,
        _source_file,
        _row_number
    from read_parquet('{_raw_glob(data_dir, "refunds")}', hive_partitioning = true)
),
order_refunds as (
    select order_id, sum(amount) as refund_cents
    from (
        select * from refunds
        where refund_id is not null and order_id is not null and amount is not null
            and refunded_at is not null and amount >= 0
        qualify row_number() over (partition by refund_id
            order by load_date desc, _source_file desc, _row_number desc) = 1
    )
    group by order_id
),
as_of as (select max(cast(ordered_at as date)) as as_of_date from clean_orders)
select
    ids.customer_key,
    cast(clean_orders.ordered_at as date) as order_date,
    clean_orders.gross - clean_orders.discount - coalesce(order_refunds.refund_cents, 0)
        as net_cents,
    as_of.as_of_date
from clean_orders
cross join as_of
left join order_refunds on clean_orders.order_id = order_refunds.order_id
left join warehouse.intermediate.int_customer_identifiers as ids
    on ids.node_id = coalesce('member:' || clean_orders.member_id,
        'phone:' || clean_orders.phone, 'openid:' || clean_orders.openid)
where clean_orders.order_status in ('paid', 'completed')
    and cast(clean_orders.ordered_at as date) <= as_of.as_of_date
"""
    rfm = """
with measures as (
    select
        customer_key,
        any_value(as_of_date) as as_of_date,
        max(order_date) as last_order_date,
        date_diff('day', max(order_date), any_value(as_of_date)) as recency_days,
        count(*) as frequency,
        sum(net_cents) as monetary_cents
    from revenue_orders
    group by customer_key
)
select *, concat(r_score, f_score, m_score) as rfm_score
from (
    select
        *,
        ntile(5) over (order by recency_days desc, customer_key) as r_score,
        ntile(5) over (order by frequency, customer_key) as f_score,
        ntile(5) over (order by monetary_cents, customer_key) as m_score
    from measures
)
"""
    cohort = """
with months as (
    select distinct customer_key, date_trunc('month', order_date) as order_month
    from revenue_orders
),
cohorts as (
    select customer_key, min(order_month) as cohort_month from months group by customer_key
),
sizes as (select cohort_month, count(*) as cohort_size from cohorts group by cohort_month),
active as (
    select cohorts.cohort_month,
        date_diff('month', cohorts.cohort_month, months.order_month) as months_since_first,
        count(*) as active_customers
    from months inner join cohorts on months.customer_key = cohorts.customer_key
    group by all
),
last_month as (select date_trunc('month', max(as_of_date)) as month from revenue_orders)
select
    cast(sizes.cohort_month as date) as cohort_month,
    offsets.months_since_first,
    cast(sizes.cohort_month + to_months(offsets.months_since_first) as date) as activity_month,
    sizes.cohort_size,
    coalesce(active.active_customers, 0) as active_customers,
    coalesce(active.active_customers, 0) / sizes.cohort_size as retention_rate
from sizes
cross join last_month
cross join lateral (
    select unnest(range(date_diff('month', sizes.cohort_month, last_month.month) + 1))
        as months_since_first
) as offsets
left join active
    on sizes.cohort_month = active.cohort_month
    and offsets.months_since_first = active.months_since_first
"""
    return orders, rfm, cohort


def run_floor(data_dir: Path, out_dir: Path) -> float:
    """Run the floor queries; write their results; return the seconds of the queries alone."""
    out_dir.mkdir(parents=True, exist_ok=True)
    orders, rfm, cohort = floor_sql(data_dir)
    connection = duckdb.connect()
    connection.execute(f"attach '{data_dir / 'warehouse.duckdb'}' as warehouse (read_only)")
    started = time.perf_counter()
    connection.execute(orders)
    rfm_table = connection.sql(rfm).to_arrow_table()
    cohort_table = connection.sql(cohort).to_arrow_table()
    seconds = time.perf_counter() - started
    import pyarrow.parquet as pq

    pq.write_table(rfm_table, out_dir / "rfm.parquet")
    pq.write_table(cohort_table, out_dir / "cohort.parquet")
    connection.close()
    return seconds


# --- plain pandas ------------------------------------------------------------------------------


def _pd_timestamp(values: pd.Series) -> pd.Series:
    text = values.str.strip().replace("", None)
    main = text.str.match(MAIN_TIMESTAMP, na=False)
    result = pd.to_datetime(text.where(main), format="%Y-%m-%d %H:%M:%S", errors="coerce")
    other = ~main & text.str.match(ANY_TIMESTAMP, na=False)
    if other.any():
        rest = text[other]
        offset = rest.str.extract(UTC_OFFSET)[0]
        local = rest.str.replace(UTC_OFFSET, "", regex=True).str.replace("/", "-")
        local = local.str.replace("T", " ")
        local = local.where(local.str.count(":") >= 2, local + ":00")
        parsed = pd.to_datetime(local, format="mixed", errors="coerce")
        sign = np.where(offset.str.startswith("-", na=False), -1, 1)
        hours = pd.to_numeric(offset.str[1:3], errors="coerce").fillna(0)
        minutes = pd.to_numeric(offset.where(offset.str.len() > 3).str[-2:], errors="coerce")
        shift = 480 - sign * (hours * 60 + minutes.fillna(0))
        shift = shift.where(offset.notna() & (offset.str.upper() != "Z"), 0)
        shift = shift.where(offset.str.upper() != "Z", 480)
        result[other] = parsed + pd.to_timedelta(shift, unit="min")
    return result


def _pd_fen(values: pd.Series) -> pd.Series:
    text = values.str.strip().str.replace(r"[,¥￥]", "", regex=True).replace("", None)
    number = pd.to_numeric(text.where(text.str.match(DECIMAL, na=False)), errors="coerce")
    # Half away from zero, like SQL round on a decimal.
    return np.sign(number) * np.floor(np.abs(number) * 100 + 0.5)


def _pd_clean(values: pd.Series) -> pd.Series:
    return values.str.strip().replace("", None)


def _latest(frame: pd.DataFrame, key: str, order: list[str]) -> pd.DataFrame:
    ordered = frame.sort_values(order, ascending=False, kind="stable")
    return ordered.drop_duplicates(key, keep="first")


def _ntile(frame: pd.DataFrame, column: str, ascending: bool) -> np.ndarray:
    """SQL ntile(5) over (order by column, customer_key): the remainder goes to low buckets."""
    ordered = frame.sort_values([column, "customer_key"], ascending=[ascending, True]).index
    n = len(ordered)
    size, remainder = divmod(n, 5)
    position = np.arange(n)
    boundary = remainder * (size + 1)
    bucket = np.where(
        position < boundary,
        position // (size + 1),
        remainder + (position - boundary) // max(size, 1),
    )
    scores = np.empty(n, dtype=np.int64)
    scores[frame.index.get_indexer(ordered)] = bucket + 1
    return scores


def pandas_results(data_dir: Path, identifiers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = pd.read_parquet(data_dir / "raw" / "shop" / "orders")
    orders = pd.DataFrame(
        {
            "order_id": _pd_clean(raw["order_id"]),
            "store_id": _pd_clean(raw["store_id"]),
            "member_id": _pd_clean(raw["member_id"]),
            "phone": _pd_clean(raw["buyer_phone"])
            .str.translate(FULL_WIDTH)
            .str.replace(r"[ ()-]", "", regex=True)
            .str.extract(PHONE, expand=False),
            "openid": _pd_clean(raw["openid"]),
            "ordered_at": _pd_timestamp(raw["order_time"]),
            "status": _pd_clean(raw["order_status"]).str.lower().replace("canceled", "cancelled"),
            "gross": _pd_fen(raw["total_amount"]),
            "discount": _pd_fen(raw["discount_amount"]).where(
                _pd_clean(raw["discount_amount"]).notna(), 0
            ),
            "currency": _pd_clean(raw["currency"]).str.upper().fillna("CNY"),
            "updated_at": _pd_timestamp(raw["updated_at"]),
            "load_date": raw["load_date"].astype(str),
            "source_file": raw["_source_file"],
            "row_number": raw["_row_number"],
        }
    )
    valid = (
        orders[["order_id", "store_id", "ordered_at", "gross", "discount", "updated_at"]]
        .notna()
        .all(axis=1)
        & orders["status"].isin(["paid", "completed", "cancelled"])
        & (orders["currency"] == "CNY")
        & (orders["gross"] >= 0)
        & (orders["discount"] >= 0)
        & (orders["discount"] <= orders["gross"])
        & orders[["member_id", "phone", "openid"]].notna().any(axis=1)
    )
    orders = _latest(
        orders[valid], "order_id", ["updated_at", "load_date", "source_file", "row_number"]
    )

    raw_refunds = pd.read_parquet(data_dir / "raw" / "shop" / "refunds")
    refunds = pd.DataFrame(
        {
            "refund_id": _pd_clean(raw_refunds["refund_id"]),
            "order_id": _pd_clean(raw_refunds["order_id"]),
            "amount": _pd_fen(raw_refunds["refund_amount"]),
            "refunded_at": _pd_timestamp(raw_refunds["refunded_at"]),
            "load_date": raw_refunds["load_date"].astype(str),
            "source_file": raw_refunds["_source_file"],
            "row_number": raw_refunds["_row_number"],
        }
    )
    refunds = refunds[refunds.notna().all(axis=1) & (refunds["amount"] >= 0)]
    refunds = _latest(refunds, "refund_id", ["load_date", "source_file", "row_number"])
    refund_cents = refunds.groupby("order_id")["amount"].sum()

    orders["order_date"] = orders["ordered_at"].dt.normalize()
    as_of = orders["order_date"].max()
    node = ("member:" + orders["member_id"]).fillna("phone:" + orders["phone"])
    orders["node_id"] = node.fillna("openid:" + orders["openid"])
    orders = orders.merge(identifiers, on="node_id", how="left")
    orders["net"] = (
        orders["gross"] - orders["discount"] - orders["order_id"].map(refund_cents).fillna(0)
    )
    revenue = orders[orders["status"].isin(REVENUE_STATUSES) & (orders["order_date"] <= as_of)]

    rfm = revenue.groupby("customer_key").agg(
        last_order_date=("order_date", "max"),
        frequency=("order_id", "size"),
        monetary_cents=("net", "sum"),
    )
    rfm = rfm.reset_index()
    rfm["as_of_date"] = as_of
    rfm["recency_days"] = (as_of - rfm["last_order_date"]).dt.days
    rfm["r_score"] = _ntile(rfm, "recency_days", ascending=False)
    rfm["f_score"] = _ntile(rfm, "frequency", ascending=True)
    rfm["m_score"] = _ntile(rfm, "monetary_cents", ascending=True)
    rfm["rfm_score"] = (
        rfm["r_score"].astype(str) + rfm["f_score"].astype(str) + rfm["m_score"].astype(str)
    )

    month = revenue["order_date"].dt.year * 12 + revenue["order_date"].dt.month - 1
    months = pd.DataFrame({"customer_key": revenue["customer_key"], "month": month})
    months = months.drop_duplicates()
    months["cohort"] = months.groupby("customer_key")["month"].transform("min")
    months["offset"] = months["month"] - months["cohort"]
    active = months.groupby(["cohort", "offset"]).size().rename("active_customers")
    sizes = months.drop_duplicates("customer_key")["cohort"].value_counts().sort_index()
    last = as_of.year * 12 + as_of.month - 1
    spans = last - sizes.index.to_numpy() + 1
    cohort_number = np.repeat(sizes.index.to_numpy(), spans)
    offset = np.concatenate([np.arange(span) for span in spans])
    cohort = pd.DataFrame({"cohort": cohort_number, "offset": offset})
    cohort["cohort_size"] = cohort["cohort"].map(sizes)
    cohort = cohort.join(active, on=["cohort", "offset"])
    cohort["active_customers"] = cohort["active_customers"].fillna(0)
    cohort["retention_rate"] = cohort["active_customers"] / cohort["cohort_size"]
    cohort["cohort_month"] = _month_start(cohort["cohort"])
    cohort["months_since_first"] = cohort["offset"]
    cohort["activity_month"] = _month_start(cohort["cohort"] + cohort["offset"])
    return rfm[RFM_COLUMNS], cohort[COHORT_COLUMNS]


def _month_start(number: pd.Series) -> pd.Series:
    return pd.to_datetime(pd.DataFrame({"year": number // 12, "month": number % 12 + 1, "day": 1}))


def run_pandas(data_dir: Path, out_dir: Path) -> float:
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        identifiers = connection.sql(
            "select node_id, customer_key from intermediate.int_customer_identifiers"
        ).df()
    started = time.perf_counter()
    rfm, cohort = pandas_results(data_dir, identifiers)
    seconds = time.perf_counter() - started
    rfm.to_parquet(out_dir / "rfm.parquet")
    cohort.to_parquet(out_dir / "cohort.parquet")
    return seconds


# --- equality ----------------------------------------------------------------------------------


def _normalised(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if column.endswith(("_date", "_month")) and column != "months_since_first":
            frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
        elif column in ("rfm_score", "customer_key"):
            frame[column] = frame[column].astype(str)
        elif column == "retention_rate":
            frame[column] = frame[column].astype(float)
        else:
            frame[column] = frame[column].astype("int64")
    return frame.sort_values(keys).reset_index(drop=True)


def _equal(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    if left.shape != right.shape or list(left.columns) != list(right.columns):
        return False
    for column in left.columns:
        if column == "retention_rate":
            if not np.allclose(left[column], right[column], rtol=0, atol=1e-12):
                return False
        elif not (left[column].to_numpy() == right[column].to_numpy()).all():
            return False
    return True


def compare_results(data_dir: Path, work: Path) -> dict[str, bool]:
    """Whether the floor and pandas results equal the marts, per mart and reference."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        ours = {
            "rfm": connection.sql(f"select {', '.join(RFM_COLUMNS)} from marts.customer_rfm").df(),
            "cohort": connection.sql(
                f"select {', '.join(COHORT_COLUMNS)} from marts.cohort_retention"
            ).df(),
        }
    keys = {"rfm": ["customer_key"], "cohort": ["cohort_month", "months_since_first"]}
    equal = {}
    for reference in ("floor", "pandas"):
        for mart, columns in (("rfm", RFM_COLUMNS), ("cohort", COHORT_COLUMNS)):
            theirs = pd.read_parquet(work / reference / f"{mart}.parquet")[columns]
            equal[f"{reference} = ours, {mart}"] = _equal(
                _normalised(ours[mart], keys[mart]), _normalised(theirs, keys[mart])
            )
    return equal
