{#- Historical lifetime value of every customer with a revenue order up to the as-of day.
    Tenure runs from the first order to the as-of day (0 for a customer who first bought on it). -#}

with

customer_orders as (
    select * from {{ ref('int_customer_orders_aggregated') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

customers_as_of as (
    select
        customer_orders.*,
        as_of.as_of_date
    from customer_orders
    cross join as_of
),

final as (
    select
        customer_key,
        as_of_date,
        first_order_date,
        last_order_date,
        {{ dbt.datediff('first_order_date', 'as_of_date', 'day') | trim }} as tenure_days,
        order_count,
        gross_revenue_cents,
        refund_amount_cents,
        net_revenue_cents,
        cast(round(cast(net_revenue_cents as double) / order_count, 0) as bigint)
            as average_order_value_cents
    from customers_as_of
)

select * from final
