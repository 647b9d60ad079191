{#- The CRM plan's churn warning inputs per customer on the as-of day.
    - typical interval: the customer's mean gap between purchase days, (last - first purchase day)
      / (purchase days - 1), so only customers with two or more purchase days have one;
    - purchase gap exceeded: days since the last purchase >= crm_churn_gap_ratio (1.3) times the
      typical interval, compared as gap * (days - 1) >= ratio * span so the boundary is exact;
    - interaction drop: private-domain interactions (WeCom community and mini-program) in the
      last window (as-of day and the 29 days before) fell by at least crm_churn_interaction_drop_ratio
      (50%) against the window before, which must have had some;
    - silent: a private-domain customer (WeCom contact or any past interaction) with no
      interaction in the last crm_churn_silence_days days. -#}

{%- set window_days = var('crm_churn_interaction_window_days') | int %}
{%- set silence_days = var('crm_churn_silence_days') | int %}

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

interaction_days as (
    select * from {{ ref('int_customer_interaction_days') }}
),

purchase_days as (
    select distinct
        orders.customer_key,
        orders.order_date as purchase_date
    from orders
),

purchase_history as (
    select
        customer_key,
        count(*) as purchase_day_count,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date
    from purchase_days
    group by customer_key
),

interaction_windows as (
    select
        interaction_days.customer_key,
        {{ sum_in_days_before(
            'interaction_days.interaction_count', 'interaction_days.interaction_date',
            'as_of.as_of_date', window_days
        ) }} as interactions_last_window,
        {{ sum_in_days_before(
            'interaction_days.interaction_count', 'interaction_days.interaction_date',
            'as_of.as_of_date', 2 * window_days, window_days
        ) }} as interactions_prior_window,
        {{ sum_in_days_before(
            'interaction_days.interaction_count', 'interaction_days.interaction_date',
            'as_of.as_of_date', silence_days
        ) }} as interactions_silence_window
    from interaction_days
    cross join as_of
    group by interaction_days.customer_key
),

measures as (
    select
        customer_base.customer_key,
        as_of.as_of_date,
        customer_base.is_in_private_domain,
        customer_base.last_interaction_date,
        coalesce(purchase_history.purchase_day_count, 0) as purchase_day_count,
        purchase_history.last_purchase_date,
        {{ dbt.datediff(
            'purchase_history.first_purchase_date', 'purchase_history.last_purchase_date', 'day'
        ) }} as purchase_span_days,
        {{ dbt.datediff('purchase_history.last_purchase_date', 'as_of.as_of_date', 'day') }}
            as days_since_last_purchase,
        coalesce(interaction_windows.interactions_last_window, 0) as interactions_last_window,
        coalesce(interaction_windows.interactions_prior_window, 0) as interactions_prior_window,
        coalesce(interaction_windows.interactions_silence_window, 0)
            as interactions_silence_window
    from customer_base
    cross join as_of
    left join purchase_history
        on customer_base.customer_key = purchase_history.customer_key
    left join interaction_windows
        on customer_base.customer_key = interaction_windows.customer_key
),

flags as (
    select
        customer_key,
        as_of_date,
        purchase_day_count,
        last_purchase_date,
        days_since_last_purchase,
        case
            when purchase_day_count >= 2
                then cast(purchase_span_days as double) / (purchase_day_count - 1)
        end as typical_interval_days,
        interactions_last_window,
        interactions_prior_window,
        last_interaction_date,
        coalesce(
            purchase_day_count >= 2
            and days_since_last_purchase * (purchase_day_count - 1)
            >= {{ var('crm_churn_gap_ratio') }} * purchase_span_days,
            false
        ) as is_purchase_gap_exceeded,
        interactions_prior_window > 0
        and interactions_prior_window - interactions_last_window
        >= {{ var('crm_churn_interaction_drop_ratio') }} * interactions_prior_window
            as is_interaction_drop,
        is_in_private_domain and interactions_silence_window = 0 as is_silent
    from measures
),

final as (
    select
        *,
        is_purchase_gap_exceeded and is_interaction_drop as is_gap_and_interaction_drop
    from flags
)

select * from final
