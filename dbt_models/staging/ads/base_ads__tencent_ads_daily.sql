{#- Tencent Ads (Guangdiantong) ad-group daily report, one row per raw row, in the shape shared
    by the three ad platforms. The ad group is the ad; cost arrives in fen already. -#}

with

source as (
    select * from {{ source('ads', 'tencent_ads_daily') }}
),

renamed as (
    select
        date as raw_date,
        account_id as raw_account_id,
        campaign_id as raw_campaign_id,
        campaign_name as raw_campaign_name,
        adgroup_id as raw_adgroup_id,
        adgroup_name as raw_adgroup_name,
        cost as raw_cost,
        currency as raw_currency,
        view_count as raw_view_count,
        valid_click_count as raw_valid_click_count,
        conversions_count as raw_conversions_count,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        'tencent_ads' as platform,
        {{ clean_string('raw_account_id') }} as account_id,
        {{ clean_string('raw_campaign_id') }} as campaign_id,
        {{ clean_string('raw_campaign_name') }} as campaign_name,
        {{ clean_string('raw_adgroup_id') }} as ad_id,
        {{ clean_string('raw_adgroup_name') }} as ad_name,
        {{ parse_china_date('raw_date') }} as report_date,
        {{ parse_integer('raw_cost') }} as spend_cents,
        -- Spend is in this currency; stg_ converts it to CNY fen (macros/staging/fx_conversion.sql).
        {{ clean_currency('raw_currency') }} as currency,
        {{ parse_integer('raw_view_count') }} as impressions,
        {{ parse_integer('raw_valid_click_count') }} as clicks,
        {{ parse_integer('raw_conversions_count') }} as platform_conversions
    from renamed
),

validated as (
    select
        *,
        {{ quarantine_rule_violation() }} as rule_violation
    from cleaned
),

versioned as (
    select
        *,
        -- Ranked among rows that pass every other rule: the latest good export wins.
        row_number() over (
            partition by report_date, ad_id, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from validated
),

final as (
    select
        platform,
        account_id,
        campaign_id,
        campaign_name,
        ad_id,
        ad_name,
        report_date,
        spend_cents,
        currency,
        impressions,
        clicks,
        platform_conversions,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_date,
        raw_account_id,
        raw_campaign_id,
        raw_campaign_name,
        raw_adgroup_id,
        raw_adgroup_name,
        raw_cost,
        raw_currency,
        raw_view_count,
        raw_valid_click_count,
        raw_conversions_count
    from versioned
)

select * from final
