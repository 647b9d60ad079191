{#- The per-customer inputs of the BG/NBD and Gamma-Gamma models, in the literature's conventions:
    frequency = repeat purchase days (distinct purchase days after the first), recency = first to
    last purchase day, t = first purchase day to the observation end (the models' T), both in the
    `clv_time_unit` var (day, week or month; default week), and monetary_value_cents = mean net
    value of the repeat purchase days (the first purchase excluded; null for one-time buyers). -#}

{%- set days_per_unit = {'day': 1, 'week': 7, 'month': 30.4375} -%}
{%- set time_unit = var('clv_time_unit') -%}
{%- if time_unit not in days_per_unit -%}
    {{ exceptions.raise_compiler_error(
        "var clv_time_unit must be day, week or month, got '" ~ time_unit ~ "'"
    ) }}
{%- endif -%}
{%- set unit_days = days_per_unit[time_unit] %}

with

purchase_days as (
    select * from {{ ref('int_customer_purchase_days') }}
),

customer_purchases as (
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
        ) as repeat_net_amount_cents
    from purchase_days
    group by customer_key
),

customer_periods as (
    select
        customer_purchases.*,
        {{ dbt.datediff('first_purchase_date', 'last_purchase_date', 'day') | trim }}
            as recency_days,
        {{ dbt.datediff('first_purchase_date', 'observation_end_date', 'day') | trim }} as t_days
    from customer_purchases
),

final as (
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
        '{{ time_unit }}' as time_unit,
        cast({{ unit_days }} as double) as time_unit_days
    from customer_periods
)

select * from final
