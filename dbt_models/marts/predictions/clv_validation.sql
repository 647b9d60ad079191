{#- Does the CLV model predict? Fitted on the history up to calibration_end_date, its predicted
    purchases and revenue for the holdout period (to observation_end_date) against what happened
    and against a naive baseline (each customer's calibration-period rate carried forward), per
    calibration frequency bucket (0 .. 6, 7+) and for all customers. Empty until the
    `models/clv_validation` asset first runs; its figure is clv_calibration_by_frequency.png
    next to the Parquet file. -#}

with

clv_validation as (
    {{ model_output('clv_validation', {
        'frequency_bucket': dbt.type_string(),
        'bucket_order': 'integer',
        'customers': 'bigint',
        'actual_purchases_mean': 'double',
        'actual_purchases_total': 'double',
        'model_purchases_mean': 'double',
        'model_purchases_total': 'double',
        'model_purchases_mae': 'double',
        'model_purchases_aggregate_error': 'double',
        'naive_purchases_mean': 'double',
        'naive_purchases_total': 'double',
        'naive_purchases_mae': 'double',
        'naive_purchases_aggregate_error': 'double',
        'actual_revenue_cents_mean': 'double',
        'actual_revenue_cents_total': 'double',
        'model_revenue_cents_mean': 'double',
        'model_revenue_cents_total': 'double',
        'model_revenue_cents_mae': 'double',
        'model_revenue_cents_aggregate_error': 'double',
        'naive_revenue_cents_mean': 'double',
        'naive_revenue_cents_total': 'double',
        'naive_revenue_cents_mae': 'double',
        'naive_revenue_cents_aggregate_error': 'double',
        'calibration_end_date': 'date',
        'observation_end_date': 'date',
        'holdout_days': 'integer',
        'model_status': dbt.type_string(),
        'model_reason': dbt.type_string(),
        'is_model_better': 'boolean',
    }) | indent(4) }}
),

final as (
    select * from clv_validation
)

select * from final
