{#- The revenue orders of known customers up to the as-of day: the one definition every customer
    measure (RFM, cohorts, CLV inputs, segments, tiers, churn) counts from. Revenue orders are those
    whose status is in var `revenue_order_statuses`; later orders and orders that resolve to no
    customer never count. A view: a filter on a built table. -#}

{{ config(materialized='view') }}

with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

final as (
    select orders.*
    from orders
    cross join as_of
    where
        orders.is_revenue_order
        and orders.customer_key is not null
        and orders.order_date <= as_of.as_of_date
)

select * from final
