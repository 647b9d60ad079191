{#- Rows of stg_scrm__miniprogram_events that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

miniprogram_events as (
    select * from {{ ref('stg_scrm__miniprogram_events') }}
),

final as (
    select
        quarantine_reason,
        raw_event_id as event_id,
        raw_openid as openid,
        raw_unionid as unionid,
        raw_event_name as event_name,
        raw_page as page,
        raw_product_sku as product_sku,
        raw_campaign_id as campaign_id,
        raw_event_time as event_time,
        _source_file,
        _row_number,
        _load_date
    from miniprogram_events
    where quarantine_reason is not null
)

select * from final
