{#- Every customer's RFM measures, plan segment, classic R/F segment and lifecycle stage at the end
    of every month up to the as-of day (the as-of month is cut at the as-of day, so its snapshot
    is the current state). A customer enters the snapshots from the month they were first seen.
    - recency_days: days from the last revenue order to the snapshot day; for customers who never
      bought, days from the day they were first seen (so a fresh prospect can count as new);
    - frequency: revenue orders up to the snapshot day; monetary_cents: their net amounts (refunds
      netted into the order they refund, as in fct_orders);
    - monetary_percentile: percent_rank of monetary_cents among the snapshot's buyers (0 = lowest,
      1 = highest), monetary_mean_cents: the buyers' mean; both null for non-buyers;
    - r_score / f_score: quintiles among buyers with the same total orderings as customer_rfm. -#}

with

orders as (
    select * from {{ ref('int_revenue_orders') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

customer_base as (
    select * from {{ ref('int_crm_customer_base') }}
),

revenue_orders as (
    select
        orders.customer_key,
        orders.order_date,
        orders.net_amount_cents
    from orders
),

customer_first_order as (
    select
        customer_key,
        min(order_date) as first_order_date
    from revenue_orders
    group by customer_key
),

customers as (
    select
        customer_base.customer_key,
        case
            when customer_first_order.first_order_date is null
                then customer_base.first_seen_date
            when customer_base.first_seen_date is null
                then customer_first_order.first_order_date
            else least(customer_base.first_seen_date, customer_first_order.first_order_date)
        end as known_date
    from customer_base
    left join customer_first_order
        on customer_base.customer_key = customer_first_order.customer_key
),

digits as (
    select digit_values.digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digit_values (digit)
),

month_offsets as (
    select hundreds.digit * 100 + tens.digit * 10 + units.digit as month_offset
    from digits as hundreds
    cross join digits as tens
    cross join digits as units
),

first_month as (
    select cast({{ dbt.date_trunc('month', 'min(known_date)') }} as date) as first_month
    from customers
),

{#- Every month from the first customer's month to the as-of month, with or without orders, so a
    quiet month still gets its snapshot (1000 months is far beyond any history). -#}
{%- set offset_month = dbt.dateadd('month', 'month_offsets.month_offset', 'first_month.first_month') %}

snapshot_months as (
    select cast({{ offset_month }} as date) as snapshot_month
    from month_offsets
    cross join first_month
    cross join as_of
    where {{ offset_month }} <= as_of.as_of_date
),

snapshot_dates as (
    select
        snapshot_months.snapshot_month,
        least(
            cast(
                {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'snapshot_months.snapshot_month')) }}
                as date
            ),
            as_of.as_of_date
        ) as snapshot_date
    from snapshot_months
    cross join as_of
),

snapshot_customers as (
    select
        snapshot_dates.snapshot_month,
        snapshot_dates.snapshot_date,
        customers.customer_key,
        customers.known_date
    from snapshot_dates
    inner join customers
        on snapshot_dates.snapshot_date >= customers.known_date
),

snapshot_orders as (
    select
        snapshot_dates.snapshot_month,
        revenue_orders.customer_key,
        count(*) as frequency,
        max(revenue_orders.order_date) as last_order_date,
        sum(revenue_orders.net_amount_cents) as monetary_cents
    from snapshot_dates
    inner join revenue_orders
        on snapshot_dates.snapshot_date >= revenue_orders.order_date
    group by snapshot_dates.snapshot_month, revenue_orders.customer_key
),

measures as (
    select
        snapshot_customers.snapshot_month,
        snapshot_customers.snapshot_date,
        snapshot_customers.customer_key,
        snapshot_orders.last_order_date,
        {{ dbt.datediff(
            'coalesce(snapshot_orders.last_order_date, snapshot_customers.known_date)',
            'snapshot_customers.snapshot_date',
            'day'
        ) }} as recency_days,
        coalesce(snapshot_orders.frequency, 0) as frequency,
        coalesce(snapshot_orders.monetary_cents, 0) as monetary_cents
    from snapshot_customers
    left join snapshot_orders
        on
            snapshot_customers.snapshot_month = snapshot_orders.snapshot_month
            and snapshot_customers.customer_key = snapshot_orders.customer_key
),

buyer_scores as (
    select
        snapshot_month,
        customer_key,
        percent_rank() over (
            partition by snapshot_month order by monetary_cents asc
        ) as monetary_percentile,
        avg(monetary_cents) over (partition by snapshot_month) as monetary_mean_cents,
        {{ rfm_recency_score(partition_by='snapshot_month') }} as r_score,
        {{ rfm_frequency_score(partition_by='snapshot_month') }} as f_score
    from measures
    where frequency > 0
),

scored as (
    select
        measures.*,
        buyer_scores.monetary_percentile,
        buyer_scores.monetary_mean_cents,
        buyer_scores.r_score,
        buyer_scores.f_score
    from measures
    left join buyer_scores
        on
            measures.snapshot_month = buyer_scores.snapshot_month
            and measures.customer_key = buyer_scores.customer_key
),

final as (
    select
        snapshot_month,
        snapshot_date,
        customer_key,
        last_order_date,
        recency_days,
        frequency,
        monetary_cents,
        monetary_percentile,
        monetary_mean_cents,
        r_score,
        f_score,
        {{ crm_plan_segment(
            'recency_days', 'frequency', 'monetary_cents',
            'monetary_percentile', 'monetary_mean_cents'
        ) }} as plan_segment,
        {{ crm_rfm_named_segment('r_score', 'f_score') }} as rfm_segment,
        {{ crm_lifecycle_stage('recency_days', 'frequency') }} as lifecycle_stage
    from scored
)

select * from final
