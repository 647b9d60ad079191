{#- Rows of stg_scrm__wecom_contacts that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

wecom_contacts as (
    select * from {{ ref('stg_scrm__wecom_contacts') }}
),

final as (
    select
        quarantine_reason,
        raw_external_userid as external_userid,
        raw_unionid as unionid,
        raw_nickname as nickname,
        raw_phone as phone,
        raw_tags as tags,
        raw_owner_userid as owner_userid,
        raw_add_time as add_time,
        raw_marketing_consent as marketing_consent,
        raw_opt_out as opt_out,
        raw_updated_at as updated_at,
        _source_file,
        _row_number,
        _load_date
    from wecom_contacts
    where quarantine_reason is not null
)

select * from final
