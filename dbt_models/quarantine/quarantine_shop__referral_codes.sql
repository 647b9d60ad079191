{#- Rows of stg_shop__referral_codes that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

referral_codes as (
    select * from {{ ref('stg_shop__referral_codes') }}
),

final as (
    select
        quarantine_reason,
        raw_referral_code as referral_code,
        raw_referrer_member_id as referrer_member_id,
        raw_created_at as created_at,
        _source_file,
        _row_number,
        _load_date
    from referral_codes
    where quarantine_reason is not null
)

select * from final
