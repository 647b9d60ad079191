{#- Abandoned-cart and browse-no-buy signals per customer, for re-engagement.
    - Abandoned cart: the rule of int_cart_events, a mini-program add-to-cart with no revenue
      order from the customer within var `marketing_abandoned_cart_hours` after it. Carts whose
      window has not closed by the end of the as-of day are still pending and not counted.
    - Browse-no-buy: a product viewed at least var `marketing_browse_view_threshold` times within
      var `marketing_browse_window_hours` from a first view, with no order containing that
      product in the same window.
    One row per customer with at least one mini-program product view or add-to-cart. -#}

{%- set browse_hours = var('marketing_browse_window_hours') -%}
{%- set browse_views = var('marketing_browse_view_threshold') -%}

with

miniprogram_events as (
    select * from {{ ref('int_miniprogram_events_resolved') }}
),

orders as (
    select * from {{ ref('int_revenue_orders') }}
),

cart_events as (
    select * from {{ ref('int_cart_events') }}
),

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

customer_events as (
    select
        miniprogram_events.event_id,
        miniprogram_events.customer_key,
        miniprogram_events.event_name,
        miniprogram_events.product_sku,
        miniprogram_events.event_at
    from miniprogram_events
    cross join as_of
    where
        miniprogram_events.customer_key is not null
        and miniprogram_events.event_name in ('view', 'add_to_cart')
        and miniprogram_events.event_at < {{ dbt.dateadd('day', 1, 'as_of.as_of_date') }}
),

views as (
    select
        event_id,
        customer_key,
        product_sku,
        event_at
    from customer_events
    where event_name = 'view' and product_sku is not null
),

view_bursts as (
    select
        first_views.event_id,
        first_views.customer_key,
        first_views.product_sku,
        first_views.event_at,
        count(*) as views_in_window
    from views as first_views
    inner join views as later_views
        on
            first_views.customer_key = later_views.customer_key
            and first_views.product_sku = later_views.product_sku
            and first_views.event_at <= later_views.event_at
            and later_views.event_at < {{ dbt.dateadd('hour', browse_hours, 'first_views.event_at') }}
    group by
        first_views.event_id,
        first_views.customer_key,
        first_views.product_sku,
        first_views.event_at
    having count(*) >= {{ browse_views }}
),

product_purchases as (
    select distinct
        orders.customer_key,
        order_items.product_sku,
        orders.ordered_at
    from orders
    inner join order_items
        on orders.order_id = order_items.order_id
),

browse_no_buy as (
    select
        view_bursts.customer_key,
        view_bursts.product_sku,
        view_bursts.event_at
    from view_bursts
    left join product_purchases
        on
            view_bursts.customer_key = product_purchases.customer_key
            and view_bursts.product_sku = product_purchases.product_sku
            and view_bursts.event_at <= product_purchases.ordered_at
            and product_purchases.ordered_at
            <= {{ dbt.dateadd('hour', browse_hours, 'view_bursts.event_at') }}
    where product_purchases.customer_key is null
),

latest_browse_no_buy as (
    select
        customer_key,
        product_sku,
        row_number() over (
            partition by customer_key order by event_at desc, product_sku asc
        ) as recency_rank
    from browse_no_buy
),

customer_carts as (
    select
        customer_key,
        count(*) as add_to_cart_count,
        cast(sum(case when is_abandoned then 1 else 0 end) as bigint) as abandoned_cart_count,
        max(event_at) as last_add_to_cart_at,
        max(case when is_abandoned then event_at end) as last_abandoned_cart_at
    from cart_events
    group by customer_key
),

customer_browsing as (
    select
        customer_key,
        count(distinct product_sku) as browse_no_buy_product_count,
        max(event_at) as last_browse_no_buy_at
    from browse_no_buy
    group by customer_key
),

customers as (
    select distinct customer_key
    from customer_events
),

last_orders as (
    select
        customer_key,
        max(ordered_at) as last_ordered_at
    from orders
    group by customer_key
),

final as (
    select
        customers.customer_key,
        coalesce(customer_carts.add_to_cart_count, 0) as add_to_cart_count,
        coalesce(customer_carts.abandoned_cart_count, 0) as abandoned_cart_count,
        customer_carts.last_add_to_cart_at,
        customer_carts.last_abandoned_cart_at,
        coalesce(
            customer_carts.last_abandoned_cart_at = customer_carts.last_add_to_cart_at
            and (
                last_orders.last_ordered_at is null
                or last_orders.last_ordered_at < customer_carts.last_abandoned_cart_at
            ),
            false
        ) as has_open_abandoned_cart,
        coalesce(customer_browsing.browse_no_buy_product_count, 0)
            as browse_no_buy_product_count,
        customer_browsing.last_browse_no_buy_at,
        latest_browse_no_buy.product_sku as last_browse_no_buy_product_sku,
        coalesce(customer_browsing.browse_no_buy_product_count, 0) > 0 as has_browse_no_buy
    from customers
    left join customer_carts
        on customers.customer_key = customer_carts.customer_key
    left join customer_browsing
        on customers.customer_key = customer_browsing.customer_key
    left join latest_browse_no_buy
        on
            customers.customer_key = latest_browse_no_buy.customer_key
            and latest_browse_no_buy.recency_rank = 1
    left join last_orders
        on customers.customer_key = last_orders.customer_key
)

select * from final
