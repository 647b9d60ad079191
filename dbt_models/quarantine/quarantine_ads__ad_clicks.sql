{#- Rows of stg_ads__ad_clicks that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

ad_clicks as (
    select * from {{ ref('stg_ads__ad_clicks') }}
),

final as (
    select
        quarantine_reason,
        raw_click_id as click_id,
        raw_platform as platform,
        raw_campaign_id as campaign_id,
        raw_ad_id as ad_id,
        raw_click_time as click_time,
        raw_openid as openid,
        _source_file,
        _row_number,
        _load_date
    from ad_clicks
    where quarantine_reason is not null
)

select * from final
