{#- Rows of stg_shop__refunds that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

refunds as (
    select * from {{ ref('stg_shop__refunds') }}
),

final as (
    select
        quarantine_reason,
        raw_refund_id as refund_id,
        raw_order_id as order_id,
        raw_refund_amount as refund_amount,
        raw_refunded_at as refunded_at,
        raw_reason as reason,
        _source_file,
        _row_number,
        _load_date
    from refunds
    where quarantine_reason is not null
)

select * from final
