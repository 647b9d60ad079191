{#- WeCom external contacts, one row per contact version (an add or a change in the SCRM). The
    latest state of a contact is its row with the latest updated_at. -#}

with

source as (
    select * from {{ source('scrm', 'wecom_contacts') }}
),

renamed as (
    select
        external_userid as raw_external_userid,
        unionid as raw_unionid,
        nickname as raw_nickname,
        phone as raw_phone,
        tags as raw_tags,
        owner_userid as raw_owner_userid,
        add_time as raw_add_time,
        marketing_consent as raw_marketing_consent,
        opt_out as raw_opt_out,
        updated_at as raw_updated_at,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        {{ clean_string('raw_external_userid') }} as external_userid,
        {{ clean_string('raw_unionid') }} as unionid,
        {{ clean_string('raw_nickname') }} as nickname,
        {{ normalize_cn_mobile('raw_phone') }} as phone,
        {{ clean_string('raw_tags') }} as tags,
        {{ clean_string('raw_owner_userid') }} as owner_userid,
        {{ epoch_seconds_to_china_timestamp('raw_add_time') }} as added_at,
        -- Without a clear yes there is no consent to market.
        {{ parse_flag('raw_marketing_consent', when_blank='false', when_unknown='false') }}
            as has_marketing_consent,
        -- An opt-out that cannot be read is honoured: better one message fewer than one too many.
        {{ parse_flag('raw_opt_out', when_blank='false', when_unknown='true') }} as has_opted_out,
        {{ epoch_seconds_to_china_timestamp('raw_updated_at') }} as updated_at
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
            partition by external_userid, updated_at, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from validated
),

final as (
    select
        external_userid,
        unionid,
        nickname,
        phone,
        -- Marked, not guessed: a phone was given but is no valid mainland mobile.
        coalesce(
            phone is null and not {{ is_blank('raw_phone') }},
            false
        ) as is_phone_invalid,
        tags,
        owner_userid,
        added_at,
        has_marketing_consent,
        has_opted_out,
        updated_at,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_external_userid,
        raw_unionid,
        raw_nickname,
        raw_phone,
        raw_tags,
        raw_owner_userid,
        raw_add_time,
        raw_marketing_consent,
        raw_opt_out,
        raw_updated_at
    from versioned
)

select * from final
