{#- One row per customer and purchase day, the unit the CLV and churn models count: several
    revenue orders on one day make one purchase day (the BG/NBD convention for frequency), with
    their net amounts summed. A fully refunded order still marks a purchase day, with zero net
    value; the Gamma-Gamma fit leaves such zero-spend repeat buyers out. -#}

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
        coalesce(orders.net_amount_cents, 0) as net_amount_cents,
        coalesce(orders.refund_amount_cents, 0) as refund_amount_cents
    from orders
),

purchase_days as (
    select
        customer_key,
        order_date as purchase_date,
        count(*) as order_count,
        sum(net_amount_cents) as net_amount_cents,
        sum(refund_amount_cents) as refund_amount_cents
    from revenue_orders
    group by customer_key, order_date
),

numbered_days as (
    select
        customer_key,
        purchase_date,
        order_count,
        net_amount_cents,
        refund_amount_cents,
        row_number() over (
            partition by customer_key
            order by purchase_date
        ) as purchase_day_number
    from purchase_days
),

final as (
    select
        numbered_days.customer_key,
        numbered_days.purchase_date,
        numbered_days.purchase_day_number,
        numbered_days.order_count,
        numbered_days.net_amount_cents,
        numbered_days.refund_amount_cents,
        as_of.as_of_date as observation_end_date
    from numbered_days
    cross join as_of
)

select * from final
