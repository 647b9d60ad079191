{#- Membership tier of every buyer on every day it can change: each revenue order day (spend
    enters the rolling window) and the day twelve months after each order (its spend leaves the
    window), up to the as-of day. Rolling 12-month net spend on day d sums the net amounts of
    revenue orders placed after d minus 12 months and on or before d. Silver from the first
    order, gold and platinum at the spend thresholds of the vars; a tier drops as soon as the
    rolling spend falls below its threshold. Net amounts are as known now (a refund lowers the
    spend of the order it refunds). -#}

with

orders as (
    select * from {{ ref('int_revenue_orders') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

revenue_orders as (
    select
        orders.customer_key,
        orders.order_date,
        orders.net_amount_cents
    from orders
),

candidate_dates as (
    select
        customer_key,
        order_date as evaluation_date
    from revenue_orders
    union
    select
        customer_key,
        cast({{ dbt.dateadd('month', 12, 'order_date') }} as date) as evaluation_date
    from revenue_orders
),

evaluation_dates as (
    select candidate_dates.*
    from candidate_dates
    cross join as_of
    where candidate_dates.evaluation_date <= as_of.as_of_date
),

rolling_spend as (
    select
        evaluation_dates.customer_key,
        evaluation_dates.evaluation_date,
        coalesce(sum(revenue_orders.net_amount_cents), 0) as rolling_12m_net_cents
    from evaluation_dates
    left join revenue_orders
        on
            evaluation_dates.customer_key = revenue_orders.customer_key
            and evaluation_dates.evaluation_date >= revenue_orders.order_date
            and revenue_orders.order_date
            > cast({{ dbt.dateadd('month', -12, 'evaluation_dates.evaluation_date') }} as date)
    group by evaluation_dates.customer_key, evaluation_dates.evaluation_date
),

final as (
    select
        customer_key,
        evaluation_date,
        rolling_12m_net_cents,
        {{ crm_membership_tier('rolling_12m_net_cents') }} as membership_tier
    from rolling_spend
)

select * from final
