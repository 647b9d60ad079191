{#- The clean daily ad reports of Ocean Engine, Tencent Ads and Baidu in one relation. Staging
    already gives the three the same columns (spend in fen, China Standard Time days); missing
    counts stay null here so each reader decides what a missing value means. -#}

with

ocean_engine as (
    select * from {{ ref('stg_ads__ocean_engine_campaign_daily') }}
),

tencent_ads as (
    select * from {{ ref('stg_ads__tencent_ads_daily') }}
),

baidu as (
    select * from {{ ref('stg_ads__baidu_campaign_daily') }}
),

final as (
    {%- for relation in ['ocean_engine', 'tencent_ads', 'baidu'] %}
        select
            platform,
            account_id,
            campaign_id,
            campaign_name,
            ad_id,
            ad_name,
            report_date,
            spend_cents,
            impressions,
            clicks,
            platform_conversions
        from {{ relation }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
