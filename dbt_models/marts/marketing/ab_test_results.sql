{#- A/B readout: one row per experiment and arm with its users, conversions (a revenue order within
    var `marketing_ab_conversion_days` days after the user's first exposure) and net revenue of
    those orders. Arm 'A' is the control; each other arm is compared with it:
    - difference = conversion rate of the arm - conversion rate of the control,
    - 95% confidence interval = difference -/+ 1.959963984540054 * unpooled standard error
      sqrt(p1 (1 - p1) / n1 + p0 (1 - p0) / n0) (Wald interval),
    - p-value of the two-sided two-proportion z-test with the pooled standard error
      sqrt(p (1 - p) (1 / n1 + 1 / n0)), p = (x1 + x0) / (n1 + n0): erfc(|z| / sqrt(2)), see the
      marketing_erfc macro.
    The comparison columns are null on the control row and when a standard error is zero. -#}

{%- set conversion_days = var('marketing_ab_conversion_days') -%}

with

exposures as (
    select * from {{ ref('int_ab_test_exposures') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
    where is_revenue_order and customer_key is not null
),

user_outcomes as (
    select
        exposures.experiment_id,
        exposures.experiment_type,
        exposures.arm,
        exposures.customer_key,
        count(orders.order_id) as order_count,
        cast(coalesce(sum(orders.net_amount_cents), 0) as bigint) as net_amount_cents
    from exposures
    left join orders
        on
            exposures.customer_key = orders.customer_key
            and exposures.first_exposed_at < orders.ordered_at
            and orders.ordered_at
            <= {{ dbt.dateadd('day', conversion_days, 'exposures.first_exposed_at') }}
    group by
        exposures.experiment_id,
        exposures.experiment_type,
        exposures.arm,
        exposures.customer_key
),

arms as (
    select
        experiment_id,
        experiment_type,
        arm,
        count(*) as user_count,
        cast(sum(case when order_count > 0 then 1 else 0 end) as bigint) as converted_user_count,
        cast(sum(net_amount_cents) as bigint) as net_amount_cents
    from user_outcomes
    group by experiment_id, experiment_type, arm
),

arm_rates as (
    select
        *,
        cast(converted_user_count as double) / user_count as conversion_rate
    from arms
),

compared as (
    select
        arm_rates.*,
        control.user_count as control_user_count,
        control.converted_user_count as control_converted_user_count,
        control.conversion_rate as control_conversion_rate,
        arm_rates.conversion_rate - control.conversion_rate as conversion_rate_difference,
        sqrt(
            arm_rates.conversion_rate * (1 - arm_rates.conversion_rate) / arm_rates.user_count
            + control.conversion_rate * (1 - control.conversion_rate) / control.user_count
        ) as unpooled_standard_error,
        cast(arm_rates.converted_user_count + control.converted_user_count as double)
        / (arm_rates.user_count + control.user_count) as pooled_conversion_rate
    from arm_rates
    left join arm_rates as control
        on
            arm_rates.experiment_id = control.experiment_id
            and control.arm = 'A'
            and arm_rates.arm <> 'A'
),

z_scores as (
    select
        *,
        sqrt(
            pooled_conversion_rate * (1 - pooled_conversion_rate)
            * (1 / cast(user_count as double) + 1 / cast(control_user_count as double))
        ) as pooled_standard_error
    from compared
),

test_statistics as (
    select
        *,
        case
            when pooled_standard_error > 0 then conversion_rate_difference / pooled_standard_error
        end as z_statistic
    from z_scores
),

erfc_arguments as (
    select
        *,
        abs(z_statistic) / 1.4142135623730951 as erfc_argument
    from test_statistics
),

final as (
    select
        {{ dbt.hash(dbt.concat(["experiment_id", "'|'", "arm"])) }} as ab_test_arm_key,
        experiment_id,
        experiment_type,
        arm,
        arm = 'A' as is_control,
        user_count,
        converted_user_count,
        conversion_rate,
        net_amount_cents,
        {{ whole_fen('cast(net_amount_cents as double) / user_count') }}
            as net_amount_per_user_cents,
        control_user_count,
        control_converted_user_count,
        control_conversion_rate,
        conversion_rate_difference,
        case
            when unpooled_standard_error > 0
                then conversion_rate_difference - 1.959963984540054 * unpooled_standard_error
        end as difference_ci_lower,
        case
            when unpooled_standard_error > 0
                then conversion_rate_difference + 1.959963984540054 * unpooled_standard_error
        end as difference_ci_upper,
        z_statistic,
        case
            when z_statistic is not null then {{ marketing_erfc('erfc_argument') }}
        end as p_value
    from erfc_arguments
)

select * from final
