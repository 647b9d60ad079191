{#- The paid-media funnel per platform, campaign and day: exposure (impressions) -> click (platform
    clicks) -> product view -> add-to-cart (distinct mini-program users whose events carry the
    campaign) -> order (revenue orders whose credit under var `marketing_roi_attribution_model`
    goes to one of the campaign's ad clicks, on the order day) -> paid (those orders with a clean
    payment). Each step's conversion rate is its count over the previous step's count on the same
    day, and the drop-off rate is one minus it; both are null when the previous step is zero.
    Steps come from different systems and days, so a rate can exceed one. -#}

{%- set steps = ['impressions', 'clicks', 'product_viewers', 'cart_adders', 'orders', 'paid_orders'] -%}

with

ad_performance as (
    select * from {{ ref('fct_ad_performance_daily') }}
),

miniprogram_events as (
    select * from {{ ref('stg_scrm__miniprogram_events') }}
),

attribution as (
    select * from {{ ref('fct_attribution') }}
    where
        attribution_model = '{{ var("marketing_roi_attribution_model") }}'
        and touch_type = 'paid_ad'
        and credit_share > 0
),

payments as (
    select * from {{ ref('stg_shop__payments') }}
),

campaigns as (
    select distinct
        platform,
        campaign_id
    from ad_performance
),

daily_delivery as (
    select
        report_date as funnel_date,
        platform,
        campaign_id,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        0 as product_viewers,
        0 as cart_adders,
        0 as orders,
        0 as paid_orders
    from ad_performance
    group by report_date, platform, campaign_id
),

daily_events as (
    select
        cast(miniprogram_events.event_at as date) as funnel_date,
        campaigns.platform,
        miniprogram_events.campaign_id,
        0 as impressions,
        0 as clicks,
        count(distinct case
            when miniprogram_events.event_name = 'view' then miniprogram_events.openid
        end) as product_viewers,
        count(distinct case
            when miniprogram_events.event_name = 'add_to_cart' then miniprogram_events.openid
        end) as cart_adders,
        0 as orders,
        0 as paid_orders
    from miniprogram_events
    inner join campaigns
        on miniprogram_events.campaign_id = campaigns.campaign_id
    group by cast(miniprogram_events.event_at as date), campaigns.platform, miniprogram_events.campaign_id
),

paid_orders as (
    select distinct order_id
    from payments
    where amount_cents > 0
),

daily_orders as (
    select
        attribution.order_date as funnel_date,
        attribution.platform,
        attribution.campaign_id,
        0 as impressions,
        0 as clicks,
        0 as product_viewers,
        0 as cart_adders,
        count(distinct attribution.order_id) as orders,
        count(distinct paid_orders.order_id) as paid_orders
    from attribution
    left join paid_orders
        on attribution.order_id = paid_orders.order_id
    group by attribution.order_date, attribution.platform, attribution.campaign_id
),

unioned as (
    select * from daily_delivery
    union all
    select * from daily_events
    union all
    select * from daily_orders
),

aggregated as (
    select
        funnel_date,
        platform,
        campaign_id,
        -- Jinja loops over the funnel steps: layout is checked on the compiled SQL by dbt tests.
        -- noqa: disable=LT02
        {%- for step in steps %}
        cast(sum({{ step }}) as bigint) as {{ step }}{{ ',' if not loop.last }}
        {%- endfor %}
    -- noqa: enable=LT02
    from unioned
    group by funnel_date, platform, campaign_id
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "cast(funnel_date as " ~ dbt.type_string() ~ ")", "'|'", "platform", "'|'", "campaign_id"
        ])) }} as funnel_key,
        funnel_date,
        platform,
        campaign_id,
        -- noqa: disable=LT02
        {%- for step in steps %}
        {{ step }},
        {%- endfor %}
        {%- for step in steps[1:] %}
        {%- set previous = steps[loop.index0] %}
        case
            when {{ previous }} > 0 then cast({{ step }} as double) / {{ previous }}
        end as {{ step }}_conversion_rate,
        case
            when {{ previous }} > 0 then 1.0 - cast({{ step }} as double) / {{ previous }}
        end as {{ step }}_drop_off_rate{{ ',' if not loop.last }}
        {%- endfor %}
    -- noqa: enable=LT02
    from aggregated
)

select * from final
