{#- Rows of stg_ads__baidu_campaign_daily that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

baidu_campaign_daily as (
    select * from {{ ref('stg_ads__baidu_campaign_daily') }}
),

final as (
    select
        quarantine_reason,
        raw_date as date,  -- noqa: RF04
        raw_account_name as account_name,
        raw_campaign_id as campaign_id,
        raw_campaign_name as campaign_name,
        raw_unit_id as unit_id,
        raw_unit_name as unit_name,
        raw_cost as cost,  -- noqa: RF04
        raw_impression as impression,
        raw_click as click,  -- noqa: RF04
        raw_conversion as conversion,  -- noqa: RF04
        _source_file,
        _row_number,
        _load_date
    from baidu_campaign_daily
    where quarantine_reason is not null
)

select * from final
