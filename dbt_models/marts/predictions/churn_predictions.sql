{#- Probability that each customer with a purchase makes none in the next horizon_days, from the
    supervised churn model of the `models/churn_predictions` asset, next to its risk decile
    (1 = the 10% most likely to churn). Customers the model did not score keep their row with a
    null probability and a model_status saying why. -#}

with

purchase_summary as (
    select * from {{ ref('int_customer_purchase_summary') }}
),

churn_predictions as (
    {{ model_output('churn_predictions') | indent(4) }}
),

final as (
    select
        purchase_summary.customer_key,
        purchase_summary.observation_end_date,
        churn_predictions.churn_probability,
        cast(churn_predictions.churn_risk_decile as bigint) as churn_risk_decile,
        cast(churn_predictions.horizon_days as bigint) as horizon_days,
        coalesce(churn_predictions.model_status, 'not_scored') as model_status,
        case
            when churn_predictions.customer_key is null
                then 'no prediction: the churn model has not scored this customer yet'
            else churn_predictions.model_reason
        end as model_reason,
        churn_predictions.scored_as_of_date
    from purchase_summary
    left join churn_predictions
        on purchase_summary.customer_key = churn_predictions.customer_key
)

select * from final
