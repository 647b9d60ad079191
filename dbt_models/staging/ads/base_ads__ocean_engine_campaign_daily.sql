{#- Ocean Engine (Douyin) ad-level daily report, one row per raw row, in the shape shared by the
    three ad platforms. Spend arrives in yuan. -#}

with

source as (
    select * from {{ source('ads', 'ocean_engine_campaign_daily') }}
),

renamed as (
    select
        stat_date as raw_stat_date,
        advertiser_id as raw_advertiser_id,
        campaign_id as raw_campaign_id,
        campaign_name as raw_campaign_name,
        ad_id as raw_ad_id,
        ad_name as raw_ad_name,
        stat_cost as raw_stat_cost,
        currency as raw_currency,
        show_cnt as raw_show_cnt,
        click_cnt as raw_click_cnt,
        convert_cnt as raw_convert_cnt,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        'ocean_engine' as platform,
        {{ clean_string('raw_advertiser_id') }} as account_id,
        {{ clean_string('raw_campaign_id') }} as campaign_id,
        {{ clean_string('raw_campaign_name') }} as campaign_name,
        {{ clean_string('raw_ad_id') }} as ad_id,
        {{ clean_string('raw_ad_name') }} as ad_name,
        {{ parse_china_date('raw_stat_date') }} as report_date,
        {{ yuan_to_fen('raw_stat_cost') }} as spend_cents,
        -- Spend is in this currency; stg_ converts it to CNY fen (macros/staging/fx_conversion.sql).
        {{ clean_currency('raw_currency') }} as currency,
        {{ parse_integer('raw_show_cnt') }} as impressions,
        {{ parse_integer('raw_click_cnt') }} as clicks,
        {{ parse_integer('raw_convert_cnt') }} as platform_conversions
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
        raw_stat_date,
        raw_advertiser_id,
        raw_campaign_id,
        raw_campaign_name,
        raw_ad_id,
        raw_ad_name,
        raw_stat_cost,
        raw_currency,
        raw_show_cnt,
        raw_click_cnt,
        raw_convert_cnt
    from versioned
)

select * from final
