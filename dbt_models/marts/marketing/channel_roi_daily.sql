{#- Channel ROI per day (period_start_date = period_end_date), platform and campaign.
    A view over channel_roi (which owns the logic) without its period_grain column, so a
    dashboard reads one grain and cannot add days to weeks by accident. -#}

{{ config(materialized='view') }}

with

channel_roi as (
    select * from {{ ref('channel_roi') }}
    where period_grain = 'day'
),

final as (
    select
        channel_roi_key,
        period_start_date,
        period_end_date,
        platform,
        campaign_id,
        campaign_name,
        spend_cents,
        impressions,
        clicks,
        attributed_orders,
        attributed_net_revenue_cents,
        new_customers,
        roas,
        cpa_cents,
        cac_cents,
        new_customer_predicted_clv_cents,
        ltv_to_cac
    from channel_roi
)

select * from final
