{#- Refunds, one row per raw row; amounts are positive in the export and stay positive here. -#}

with

source as (
    select * from {{ source('shop', 'refunds') }}
),

renamed as (
    select
        refund_id as raw_refund_id,
        order_id as raw_order_id,
        refund_amount as raw_refund_amount,
        refunded_at as raw_refunded_at,
        reason as raw_reason,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        {{ clean_string('raw_refund_id') }} as refund_id,
        {{ clean_string('raw_order_id') }} as order_id,
        {{ yuan_to_fen('raw_refund_amount') }} as refund_amount_cents,
        {{ parse_china_timestamp('raw_refunded_at') }} as refunded_at,
        {{ clean_string('raw_reason') }} as refund_reason
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
            partition by refund_id, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from validated
),

final as (
    select
        refund_id,
        order_id,
        refund_amount_cents,
        refunded_at,
        refund_reason,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_refund_id,
        raw_order_id,
        raw_refund_amount,
        raw_refunded_at,
        raw_reason
    from versioned
)

select * from final
