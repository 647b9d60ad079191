{#- Each customer's current CRM position on the as-of day: the plan segment (core, new,
    potential, dormant or a named remainder), the classic R/F segment, the lifecycle stage and the
    membership tier. -#}

with

segment_snapshots as (
    select * from {{ ref('int_crm_segment_snapshots') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

tier_evaluations as (
    select * from {{ ref('int_crm_membership_tier_evaluations') }}
),

current_snapshots as (
    select segment_snapshots.*
    from segment_snapshots
    inner join as_of
        on segment_snapshots.snapshot_date = as_of.as_of_date
),

latest_tiers as (
    select
        customer_key,
        membership_tier,
        rolling_12m_net_cents,
        row_number() over (
            partition by customer_key order by evaluation_date desc
        ) as evaluation_recency
    from tier_evaluations
),

final as (
    select
        current_snapshots.customer_key,
        current_snapshots.snapshot_date as as_of_date,
        current_snapshots.last_order_date,
        current_snapshots.recency_days,
        current_snapshots.frequency,
        cast(current_snapshots.monetary_cents as bigint) as monetary_cents,
        current_snapshots.monetary_percentile,
        current_snapshots.r_score,
        current_snapshots.f_score,
        current_snapshots.plan_segment,
        current_snapshots.rfm_segment,
        current_snapshots.lifecycle_stage,
        latest_tiers.membership_tier,
        cast(latest_tiers.rolling_12m_net_cents as bigint) as rolling_12m_net_cents
    from current_snapshots
    left join latest_tiers
        on
            current_snapshots.customer_key = latest_tiers.customer_key
            and latest_tiers.evaluation_recency = 1
)

select * from final
