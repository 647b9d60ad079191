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
    where quantity > 0
),

order_item_levels as (
    -- noqa: disable=LT02
    {%- for level, column in [('category', 'category'), ('product', 'product_sku')] %}
        select distinct
            '{{ level }}' as affinity_level,
            order_id,
            {{ column }} as item
        from order_items
        where {{ column }} is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
    -- noqa: enable=LT02
),

-- The customer x item pairing below is the widest step at scale (hundreds of millions of rows
-- at ten million orders): small integer numbers in place of the 32-character customer key and
-- the item names keep its rows narrow enough to stay in memory instead of spilling to disk.
item_numbers as (
    select
        affinity_level,
        item,
        row_number() over (partition by affinity_level order by item) as item_number
    from order_item_levels
    group by affinity_level, item
),

customer_numbers as (
    select
        customer_key,
        row_number() over (order by customer_key) as customer_number
    from orders
    group by customer_key
),

purchases as (
    select distinct
        order_item_levels.affinity_level,
        customer_numbers.customer_number,
        item_numbers.item_number,
        orders.ordered_at
    from orders
    inner join customer_numbers
        on orders.customer_key = customer_numbers.customer_key
    inner join order_item_levels
        on orders.order_id = order_item_levels.order_id
    inner join item_numbers
        on
            order_item_levels.affinity_level = item_numbers.affinity_level
            and order_item_levels.item = item_numbers.item
),

first_purchases as (
    select
        affinity_level,
        customer_number,
        item_number,
        min(ordered_at) as first_ordered_at
    from purchases
    group by affinity_level, customer_number, item_number
),

customer_pairs as (
    select
        first_purchases.affinity_level,
        first_purchases.item_number as item_a_number,
        purchases.item_number as item_b_number,
        min(
            {{ dbt.datediff('first_purchases.first_ordered_at', 'purchases.ordered_at', 'second') }}
        ) / cast(86400 as double) as lag_days
    from first_purchases
    inner join purchases
        on
            first_purchases.affinity_level = purchases.affinity_level
            and first_purchases.customer_number = purchases.customer_number
            and first_purchases.item_number <> purchases.item_number
            and first_purchases.first_ordered_at < purchases.ordered_at
            and purchases.ordered_at
            <= {{ dbt.dateadd('day', window_days, 'first_purchases.first_ordered_at') }}
    group by
        first_purchases.affinity_level,
        first_purchases.customer_number,
        first_purchases.item_number,
        purchases.item_number
),

item_buyers as (
    select
        affinity_level,
        item_number,
        count(*) as buyer_count
    from first_purchases
    group by affinity_level, item_number
),

level_customers as (
    select
        affinity_level,
        count(distinct customer_number) as customer_count
    from first_purchases
    group by affinity_level
),

pairs as (
    select
        affinity_level,
        item_a_number,
        item_b_number,
        count(*) as pair_customer_count,
        {{ marketing_median('lag_days') }} as median_lag_days
    from customer_pairs
    group by affinity_level, item_a_number, item_b_number
),

items as (
    select
        item_numbers.affinity_level,
        item_numbers.item_number,
        item_numbers.item,
        item_buyers.buyer_count
    from item_numbers
    inner join item_buyers
        on
            item_numbers.affinity_level = item_buyers.affinity_level
            and item_numbers.item_number = item_buyers.item_number
),

named_pairs as (
    select
        pairs.affinity_level,
        items_a.item as item_a,
        items_b.item as item_b,
        items_a.buyer_count as item_a_buyer_count,
        items_b.buyer_count as item_b_buyer_count,
        pairs.pair_customer_count,
        pairs.median_lag_days
    from pairs
    inner join items as items_a
        on
            pairs.affinity_level = items_a.affinity_level
            and pairs.item_a_number = items_a.item_number
    inner join items as items_b
        on
            pairs.affinity_level = items_b.affinity_level
            and pairs.item_b_number = items_b.item_number
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "named_pairs.affinity_level", "'|'", "named_pairs.item_a", "'|'", "named_pairs.item_b"
        ])) }} as affinity_key,
        named_pairs.affinity_level,
        named_pairs.item_a,
        named_pairs.item_b,
        level_customers.customer_count,
        named_pairs.item_a_buyer_count,
        named_pairs.item_b_buyer_count,
        named_pairs.pair_customer_count,
        cast(named_pairs.pair_customer_count as double) / level_customers.customer_count as support,  -- noqa: RF04
        cast(named_pairs.pair_customer_count as double) / named_pairs.item_a_buyer_count as confidence,
        (cast(named_pairs.pair_customer_count as double) / named_pairs.item_a_buyer_count)
        / (cast(named_pairs.item_b_buyer_count as double) / level_customers.customer_count) as lift,
        named_pairs.median_lag_days
    from named_pairs
    inner join level_customers
        on named_pairs.affinity_level = level_customers.affinity_level
)

select * from final
