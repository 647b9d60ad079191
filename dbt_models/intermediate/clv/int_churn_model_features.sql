{#- Point-in-time features and labels of the churn model, one row per customer who had bought by
    a cutoff and per cutoff kind. The split is time-based so nothing from after a cutoff reaches
    its features: train at observation end - 2 * `churn_horizon_days`, holdout at observation end
    - `churn_horizon_days` (both labelled: 1 when the customer made no purchase in the following
    horizon), scoring at the observation end (no label yet). Windows are (start, cutoff]:
    - purchases: recency, tenure, purchase days, in the last 90 days and the 90 before, mean spend
      per purchase day, net spend over the last 365 days (the membership tiers' quantity), the
      mean and the latest interval between purchase days and the gap and trend against the mean;
    - interactions: the churn-warning rule's windows (`crm_churn_interaction_window_days`, the
      last window against the one before, as in int_crm_churn_signals) and days since the latest;
    - refunds: recorded in the last 365 days, counted from the day they were recorded. -#}

{%- set horizon_days = var('churn_horizon_days') | int %}
{%- set window_days = var('crm_churn_interaction_window_days') | int %}

with

purchase_days as (
    select * from {{ ref('int_customer_purchase_days') }}
),

interaction_days as (
    select * from {{ ref('int_customer_interaction_days') }}
),

refund_events as (
    select * from {{ ref('int_customer_refund_events') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

cutoffs as (
    select
        'train' as cutoff_kind,
        cast({{ dbt.dateadd('day', -2 * horizon_days, 'as_of_date') }} as date) as cutoff_date,
        as_of_date as observation_end_date
    from as_of
    where as_of_date is not null
    union all
    select
        'holdout' as cutoff_kind,
        cast({{ dbt.dateadd('day', -horizon_days, 'as_of_date') }} as date) as cutoff_date,
        as_of_date as observation_end_date
    from as_of
    where as_of_date is not null
    union all
    select
        'scoring' as cutoff_kind,
        as_of_date as cutoff_date,
        as_of_date as observation_end_date
    from as_of
    where as_of_date is not null
),

previous_purchases as (
    -- Cutting the history later never changes the gap before an earlier day, so the intervals
    -- are computed once on the whole history.
    select
        customer_key,
        purchase_date,
        net_amount_cents,
        lag(purchase_date) over (
            partition by customer_key
            order by purchase_date
        ) as previous_purchase_date
    from purchase_days
),

purchase_intervals as (
    select
        customer_key,
        purchase_date,
        net_amount_cents,
        {{ dbt.datediff('previous_purchase_date', 'purchase_date', 'day') | trim }} as interval_days
    from previous_purchases
),

customer_purchases as (
    select
        cutoffs.cutoff_kind,
        purchase_intervals.customer_key,
        min(purchase_intervals.purchase_date) as first_purchase_date,
        max(purchase_intervals.purchase_date) as last_purchase_date,
        count(*) as purchase_days,
        {{ sum_in_days_before(
            1, 'purchase_intervals.purchase_date', 'cutoffs.cutoff_date', 90
        ) }} as purchase_days_90d,
        {{ sum_in_days_before(
            1, 'purchase_intervals.purchase_date', 'cutoffs.cutoff_date', 180, 90
        ) }} as purchase_days_prior_90d,
        sum(purchase_intervals.net_amount_cents) as net_amount_cents,
        {{ sum_in_days_before(
            'purchase_intervals.net_amount_cents', 'purchase_intervals.purchase_date',
            'cutoffs.cutoff_date', 365
        ) }} as net_amount_cents_12m,
        max_by(purchase_intervals.interval_days, purchase_intervals.purchase_date)
            as last_interval_days
    from purchase_intervals
    inner join cutoffs
        on purchase_intervals.purchase_date <= cutoffs.cutoff_date
    group by cutoffs.cutoff_kind, purchase_intervals.customer_key
),

customer_interactions as (
    select
        cutoffs.cutoff_kind,
        interaction_days.customer_key,
        {{ sum_in_days_before(
            'interaction_days.interaction_count', 'interaction_days.interaction_date',
            'cutoffs.cutoff_date', window_days
        ) }} as interactions_last_window,
        {{ sum_in_days_before(
            'interaction_days.interaction_count', 'interaction_days.interaction_date',
            'cutoffs.cutoff_date', 2 * window_days, window_days
        ) }} as interactions_prior_window,
        max(interaction_days.interaction_date) as last_interaction_date
    from interaction_days
    inner join cutoffs
        on interaction_days.interaction_date <= cutoffs.cutoff_date
    group by cutoffs.cutoff_kind, interaction_days.customer_key
),

customer_refunds as (
    select
        cutoffs.cutoff_kind,
        refund_events.customer_key,
        count(*) as refunds_12m,
        coalesce(sum(refund_events.refund_amount_cents), 0) as refund_amount_cents_12m
    from refund_events
    inner join cutoffs
        on
            refund_events.refund_date <= cutoffs.cutoff_date
            and refund_events.refund_date
            > cast({{ dbt.dateadd('day', -365, 'cutoffs.cutoff_date') }} as date)
    group by cutoffs.cutoff_kind, refund_events.customer_key
),

horizon_buyers as (
    select distinct
        cutoffs.cutoff_kind,
        purchase_days.customer_key
    from purchase_days
    inner join cutoffs
        on
            purchase_days.purchase_date > cutoffs.cutoff_date
            and purchase_days.purchase_date
            <= cast({{ dbt.dateadd('day', horizon_days, 'cutoffs.cutoff_date') }} as date)
    where cutoffs.cutoff_kind != 'scoring'
),

measures as (
    select
        customer_purchases.customer_key,
        cutoffs.cutoff_kind,
        cutoffs.cutoff_date,
        cutoffs.observation_end_date,
        {{ dbt.datediff('customer_purchases.last_purchase_date', 'cutoffs.cutoff_date', 'day') }}
            as recency_days,
        {{ dbt.datediff('customer_purchases.first_purchase_date', 'cutoffs.cutoff_date', 'day') }}
            as tenure_days,
        customer_purchases.purchase_days,
        customer_purchases.purchase_days_90d,
        customer_purchases.purchase_days_prior_90d,
        customer_purchases.net_amount_cents,
        customer_purchases.net_amount_cents_12m,
        customer_purchases.first_purchase_date,
        customer_purchases.last_purchase_date,
        customer_purchases.last_interval_days,
        coalesce(customer_interactions.interactions_last_window, 0) as interactions_last_window,
        coalesce(customer_interactions.interactions_prior_window, 0) as interactions_prior_window,
        customer_interactions.last_interaction_date,
        customer_interactions.customer_key is not null as has_interactions,
        coalesce(customer_refunds.refunds_12m, 0) as refunds_12m,
        coalesce(customer_refunds.refund_amount_cents_12m, 0) as refund_amount_cents_12m,
        case
            when cutoffs.cutoff_kind = 'scoring' then null
            when horizon_buyers.customer_key is null then 1
            else 0
        end as churn_label
    from customer_purchases
    inner join cutoffs
        on customer_purchases.cutoff_kind = cutoffs.cutoff_kind
    left join customer_interactions
        on
            customer_purchases.cutoff_kind = customer_interactions.cutoff_kind
            and customer_purchases.customer_key = customer_interactions.customer_key
    left join customer_refunds
        on
            customer_purchases.cutoff_kind = customer_refunds.cutoff_kind
            and customer_purchases.customer_key = customer_refunds.customer_key
    left join horizon_buyers
        on
            customer_purchases.cutoff_kind = horizon_buyers.cutoff_kind
            and customer_purchases.customer_key = horizon_buyers.customer_key
),

interval_measures as (
    select
        *,
        case
            when purchase_days > 1
                then
                    cast(
                        {{ dbt.datediff('first_purchase_date', 'last_purchase_date', 'day') | trim }}
                        as double
                    )
                    / (purchase_days - 1)
        end as mean_interval_days
    from measures
),

final as (
    select
        customer_key,
        cutoff_kind,
        cutoff_date,
        observation_end_date,
        {{ horizon_days }} as horizon_days,
        recency_days,
        tenure_days,
        purchase_days,
        purchase_days_90d,
        purchase_days_prior_90d,
        cast(net_amount_cents as double) / purchase_days as mean_spend_cents,
        net_amount_cents_12m,
        mean_interval_days,
        last_interval_days,
        recency_days / mean_interval_days as gap_to_interval_ratio,
        last_interval_days / mean_interval_days as interval_trend,
        interactions_last_window as interactions_30d,
        interactions_prior_window as interactions_prior_30d,
        case
            when has_interactions
                then
                    cast(interactions_last_window - interactions_prior_window as double)
                    / greatest(interactions_prior_window, 1)
        end as interaction_trend,
        {{ dbt.datediff('last_interaction_date', 'cutoff_date', 'day') }}
            as days_since_interaction,
        refunds_12m,
        refund_amount_cents_12m,
        case
            when net_amount_cents_12m > 0
                then cast(refund_amount_cents_12m as double) / net_amount_cents_12m
        end as refund_share_12m,
        churn_label
    from interval_measures
)

select * from final
