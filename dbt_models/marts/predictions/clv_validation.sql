{#- Does the CLV model predict? Fitted on the history up to calibration_end_date, its predicted
    purchases and revenue for the holdout period (to observation_end_date) against what happened
    and against a naive baseline (each customer's calibration-period rate carried forward), per
    calibration frequency bucket (0 .. 6, 7+) and for all customers. Empty until the
    `models/clv_validation` asset first runs; its figure is clv_calibration_by_frequency.png
    next to the Parquet file. -#}

with

clv_validation as (
    {{ model_output('clv_validation') | indent(4) }}
),

final as (
    select * from clv_validation
)

select * from final
