{#- Month-over-month segment moves: for each segment view (plan, rfm, lifecycle) and each pair of
    consecutive snapshot months, how many customers went from one segment to another (including
    staying). Customers first seen in the later month come from 'not_yet_known'. -#}

with

segment_snapshots as (
    select * from {{ ref('int_crm_segment_snapshots') }}
),

segment_views as (
    select
        snapshot_month,
        customer_key,
        'plan' as segment_view,
        plan_segment as segment
    from segment_snapshots
    union all
    select
        snapshot_month,
        customer_key,
        'rfm' as segment_view,
        coalesce(rfm_segment, 'no_purchase') as segment
    from segment_snapshots
    union all
    select
        snapshot_month,
        customer_key,
        'lifecycle' as segment_view,
        lifecycle_stage as segment
    from segment_snapshots
),

moves as (
    select
        current_month.segment_view,
        cast({{ dbt.dateadd('month', -1, 'current_month.snapshot_month') }} as date)
            as from_month,
        current_month.snapshot_month as to_month,
        coalesce(previous_month.segment, 'not_yet_known') as from_segment,
        current_month.segment as to_segment,
        current_month.customer_key
    from segment_views as current_month
    left join segment_views as previous_month
        on
            current_month.customer_key = previous_month.customer_key
            and current_month.segment_view = previous_month.segment_view
            and previous_month.snapshot_month
            = cast({{ dbt.dateadd('month', -1, 'current_month.snapshot_month') }} as date)
),

first_month as (
    select min(snapshot_month) as snapshot_month
    from segment_snapshots
),

final as (
    select
        moves.segment_view,
        moves.from_month,
        moves.to_month,
        moves.from_segment,
        moves.to_segment,
        count(*) as customer_count
    from moves
    inner join first_month
        on moves.to_month > first_month.snapshot_month
    group by
        moves.segment_view,
        moves.from_month,
        moves.to_month,
        moves.from_segment,
        moves.to_segment
)

select * from final
