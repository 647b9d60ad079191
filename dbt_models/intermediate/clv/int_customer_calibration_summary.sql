{#- The calibration / holdout split of the CLV holdout test: the purchase history is cut at
    calibration_end_date = observation end - `clv_holdout_days`, each customer who had bought by
    then is summarised with the same rules as int_customer_purchase_summary (macros/clv) as if
    the calibration end were the observation end, and gets the purchase days and net value of the
    holdout, (calibration_end_date, observation_end_date]. Customers whose first purchase falls in
    the holdout have no calibration history and no row. -#}

{%- set holdout_days = var('clv_holdout_days') | int %}

with

purchase_days as (
    select * from {{ ref('int_customer_purchase_days') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

split as (
    select
        as_of_date as observation_end_date,
        cast({{ dbt.dateadd('day', -holdout_days, 'as_of_date') }} as date) as calibration_end_date
    from as_of
),

calibration_days as (
    select
        purchase_days.customer_key,
        purchase_days.purchase_date,
        purchase_days.purchase_day_number,
        purchase_days.order_count,
        purchase_days.net_amount_cents,
        split.calibration_end_date as observation_end_date
    from purchase_days
    cross join split
    where purchase_days.purchase_date <= split.calibration_end_date
),

customer_purchases as (
    {{ clv_customer_purchases('calibration_days') }}
),

calibration_summary as (
    {{ clv_model_inputs('customer_purchases') }}
),

holdout_purchases as (
    select
        purchase_days.customer_key,
        count(*) as holdout_purchases,
        sum(purchase_days.net_amount_cents) as holdout_net_amount_cents
    from purchase_days
    cross join split
    where
        purchase_days.purchase_date > split.calibration_end_date
        and purchase_days.purchase_date <= split.observation_end_date
    group by purchase_days.customer_key
),

final as (
    select
        calibration_summary.customer_key,
        calibration_summary.first_purchase_date,
        calibration_summary.last_purchase_date,
        split.calibration_end_date,
        split.observation_end_date,
        {{ holdout_days }} as holdout_days,
        calibration_summary.purchase_days,
        calibration_summary.order_count,
        calibration_summary.frequency,
        calibration_summary.recency_days,
        calibration_summary.t_days,
        calibration_summary.recency,
        calibration_summary.t,
        calibration_summary.monetary_value_cents,
        calibration_summary.repeat_net_amount_cents,
        calibration_summary.net_amount_cents,
        calibration_summary.time_unit,
        calibration_summary.time_unit_days,
        coalesce(holdout_purchases.holdout_purchases, 0) as holdout_purchases,
        coalesce(holdout_purchases.holdout_net_amount_cents, 0) as holdout_net_amount_cents
    from calibration_summary
    cross join split
    left join holdout_purchases
        on calibration_summary.customer_key = holdout_purchases.customer_key
)

select * from final
