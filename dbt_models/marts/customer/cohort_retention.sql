{#- Monthly acquisition cohorts: customers grouped by the month of their first revenue order, and
    the share of each cohort with a revenue order k months later. Every cohort gets every month from
    its first (months_since_first = 0, retention 1.0) to the as-of month, zeros included, so a
    missing cell never hides a month without buyers. -#}

{#- Upper bound of the month spine (50 years); only the cells up to the as-of month are kept. -#}
{%- set max_months = 600 %}

with

orders as (
    select * from {{ ref('int_revenue_orders') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

month_spine as (
    {{ dbt.generate_series(max_months) }}
),

revenue_order_months as (
    select distinct
        orders.customer_key,
        cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) as order_month
    from orders
),

customer_cohorts as (
    select
        customer_key,
        min(order_month) as cohort_month
    from revenue_order_months
    group by customer_key
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_size
    from customer_cohorts
    group by cohort_month
),

cohort_cells as (
    select
        cohort_sizes.cohort_month,
        cast(month_spine.generated_number as int) - 1 as months_since_first,
        cohort_sizes.cohort_size
    from cohort_sizes
    cross join as_of
    inner join month_spine
        on month_spine.generated_number - 1 <= {{ dbt.datediff(
            'cohort_sizes.cohort_month',
            dbt.date_trunc('month', 'as_of.as_of_date'),
            'month'
        ) }}
),

customer_month_offsets as (
    select
        customer_cohorts.cohort_month,
        revenue_order_months.customer_key,
        {{ dbt.datediff(
            'customer_cohorts.cohort_month', 'revenue_order_months.order_month', 'month'
        ) }} as months_since_first
    from revenue_order_months
    inner join customer_cohorts
        on revenue_order_months.customer_key = customer_cohorts.customer_key
),

cohort_activity as (
    select
        cohort_month,
        months_since_first,
        count(*) as active_customers
    from customer_month_offsets
    group by cohort_month, months_since_first
),

final as (
    select
        cohort_cells.cohort_month,
        cast(cohort_cells.months_since_first as bigint) as months_since_first,
        cast({{ dbt.dateadd(
            'month', 'cohort_cells.months_since_first', 'cohort_cells.cohort_month'
        ) }} as date) as activity_month,
        cohort_cells.cohort_size,
        coalesce(cohort_activity.active_customers, 0) as active_customers,
        cast(coalesce(cohort_activity.active_customers, 0) as double)
        / cohort_cells.cohort_size as retention_rate
    from cohort_cells
    left join cohort_activity
        on
            cohort_cells.cohort_month = cohort_activity.cohort_month
            and cohort_cells.months_since_first = cohort_activity.months_since_first
)

select * from final
