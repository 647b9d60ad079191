{#- Cross-sell affinity: for every pair (A, B) of categories and of products, how many buyers of A
    bought B in a later order within var `marketing_affinity_window_days` days of their first
    purchase of A. Customers are the unit:
    - support = customers with the pair / customers with any purchase,
    - confidence = customers with the pair / buyers of A,
    - lift = confidence / (buyers of B / customers with any purchase),
    - median lag = median over those customers of the days from the first purchase of A to their
      first purchase of B after it.
    Only pairs seen at least once are listed. -#}

{%- set window_days = var('marketing_affinity_window_days') -%}

with

orders as (
    select * from {{ ref('fct_orders') }}
    where is_revenue_order and customer_key is not null
),

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
    where quarantine_reason is null and quantity > 0
),

purchases as (
    -- noqa: disable=LT02
    {%- for level, column in [('category', 'category'), ('product', 'product_sku')] %}
        select distinct
            '{{ level }}' as affinity_level,
            orders.customer_key,
            order_items.{{ column }} as item,
            orders.ordered_at
        from orders
        inner join order_items
            on orders.order_id = order_items.order_id
        where order_items.{{ column }} is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
    -- noqa: enable=LT02
),

first_purchases as (
    select
        affinity_level,
        customer_key,
        item,
        min(ordered_at) as first_ordered_at
    from purchases
    group by affinity_level, customer_key, item
),

customer_pairs as (
    select
        first_purchases.affinity_level,
        first_purchases.customer_key,
        first_purchases.item as item_a,
        purchases.item as item_b,
        min(
            {{ dbt.datediff('first_purchases.first_ordered_at', 'purchases.ordered_at', 'second') }}
        ) / cast(86400 as double) as lag_days
    from first_purchases
    inner join purchases
        on
            first_purchases.affinity_level = purchases.affinity_level
            and first_purchases.customer_key = purchases.customer_key
            and first_purchases.item <> purchases.item
            and first_purchases.first_ordered_at < purchases.ordered_at
            and purchases.ordered_at
            <= {{ dbt.dateadd('day', window_days, 'first_purchases.first_ordered_at') }}
    group by
        first_purchases.affinity_level,
        first_purchases.customer_key,
        first_purchases.item,
        purchases.item
),

item_buyers as (
    select
        affinity_level,
        item,
        count(*) as buyer_count
    from first_purchases
    group by affinity_level, item
),

level_customers as (
    select
        affinity_level,
        count(distinct customer_key) as customer_count
    from first_purchases
    group by affinity_level
),

pairs as (
    select
        affinity_level,
        item_a,
        item_b,
        count(*) as pair_customer_count,
        {{ marketing_median('lag_days') }} as median_lag_days
    from customer_pairs
    group by affinity_level, item_a, item_b
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "pairs.affinity_level", "'|'", "pairs.item_a", "'|'", "pairs.item_b"
        ])) }} as affinity_key,
        pairs.affinity_level,
        pairs.item_a,
        pairs.item_b,
        level_customers.customer_count,
        buyers_a.buyer_count as item_a_buyer_count,
        buyers_b.buyer_count as item_b_buyer_count,
        pairs.pair_customer_count,
        cast(pairs.pair_customer_count as double) / level_customers.customer_count as support,  -- noqa: RF04
        cast(pairs.pair_customer_count as double) / buyers_a.buyer_count as confidence,
        (cast(pairs.pair_customer_count as double) / buyers_a.buyer_count)
        / (cast(buyers_b.buyer_count as double) / level_customers.customer_count) as lift,
        pairs.median_lag_days
    from pairs
    inner join level_customers
        on pairs.affinity_level = level_customers.affinity_level
    inner join item_buyers as buyers_a
        on pairs.affinity_level = buyers_a.affinity_level and pairs.item_a = buyers_a.item
    inner join item_buyers as buyers_b
        on pairs.affinity_level = buyers_b.affinity_level and pairs.item_b = buyers_b.item
)

select * from final
