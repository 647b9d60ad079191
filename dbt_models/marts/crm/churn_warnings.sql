{#- The CRM plan's churn warnings on the as-of day, one row per flagged customer, with every
    reason that applies ('|' separated): purchase_gap_and_interaction_drop (gap since the last
    purchase >= 130% of the own typical interval and private-domain interactions of the last 30
    days down by half or more against the 30 before) and no_interaction_<n>d (no interaction for
    n = crm_churn_silence_days days). -#}

with

churn_signals as (
    select * from {{ ref('int_crm_churn_signals') }}
),

final as (
    select
        customer_key,
        as_of_date,
        days_since_last_purchase,
        typical_interval_days,
        cast(interactions_last_window as bigint) as interactions_last_window,
        cast(interactions_prior_window as bigint) as interactions_prior_window,
        last_interaction_date,
        is_gap_and_interaction_drop,
        is_silent as is_no_recent_interaction,
        {{ churn_warning_reasons('is_gap_and_interaction_drop', 'is_silent') }}
            as churn_warning_reason
    from churn_signals
    where is_gap_and_interaction_drop or is_silent
)

select * from final
