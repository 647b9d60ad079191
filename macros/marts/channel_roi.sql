{#- One grain of channel_roi (which owns the logic) without its period_grain column, so a
    dashboard reads one grain and cannot add days to weeks by accident. The per-grain views
    (channel_roi_daily, _weekly, _review_window, _monthly) are each this one call. -#}
{% macro channel_roi_at_grain(period_grain) -%}
with

channel_roi as (
    select * from {{ ref('channel_roi') }}
    where period_grain = '{{ period_grain }}'
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
{%- endmacro %}
