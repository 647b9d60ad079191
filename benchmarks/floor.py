"""The floor: customer_rfm and cohort_retention in hand-written DuckDB SQL on the raw Parquet.

The queries apply the staging rules that decide which rows reach the two marts: trimmed ids,
mixed-format China-time timestamps, yuan amounts to fen, the order status enum, the identifier
and amount checks, and the latest clean version of a repeated order or refund id. Identity
resolution (an iterative graph computation over all sources, not a one-query job) is taken as
given: the queries read the warehouse's identifier-to-customer map,
``intermediate.int_customer_identifiers``. The text formats and the revenue statuses are the
reference package's (the staging contract and the dbt vars), so both references read the same
rules; the SQL itself is written independently of the pandas reference.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from tests.reference.project_vars import configured_as_of, revenue_statuses
from tests.reference.staging import (
    ANY_TIMESTAMP,
    ASCII_CHARS,
    CHINA_OFFSET_MINUTES,
    DECIMAL,
    MAIN_TIMESTAMP,
    PHONE,
    UTC_OFFSET,
    WIDE_CHARS,
)


def _raw_glob(data_dir: Path, table: str) -> str:
    return str(data_dir / "raw" / "shop" / table / "*" / "*.parquet")


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
                when upper({offset}) = 'Z' then {CHINA_OFFSET_MINUTES}
                else {CHINA_OFFSET_MINUTES} - (case when {offset} like '-%' then -1 else 1 end) * (
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
    statuses = ", ".join(f"'{status}'" for status in revenue_statuses())
    # The as_of_date var when set, else the latest order day, as int_as_of_date decides.
    configured = configured_as_of()
    as_of = (
        f"select date '{configured}' as as_of_date"
        if configured
        else "select max(cast(ordered_at as date)) as as_of_date from clean_orders"
    )
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
as_of as ({as_of})
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
where clean_orders.order_status in ({statuses})
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
    pq.write_table(rfm_table, out_dir / "rfm.parquet")
    pq.write_table(cohort_table, out_dir / "cohort.parquet")
    connection.close()
    return seconds
