{#- Month-end segment snapshots: one row per customer and month from the month they were first
    seen; the as-of month's snapshot is taken on the as-of day. -#}

with

segment_snapshots as (
    select * from {{ ref('int_crm_segment_snapshots') }}
),

final as (
    select
        snapshot_month,
        snapshot_date,
        customer_key,
        recency_days,
        frequency,
        cast(monetary_cents as bigint) as monetary_cents,
        r_score,
        f_score,
        plan_segment,
        rfm_segment,
        lifecycle_stage
    from segment_snapshots
)

select * from final
