{#- One row per clean order. Cancelled orders stay (is_revenue_order = false) so order funnels can
    count them; revenue measures filter on is_revenue_order. -#}

with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

stores as (
    select * from {{ ref('stg_shop__stores') }}
    where quarantine_reason is null
),

final as (
    select
        orders.order_id,
        orders.customer_key,
        orders.store_id,
        stores.channel,
        stores.platform as store_platform,
        orders.ordered_at,
        orders.order_date,
        orders.order_status,
        orders.is_revenue_order,
        orders.gross_amount_cents,
        orders.discount_amount_cents,
        orders.order_amount_cents,
        orders.refund_count,
        orders.refund_amount_cents,
        orders.net_amount_cents,
        orders.line_count,
        orders.item_count,
        orders.referral_code,
        orders.is_referral_order,
        orders.referrer_customer_key
    from orders
    left join stores
        on orders.store_id = stores.store_id
)

select * from final
