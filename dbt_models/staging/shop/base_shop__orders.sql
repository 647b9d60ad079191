{#- Order headers, one row per raw row. A re-exported order (same order_id, later updated_at)
    supersedes the older row, which is quarantined as a duplicate.

    Incremental: a run reads only the raw load days of the window and ranks their rows again
    with the earlier copies of the same keys (macros/incremental/staging_versions.sql). -#}

{{ config(**incremental_staging_config()) }}

with

source as (
    select * from {{ source('shop', 'orders') }}
    where {{ incremental_raw_window() }}
),

renamed as (
    select
        order_id as raw_order_id,
        store_id as raw_store_id,
        member_id as raw_member_id,
        buyer_phone as raw_buyer_phone,
        openid as raw_openid,
        order_time as raw_order_time,
        order_status as raw_order_status,
        total_amount as raw_total_amount,
        discount_amount as raw_discount_amount,
        referral_code as raw_referral_code,
        currency as raw_currency,
        updated_at as raw_updated_at,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        {{ clean_string('raw_order_id') }} as order_id,
        {{ clean_string('raw_store_id') }} as store_id,
        {{ clean_string('raw_member_id') }} as member_id,
        {{ normalize_cn_mobile('raw_buyer_phone') }} as phone,
        {{ clean_string('raw_openid') }} as openid,
        {{ parse_china_timestamp('raw_order_time') }} as ordered_at,
        case {{ clean_enum('raw_order_status') }}
            when 'paid' then 'paid'
            when 'completed' then 'completed'
            when 'cancelled' then 'cancelled'
            when 'canceled' then 'cancelled'
        end as order_status,
        {{ yuan_to_fen('raw_total_amount') }} as gross_amount_cents,
        -- No discount given means none was granted.
        case
            when {{ is_blank('raw_discount_amount') }} then 0
            else {{ yuan_to_fen('raw_discount_amount') }}
        end as discount_amount_cents,
        upper({{ clean_string('raw_referral_code') }}) as referral_code,
        -- Amounts are in this currency; an empty one is the shop's own, CNY. stg_shop__orders
        -- converts them (macros/staging/fx_conversion.sql).
        {{ clean_currency('raw_currency') }} as currency,
        {{ parse_china_timestamp('raw_updated_at') }} as updated_at
    from renamed
),

validated as (
    select
        *,
        {{ quarantine_rule_violation() }} as rule_violation
    from cleaned
),

candidates as (
    {{ staging_rows_to_version('validated', 'order_id', quarantine_duplicate_reason(), columns=[
        'raw_order_id', 'raw_store_id', 'raw_member_id', 'raw_buyer_phone', 'raw_openid',
        'raw_order_time', 'raw_order_status', 'raw_total_amount', 'raw_discount_amount',
        'raw_referral_code', 'raw_currency', 'raw_updated_at', '_source_file', '_row_number',
        '_load_date', 'order_id', 'store_id', 'member_id', 'phone', 'openid', 'ordered_at',
        'order_status', 'gross_amount_cents', 'discount_amount_cents', 'referral_code',
        'currency', 'updated_at',
    ]) }}
),

versioned as (
    select
        *,
        -- Versions are ranked among rows that pass every other rule, so a broken re-export
        -- never hides the last good version of an order.
        row_number() over (
            partition by order_id, rule_violation
            order by updated_at desc, _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from candidates
),

final as (
    select
        order_id,
        store_id,
        member_id,
        phone,
        -- Marked, not guessed: a phone was given but is no valid mainland mobile.
        coalesce(
            phone is null and not {{ is_blank('raw_buyer_phone') }},
            false
        ) as is_phone_invalid,
        openid,
        ordered_at,
        cast(ordered_at as date) as order_date,
        order_status,
        gross_amount_cents,
        discount_amount_cents,
        gross_amount_cents - discount_amount_cents as order_amount_cents,
        referral_code,
        currency,
        updated_at,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_order_id,
        raw_store_id,
        raw_member_id,
        raw_buyer_phone,
        raw_openid,
        raw_order_time,
        raw_order_status,
        raw_total_amount,
        raw_discount_amount,
        raw_referral_code,
        raw_currency,
        raw_updated_at
    from versioned
)

select * from final
