{#- Loyalty members, one row per raw row. An invalid phone or e-mail becomes null and the member
    stays clean: the member id identifies them. -#}

with

source as (
    select * from {{ source('shop', 'members') }}
),

renamed as (
    select
        member_id as raw_member_id,
        phone as raw_phone,
        email as raw_email,
        unionid as raw_unionid,
        openid as raw_openid,
        registered_at as raw_registered_at,
        home_store_id as raw_home_store_id,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        {{ clean_string('raw_member_id') }} as member_id,
        {{ normalize_cn_mobile('raw_phone') }} as phone,
        {{ normalize_email('raw_email') }} as email,
        {{ clean_string('raw_unionid') }} as unionid,
        {{ clean_string('raw_openid') }} as openid,
        {{ parse_china_timestamp('raw_registered_at') }} as registered_at,
        {{ clean_string('raw_home_store_id') }} as home_store_id
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
            partition by member_id, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from validated
),

final as (
    select
        member_id,
        phone,
        -- Marked, not guessed: a phone was given but is no valid mainland mobile.
        coalesce(
            phone is null and not {{ is_blank('raw_phone') }},
            false
        ) as is_phone_invalid,
        email,
        unionid,
        openid,
        registered_at,
        home_store_id,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_member_id,
        raw_phone,
        raw_email,
        raw_unionid,
        raw_openid,
        raw_registered_at,
        raw_home_store_id
    from versioned
)

select * from final
