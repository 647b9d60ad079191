{#- One row per platform, ad (ad / ad group / unit) and report day, in one schema across Ocean
    Engine, Tencent Ads and Baidu. Staging has already put spend in fen and days in China
    Standard Time, so the three reports line up. Missing counts are zero; ratios are null when
    their denominator is zero. -#}

with

ad_daily_reports as (
    select * from {{ ref('int_ad_daily_reports') }}
),

zero_filled as (
    select
        platform,
        account_id,
        campaign_id,
        campaign_name,
        ad_id,
        ad_name,
        report_date,
        coalesce(spend_cents, 0) as spend_cents,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        coalesce(platform_conversions, 0) as platform_conversions
    from ad_daily_reports
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "platform", "'|'", "ad_id", "'|'", "cast(report_date as " ~ dbt.type_string() ~ ")"
        ])) }}
            as ad_performance_key,
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
        platform_conversions,
        case when impressions > 0 then cast(clicks as double) / impressions end as ctr,
        case
            when clicks > 0 then {{ whole_fen('cast(spend_cents as double) / clicks') }}
        end as cpc_cents,
        case
            when impressions > 0
                then {{ whole_fen('1000 * cast(spend_cents as double) / impressions') }}
        end as cpm_cents
    from zero_filled
)

select * from final
