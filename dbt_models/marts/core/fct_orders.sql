{#- One row per clean order. Cancelled orders stay (is_revenue_order = false) so order funnels can
    count them; revenue measures filter on is_revenue_order.

    Incremental: a run merges the orders whose header, lines or refunds landed inside the load
    window (see macros/incremental), so a late refund restates its old order, plus the orders whose
    customer, referrer or store attributes changed since they were written (an identity merge
    re-keys old orders). Only those orders are shaped; merging on order_id makes a repeated run a
    no-op. -#}

{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_merge_strategy(),
        unique_key='order_id',
        on_schema_change='append_new_columns',
    )
}}

-- depends_on: {{ ref('stg_shop__orders') }}, {{ ref('stg_shop__order_items') }}
-- depends_on: {{ ref('stg_shop__refunds') }}

with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

stores as (
    select * from {{ ref('stg_shop__stores') }}
),

{%- if is_incremental() %}

order_headers as (
    select * from {{ ref('stg_shop__orders') }}
),

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

refunds as (
    select * from {{ ref('stg_shop__refunds') }}
),

existing_orders as (
    select * from {{ this }}
),

restated_orders as (
    select orders.order_id
    from orders
    inner join existing_orders
        on orders.order_id = existing_orders.order_id
    left join stores
        on orders.store_id = stores.store_id
    where
        orders.customer_key is distinct from existing_orders.customer_key
        or orders.referrer_customer_key is distinct from existing_orders.referrer_customer_key
        or orders.is_referral_order is distinct from existing_orders.is_referral_order
        or stores.channel is distinct from existing_orders.channel
        or stores.platform is distinct from existing_orders.store_platform
),

changed_order_ids as (
    select order_id from order_headers
    where {{ incremental_load_window('_load_date') }}
    union
    select order_id from order_items
    where {{ incremental_load_window('_load_date') }}
    union
    select order_id from refunds
    where {{ incremental_load_window('_load_date') }}
    union
    select order_id from restated_orders
),
{%- endif %}

changed_orders as (
    select * from orders
    {%- if is_incremental() %}
    where order_id in (select order_id from changed_order_ids)
    {%- endif %}
),

shaped as (
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
        cast(orders.refund_amount_cents as bigint) as refund_amount_cents,
        cast(orders.net_amount_cents as bigint) as net_amount_cents,
        orders.line_count,
        cast(orders.item_count as bigint) as item_count,
        orders.referral_code,
        orders.is_referral_order,
        orders.referrer_customer_key,
        orders._last_load_date
    from changed_orders as orders
    left join stores
        on orders.store_id = stores.store_id
),

final as (
    select * from shaped
)

select * from final
