{#- Clean orders with their customer (resolved in intermediate/identity), refunds, units and
    referral, before any mart-specific shaping; _last_load_date is the latest export day of the
    order's header, lines and refunds (what an incremental reader compares with its window). -#}

with

orders as (
    select * from {{ ref('int_orders_resolved') }}
),

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

refunds as (
    select * from {{ ref('stg_shop__refunds') }}
),

referral_codes as (
    select * from {{ ref('int_referral_codes_resolved') }}
),

order_units as (
    select
        order_id,
        count(*) as line_count,
        sum(quantity) as item_count,
        max(_load_date) as last_load_date
    from order_items
    group by order_id
),

order_refunds as (
    select
        order_id,
        count(*) as refund_count,
        sum(refund_amount_cents) as refund_amount_cents,
        max(_load_date) as last_load_date
    from refunds
    group by order_id
),

referrers as (
    select
        referral_code,
        customer_key as referrer_customer_key
    from referral_codes
),

final as (
    select
        orders.order_id,
        orders.customer_key,
        orders.store_id,
        orders.ordered_at,
        orders.order_date,
        orders.order_status,
        {{ is_revenue_status('orders.order_status') }} as is_revenue_order,
        orders.gross_amount_cents,
        orders.discount_amount_cents,
        orders.order_amount_cents,
        coalesce(order_refunds.refund_count, 0) as refund_count,
        coalesce(order_refunds.refund_amount_cents, 0) as refund_amount_cents,
        orders.order_amount_cents - coalesce(order_refunds.refund_amount_cents, 0) as net_amount_cents,
        coalesce(order_units.line_count, 0) as line_count,
        coalesce(order_units.item_count, 0) as item_count,
        orders.referral_code,
        referrers.referral_code is not null as is_referral_order,
        referrers.referrer_customer_key,
        greatest(
            orders._load_date,
            coalesce(order_units.last_load_date, orders._load_date),
            coalesce(order_refunds.last_load_date, orders._load_date)
        ) as _last_load_date
    from orders
    left join order_units
        on orders.order_id = order_units.order_id
    left join order_refunds
        on orders.order_id = order_refunds.order_id
    left join referrers
        on orders.referral_code = referrers.referral_code
)

select * from final
