{#- Predicted purchases, P(alive), expected spend and discounted CLV of every customer with a
    purchase, from the BG/NBD and Gamma-Gamma models the `models/clv_predictions` asset fits.
    Customers the models did not score (not fitted, or new since the last fit) keep their row with
    null predictions and a model_status saying why. -#}

with

purchase_summary as (
    select * from {{ ref('int_customer_purchase_summary') }}
),

clv_predictions as (
    {{ model_output('clv_predictions') | indent(4) }}
),

final as (
    select
        purchase_summary.customer_key,
        purchase_summary.observation_end_date,
        purchase_summary.frequency,
        purchase_summary.recency,
        purchase_summary.t,
        purchase_summary.time_unit,
        {{ whole_fen('purchase_summary.monetary_value_cents') }} as monetary_value_cents,
        clv_predictions.p_alive,
        clv_predictions.expected_purchases_90d,
        clv_predictions.expected_purchases_180d,
        clv_predictions.expected_purchases_365d,
        clv_predictions.expected_average_spend_cents,
        clv_predictions.predicted_clv_cents,
        cast(clv_predictions.clv_horizon_months as bigint) as clv_horizon_months,
        clv_predictions.annual_discount_rate,
        coalesce(clv_predictions.model_status, 'not_scored') as model_status,
        case
            when clv_predictions.customer_key is null
                then 'no prediction: the CLV model has not scored this customer yet'
            else clv_predictions.model_reason
        end as model_reason,
        clv_predictions.observation_end_date as scored_as_of_date
    from purchase_summary
    left join clv_predictions
        on purchase_summary.customer_key = clv_predictions.customer_key
)

select * from final
