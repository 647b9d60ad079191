{#- Refunds on the day they were recorded, with the customer of the refunded order, so the churn
    model sees a refund only from the day it happened (not back-dated to the order). -#}

with

refunds as (
    select * from {{ ref('stg_shop__refunds') }}
),

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

final as (
    select
        refunds.refund_id,
        orders.customer_key,
        refunds.order_id,
        cast(refunds.refunded_at as date) as refund_date,
        refunds.refund_amount_cents
    from refunds
    inner join orders
        on refunds.order_id = orders.order_id
    cross join as_of
    where
        orders.customer_key is not null
        and cast(refunds.refunded_at as date) <= as_of.as_of_date
)

select * from final
