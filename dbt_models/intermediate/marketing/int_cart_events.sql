{#- Every mini-program add-to-cart of a known customer up to the end of the as-of day, with the one
    abandoned-cart rule both the cart signals and the CRM reminder audience apply: a cart is
    converted when the customer places a revenue order within var `marketing_abandoned_cart_hours`
    after it (both ends included), and abandoned when that window has closed by the end of the
    as-of day without one. A cart whose window is still open is pending: the reminder's target. -#}

{%- set cart_hours = var('marketing_abandoned_cart_hours') | int -%}

with

miniprogram_events as (
    select * from {{ ref('int_miniprogram_events_resolved') }}
),

revenue_orders as (
    select * from {{ ref('int_revenue_orders') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

carts as (
    select
        miniprogram_events.event_id,
        miniprogram_events.customer_key,
        miniprogram_events.product_sku,
        miniprogram_events.event_at,
        {{ dbt.dateadd('hour', cart_hours, 'miniprogram_events.event_at') }} as window_end_at,
        {{ dbt.dateadd('day', 1, 'cast(as_of.as_of_date as timestamp)') }} as as_of_end_at
    from miniprogram_events
    cross join as_of
    where
        miniprogram_events.customer_key is not null
        and miniprogram_events.event_name = 'add_to_cart'
        and miniprogram_events.event_at
        < {{ dbt.dateadd('day', 1, 'cast(as_of.as_of_date as timestamp)') }}
),

cart_orders as (
    select
        carts.event_id,
        count(revenue_orders.order_id) as orders_in_window
    from carts
    left join revenue_orders
        on
            carts.customer_key = revenue_orders.customer_key
            and carts.event_at <= revenue_orders.ordered_at
            and carts.window_end_at >= revenue_orders.ordered_at
    group by carts.event_id
),

final as (
    select
        carts.event_id,
        carts.customer_key,
        carts.product_sku,
        carts.event_at,
        carts.window_end_at,
        carts.window_end_at <= carts.as_of_end_at as is_window_closed,
        cart_orders.orders_in_window > 0 as is_converted,
        carts.window_end_at <= carts.as_of_end_at
        and cart_orders.orders_in_window = 0 as is_abandoned
    from carts
    inner join cart_orders
        on carts.event_id = cart_orders.event_id
)

select * from final
