{#- Recency, frequency and monetary value of every customer with a revenue order up to the as-of
    day, each scored 1-5 by quintile (macros/customer/rfm_scores.sql, shared with the monthly
    CRM snapshots). The orderings are total (ties broken by customer_key):
    - r_score: recency_days descending, so the most recent fifth scores 5;
    - f_score: frequency ascending, so the most frequent fifth scores 5;
    - m_score: monetary_cents ascending, so the highest-spending fifth scores 5.
    ntile puts the remainder rows into the lowest buckets first (sizes differ by at most one). -#}

with

customer_orders as (
    select * from {{ ref('int_customer_orders_aggregated') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

customers_as_of as (
    select
        customer_orders.*,
        as_of.as_of_date
    from customer_orders
    cross join as_of
),

measures as (
    select
        customer_key,
        as_of_date,
        last_order_date,
        {{ dbt.datediff('last_order_date', 'as_of_date', 'day') | trim }} as recency_days,
        order_count as frequency,
        cast(net_revenue_cents as bigint) as monetary_cents
    from customers_as_of
),

scores as (
    select
        *,
        {{ rfm_recency_score() }} as r_score,
        {{ rfm_frequency_score() }} as f_score,
        {{ rfm_monetary_score() }} as m_score
    from measures
),

final as (
    select
        customer_key,
        as_of_date,
        last_order_date,
        recency_days,
        frequency,
        monetary_cents,
        r_score,
        f_score,
        m_score,
        {{ dbt.concat([
            'cast(r_score as ' ~ dbt.type_string() ~ ')',
            'cast(f_score as ' ~ dbt.type_string() ~ ')',
            'cast(m_score as ' ~ dbt.type_string() ~ ')',
        ]) }} as rfm_score
    from scores
)

select * from final
