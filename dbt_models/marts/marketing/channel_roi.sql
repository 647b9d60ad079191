{#- Channel ROI of paid advertising by platform and campaign, per period: one row per period
    grain ('day', 'week', 'review_window' = the two-week review window, 'month'), period start,
    platform and campaign. Spend is counted on the report day; orders, net revenue (refunds
    deducted) and new customers on the order day, with the credits of the attribution model in
    var `marketing_roi_attribution_model` given to ad clicks. A new customer is one whose first
    revenue order this is; their predicted CLV (marts.customer_clv_predictions) gives LTV/CAC
    once the CLV model has scored them. Ratios are null when their denominator is zero; costs
    and the credit-weighted CLV are rounded to whole fen after the ratios are taken.
    BI reads one grain at a time from the views channel_roi_daily, channel_roi_weekly,
    channel_roi_review_window and channel_roi_monthly. -#}

{%- set anchor = "cast('" ~ var('marketing_review_anchor_date') ~ "' as date)" -%}
{%- set week_start = dbt.date_trunc('week', 'daily.activity_date') -%}
{%- set week_end = dbt.dateadd('day', 6, week_start) -%}
{%- set review_start = dbt.dateadd('day', review_offset('daily.activity_date', anchor), anchor) -%}
{%- set review_end = dbt.dateadd(
    'day', review_offset('daily.activity_date', anchor) ~ ' + 13', anchor
) -%}
{%- set month_start = dbt.date_trunc('month', 'daily.activity_date') -%}
{%- set month_end = dbt.dateadd('day', -1, dbt.dateadd('month', 1, month_start)) -%}
{%- set period_grains = [
    ('day', 'daily.activity_date', 'daily.activity_date'),
    ('week', week_start, week_end),
    ('review_window', review_start, review_end),
    ('month', month_start, month_end),
] -%}

with

ad_performance as (
    select * from {{ ref('fct_ad_performance_daily') }}
),

attribution as (
    select * from {{ ref('fct_attribution') }}
    where
        attribution_model = '{{ var("marketing_roi_attribution_model") }}'
        and touch_type = 'paid_ad'
),

orders as (
    select * from {{ ref('fct_orders') }}
    where is_revenue_order and customer_key is not null
),

clv_predictions as (
    select * from {{ ref('customer_clv_predictions') }}
),

first_orders as (
    select
        order_id,
        row_number() over (
            partition by customer_key order by ordered_at, order_id
        ) = 1 as is_first_order
    from orders
),

campaign_names as (
    select
        platform,
        campaign_id,
        max(campaign_name) as campaign_name
    from ad_performance
    group by platform, campaign_id
),

daily_spend as (
    select
        report_date as activity_date,
        platform,
        campaign_id,
        sum(spend_cents) as spend_cents,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        cast(0 as double) as attributed_orders,
        0 as attributed_net_revenue_cents,
        cast(0 as double) as new_customers,
        cast(null as double) as new_customer_predicted_clv_cents
    from ad_performance
    group by report_date, platform, campaign_id
),

daily_attribution as (
    select
        attribution.order_date as activity_date,
        attribution.platform,
        attribution.campaign_id,
        0 as spend_cents,
        0 as impressions,
        0 as clicks,
        sum(attribution.credit_share) as attributed_orders,
        sum(attribution.credit_cents) as attributed_net_revenue_cents,
        sum(
            case when first_orders.is_first_order then attribution.credit_share else 0.0 end
        ) as new_customers,
        sum(
            case
                when first_orders.is_first_order
                    then attribution.credit_share * clv_predictions.predicted_clv_cents
            end
        ) as new_customer_predicted_clv_cents
    from attribution
    inner join first_orders
        on attribution.order_id = first_orders.order_id
    left join clv_predictions
        on attribution.customer_key = clv_predictions.customer_key
    group by attribution.order_date, attribution.platform, attribution.campaign_id
),

daily as (
    select * from daily_spend
    union all
    select * from daily_attribution
),

periods as (
    {%- for grain, start_date, end_date in period_grains %}
        select
            '{{ grain }}' as period_grain,
            cast({{ start_date }} as date) as period_start_date,
            cast({{ end_date }} as date) as period_end_date,
            daily.*
        from daily
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

aggregated as (
    select
        period_grain,
        period_start_date,
        period_end_date,
        platform,
        campaign_id,
        cast(sum(spend_cents) as bigint) as spend_cents,
        cast(sum(impressions) as bigint) as impressions,
        cast(sum(clicks) as bigint) as clicks,
        sum(attributed_orders) as attributed_orders,
        cast(sum(attributed_net_revenue_cents) as bigint) as attributed_net_revenue_cents,
        sum(new_customers) as new_customers,
        sum(new_customer_predicted_clv_cents) as new_customer_predicted_clv_cents
    from periods
    group by period_grain, period_start_date, period_end_date, platform, campaign_id
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "aggregated.period_grain", "'|'",
            "cast(aggregated.period_start_date as " ~ dbt.type_string() ~ ")", "'|'",
            "aggregated.platform", "'|'", "coalesce(aggregated.campaign_id, '')"
        ])) }} as channel_roi_key,
        aggregated.period_grain,
        aggregated.period_start_date,
        aggregated.period_end_date,
        aggregated.platform,
        aggregated.campaign_id,
        campaign_names.campaign_name,
        aggregated.spend_cents,
        aggregated.impressions,
        aggregated.clicks,
        aggregated.attributed_orders,
        aggregated.attributed_net_revenue_cents,
        aggregated.new_customers,
        case
            when aggregated.spend_cents > 0
                then cast(aggregated.attributed_net_revenue_cents as double) / aggregated.spend_cents
        end as roas,
        case
            when aggregated.attributed_orders > 0
                then {{ whole_fen('aggregated.spend_cents / aggregated.attributed_orders') }}
        end as cpa_cents,
        case
            when aggregated.new_customers > 0
                then {{ whole_fen('aggregated.spend_cents / aggregated.new_customers') }}
        end as cac_cents,
        {{ whole_fen('aggregated.new_customer_predicted_clv_cents') }}
            as new_customer_predicted_clv_cents,
        case
            when aggregated.spend_cents > 0
                then aggregated.new_customer_predicted_clv_cents / aggregated.spend_cents
        end as ltv_to_cac
    from aggregated
    left join campaign_names
        on
            aggregated.platform = campaign_names.platform
            and aggregated.campaign_id = campaign_names.campaign_id
)

select * from final
