{#- Rows of stg_shop__stores that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

stores as (
    select * from {{ ref('stg_shop__stores') }}
),

final as (
    select
        quarantine_reason,
        raw_store_id as store_id,
        raw_store_name as store_name,
        raw_channel as channel,
        raw_platform as platform,
        raw_city as city,
        raw_opened_date as opened_date,
        _source_file,
        _row_number,
        _load_date
    from stores
    where quarantine_reason is not null
)

select * from final
