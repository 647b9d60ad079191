{#- Clean orders with their customer, refunds, units and referral, before any mart-specific
    shaping. The customer is found through whichever identifier the order carries: all of them
    are joined by the order's own identity edges, so any one gives the same customer_key. -#}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

refunds as (
    select * from {{ ref('stg_shop__refunds') }}
),

referral_codes as (
    select * from {{ ref('stg_shop__referral_codes') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

order_nodes as (
    select
        order_id,
        coalesce(
            {{ identity_node('member', 'member_id') }},
            {{ identity_node('phone', 'phone') }},
            {{ identity_node('openid', 'openid') }}
        ) as customer_node
    from orders
),

order_customers as (
    select
        order_nodes.order_id,
        customer_identifiers.customer_key
    from order_nodes
    left join customer_identifiers
        on order_nodes.customer_node = customer_identifiers.node_id
),

order_units as (
    select
        order_id,
        count(*) as line_count,
        sum(quantity) as item_count
    from order_items
    group by order_id
),

order_refunds as (
    select
        order_id,
        count(*) as refund_count,
        sum(refund_amount_cents) as refund_amount_cents
    from refunds
    group by order_id
),

referrers as (
    select
        referral_codes.referral_code,
        customer_identifiers.customer_key as referrer_customer_key
    from referral_codes
    left join customer_identifiers
        on
            {{ identity_node('member', 'referral_codes.referrer_member_id') }}
            = customer_identifiers.node_id
),

final as (
    select
        orders.order_id,
        order_customers.customer_key,
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
        referrers.referrer_customer_key
    from orders
    left join order_customers
        on orders.order_id = order_customers.order_id
    left join order_units
        on orders.order_id = order_units.order_id
    left join order_refunds
        on orders.order_id = order_refunds.order_id
    left join referrers
        on orders.referral_code = referrers.referral_code
)

select * from final
