{#- Rows of stg_shop__orders that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

final as (
    select
        quarantine_reason,
        raw_order_id as order_id,
        raw_store_id as store_id,
        raw_member_id as member_id,
        raw_buyer_phone as buyer_phone,
        raw_openid as openid,
        raw_order_time as order_time,
        raw_order_status as order_status,
        raw_total_amount as total_amount,
        raw_discount_amount as discount_amount,
        raw_referral_code as referral_code,
        raw_currency as currency,
        raw_updated_at as updated_at,
        _source_file,
        _row_number,
        _load_date
    from orders
    where quarantine_reason is not null
)

select * from final
