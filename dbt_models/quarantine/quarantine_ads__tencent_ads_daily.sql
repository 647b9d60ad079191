{#- Rows of stg_ads__tencent_ads_daily that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

tencent_ads_daily as (
    select * from {{ ref('stg_ads__tencent_ads_daily') }}
),

final as (
    select
        quarantine_reason,
        raw_date as date,  -- noqa: RF04
        raw_account_id as account_id,
        raw_campaign_id as campaign_id,
        raw_campaign_name as campaign_name,
        raw_adgroup_id as adgroup_id,
        raw_adgroup_name as adgroup_name,
        raw_cost as cost,  -- noqa: RF04
        raw_view_count as view_count,
        raw_valid_click_count as valid_click_count,
        raw_conversions_count as conversions_count,
        _source_file,
        _row_number,
        _load_date
    from tencent_ads_daily
    where quarantine_reason is not null
)

select * from final
