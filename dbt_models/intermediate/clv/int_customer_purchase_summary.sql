{#- The per-customer inputs of the BG/NBD and Gamma-Gamma models, in the literature's conventions:
    frequency = repeat purchase days (distinct purchase days after the first), recency = first to
    last purchase day, t = first purchase day to the observation end (the models' T), both in the
    `clv_time_unit` var (day, week or month; default week), and monetary_value_cents = mean net
    value of the repeat purchase days (the first purchase excluded; null for one-time buyers).
    The rules are the macros in macros/clv, shared with the calibration summary. -#}

with

purchase_days as (
    select * from {{ ref('int_customer_purchase_days') }}
),

customer_purchases as (
    {{ clv_customer_purchases('purchase_days') }}
),

final as (
    {{ clv_model_inputs('customer_purchases') }}
)

select * from final
