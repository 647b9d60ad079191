{#- Rows of stg_shop__members that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

members as (
    select * from {{ ref('stg_shop__members') }}
),

final as (
    select
        quarantine_reason,
        raw_member_id as member_id,
        raw_phone as phone,
        raw_email as email,
        raw_unionid as unionid,
        raw_openid as openid,
        raw_registered_at as registered_at,
        raw_home_store_id as home_store_id,
        _source_file,
        _row_number,
        _load_date
    from members
    where quarantine_reason is not null
)

select * from final
