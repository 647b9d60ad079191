{#- Does the CLV model predict? Fitted on the history up to calibration_end_date, its predicted
    purchases and revenue for the holdout period (to observation_end_date) against what happened
    and against a naive baseline (each customer's calibration-period rate carried forward), per
    calibration frequency bucket (0 .. 6, 7+) and for all customers. Empty until the
    `models/clv_validation` asset first runs; its figure is clv_calibration_by_frequency.png
    next to the Parquet file.

    The asset writes every statistic as a float; revenue means, totals and errors are money, so
    they reach BI as whole fen, while the aggregate errors stay ratios. -#}

{%- set statistics = [
    ('actual', ['mean', 'total']),
    ('model', ['mean', 'total', 'mae', 'aggregate_error']),
    ('naive', ['mean', 'total', 'mae', 'aggregate_error']),
] -%}
{%- set statistic_columns = [] -%}
{%- for measure in ['purchases', 'revenue_cents'] -%}
    {%- for forecast, names in statistics -%}
        {%- for statistic in names -%}
            {%- set column = forecast ~ '_' ~ measure ~ '_' ~ statistic -%}
            {%- if measure == 'revenue_cents' and statistic != 'aggregate_error' -%}
                {%- do statistic_columns.append(whole_fen(column) ~ ' as ' ~ column) -%}
            {%- else -%}
                {%- do statistic_columns.append(column) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endfor -%}

with

clv_validation as (
    {{ model_output('clv_validation') | indent(4) }}
),

final as (
    select
        frequency_bucket,
        cast(bucket_order as bigint) as bucket_order,
        customers,
        {%- for expression in statistic_columns %}
            {{ expression }},
        {%- endfor %}
        calibration_end_date,
        observation_end_date,
        cast(holdout_days as bigint) as holdout_days,
        model_status,
        model_reason,
        is_model_better
    from clv_validation
)

select * from final
