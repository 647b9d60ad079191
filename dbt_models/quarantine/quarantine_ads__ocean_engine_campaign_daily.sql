{#- Rows of stg_ads__ocean_engine_campaign_daily that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

ocean_engine_campaign_daily as (
    select * from {{ ref('stg_ads__ocean_engine_campaign_daily') }}
),

final as (
    select
        quarantine_reason,
        raw_stat_date as stat_date,
        raw_advertiser_id as advertiser_id,
        raw_campaign_id as campaign_id,
        raw_campaign_name as campaign_name,
        raw_ad_id as ad_id,
        raw_ad_name as ad_name,
        raw_stat_cost as stat_cost,
        raw_show_cnt as show_cnt,
        raw_click_cnt as click_cnt,
        raw_convert_cnt as convert_cnt,
        _source_file,
        _row_number,
        _load_date
    from ocean_engine_campaign_daily
    where quarantine_reason is not null
)

select * from final
