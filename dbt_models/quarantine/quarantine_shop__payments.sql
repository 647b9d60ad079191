{#- Rows of stg_shop__payments that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

payments as (
    select * from {{ ref('stg_shop__payments') }}
),

final as (
    select
        quarantine_reason,
        raw_payment_id as payment_id,
        raw_order_id as order_id,
        raw_payment_method as payment_method,
        raw_amount as amount,
        raw_paid_at as paid_at,
        _source_file,
        _row_number,
        _load_date
    from payments
    where quarantine_reason is not null
)

select * from final
