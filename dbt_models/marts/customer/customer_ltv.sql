{#- Historical lifetime value of every customer with a revenue order up to the as-of day, next to
    the value the BG/NBD and Gamma-Gamma models predict for the horizon in config.
    Tenure runs from the first order to the as-of day (0 for a customer who first bought on it). -#}

with

customer_orders as (
    select * from {{ ref('int_customer_orders_aggregated') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

clv_predictions as (
    select * from {{ ref('customer_clv_predictions') }}
),

customers_as_of as (
    select
        customer_orders.*,
        as_of.as_of_date
    from customer_orders
    cross join as_of
),

historical as (
    select
        customer_key,
        as_of_date,
        first_order_date,
        last_order_date,
        {{ dbt.datediff('first_order_date', 'as_of_date', 'day') | trim }} as tenure_days,
        order_count,
        cast(gross_revenue_cents as bigint) as gross_revenue_cents,
        cast(refund_amount_cents as bigint) as refund_amount_cents,
        cast(net_revenue_cents as bigint) as net_revenue_cents,
        cast(round(cast(net_revenue_cents as double) / order_count, 0) as bigint)
            as average_order_value_cents
    from customers_as_of
),

final as (
    select
        historical.*,
        clv_predictions.p_alive,
        clv_predictions.expected_purchases_90d,
        clv_predictions.expected_purchases_180d,
        clv_predictions.expected_purchases_365d,
        clv_predictions.expected_average_spend_cents,
        clv_predictions.predicted_clv_cents,
        cast(clv_predictions.clv_horizon_months as bigint) as clv_horizon_months,
        clv_predictions.model_status as clv_model_status
    from historical
    left join clv_predictions
        on historical.customer_key = clv_predictions.customer_key
)

select * from final
