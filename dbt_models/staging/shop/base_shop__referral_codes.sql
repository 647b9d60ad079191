{#- Referral codes handed out to members, one row per raw row. Codes are upper-cased so that a
    code typed in lower case at checkout still matches its issue. -#}

with

source as (
    select * from {{ source('shop', 'referral_codes') }}
),

renamed as (
    select
        referral_code as raw_referral_code,
        referrer_member_id as raw_referrer_member_id,
        created_at as raw_created_at,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        upper({{ clean_string('raw_referral_code') }}) as referral_code,
        {{ clean_string('raw_referrer_member_id') }} as referrer_member_id,
        {{ parse_china_timestamp('raw_created_at') }} as created_at
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
            partition by referral_code, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from validated
),

final as (
    select
        referral_code,
        referrer_member_id,
        created_at,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_referral_code,
        raw_referrer_member_id,
        raw_created_at
    from versioned
)

select * from final
