{#- The BG/NBD and Gamma-Gamma summary rules, in one place so the full-period summary
    (int_customer_purchase_summary) and the calibration period of the holdout test
    (int_customer_calibration_summary) cannot drift apart. Both macros take the name of a CTE or
    relation and return one select statement, for a CTE body. -#}

{#- Days per `clv_time_unit` (day, week or month); any other value fails the compile. -#}
{% macro clv_time_unit_days() -%}
    {%- set days_per_unit = {'day': 1, 'week': 7, 'month': 30.4375} -%}
    {%- set time_unit = var('clv_time_unit') -%}
    {%- if time_unit not in days_per_unit -%}
        {{ exceptions.raise_compiler_error(
            "var clv_time_unit must be day, week or month, got '" ~ time_unit ~ "'"
        ) }}
    {%- endif -%}
    {{ return(days_per_unit[time_unit]) }}
{%- endmacro %}


{#- Per customer from `purchase_days` (customer_key, purchase_date, purchase_day_number,
    order_count, net_amount_cents, observation_end_date, one row per customer and day, cut at the
    observation end): the period and the counts, with the first purchase day's spend kept apart
    because the Gamma-Gamma spend excludes it. -#}
{% macro clv_customer_purchases(purchase_days) -%}
    select
        customer_key,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        max(observation_end_date) as observation_end_date,
        count(*) as purchase_days,
        count(*) - 1 as frequency,
        sum(order_count) as order_count,
        sum(net_amount_cents) as net_amount_cents,
        sum(
            case when purchase_day_number > 1 then net_amount_cents else 0 end
        ) as repeat_net_amount_cents,
        {{ dbt.datediff('min(purchase_date)', 'max(purchase_date)', 'day') | trim }} as recency_days,
        {{ dbt.datediff('min(purchase_date)', 'max(observation_end_date)', 'day') | trim }} as t_days
    from {{ purchase_days }}
    group by customer_key
{%- endmacro %}


{#- The model inputs from clv_customer_purchases: recency and t in the time unit, and the mean
    repeat spend (null for one-time buyers). -#}
{% macro clv_model_inputs(customer_purchases) -%}
    {%- set unit_days = clv_time_unit_days() -%}
    select
        customer_key,
        first_purchase_date,
        last_purchase_date,
        observation_end_date,
        purchase_days,
        order_count,
        frequency,
        recency_days,
        t_days,
        cast(recency_days as double) / {{ unit_days }} as recency,
        cast(t_days as double) / {{ unit_days }} as t,
        case
            when frequency > 0 then cast(repeat_net_amount_cents as double) / frequency
        end as monetary_value_cents,
        repeat_net_amount_cents,
        net_amount_cents,
        '{{ var('clv_time_unit') }}' as time_unit,
        cast({{ unit_days }} as double) as time_unit_days
    from {{ customer_purchases }}
{%- endmacro %}
