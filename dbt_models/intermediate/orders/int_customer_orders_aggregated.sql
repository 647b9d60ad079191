{#- Revenue orders per customer up to the as-of day: the shared base of the customer marts.
    Revenue orders are paid or completed ones (cancelled orders are excluded); refunds are netted
    from the order they refund, whenever they happened. -#}

with

revenue_orders as (
    select * from {{ ref('int_revenue_orders') }}
),

final as (
    select
        customer_key,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as order_count,
        sum(order_amount_cents) as gross_revenue_cents,
        sum(refund_amount_cents) as refund_amount_cents,
        sum(net_amount_cents) as net_revenue_cents,
        sum(item_count) as item_count
    from revenue_orders
    group by customer_key
)

select * from final
