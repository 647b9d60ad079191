{#- Payments captured for orders, one row per raw row.

    Incremental: a run reads only the raw load days of the window and ranks their rows again
    with the earlier copies of the same keys (macros/incremental/staging_versions.sql). -#}

{{ config(**incremental_staging_config()) }}

with

source as (
    select * from {{ source('shop', 'payments') }}
    where {{ incremental_raw_window() }}
),

renamed as (
    select
        payment_id as raw_payment_id,
        order_id as raw_order_id,
        payment_method as raw_payment_method,
        amount as raw_amount,
        paid_at as raw_paid_at,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        {{ clean_string('raw_payment_id') }} as payment_id,
        {{ clean_string('raw_order_id') }} as order_id,
        case {{ clean_enum('raw_payment_method') }}
            when 'wechat_pay' then 'wechat_pay'
            when 'wechat' then 'wechat_pay'
            when '微信支付' then 'wechat_pay'
            when 'alipay' then 'alipay'
            when '支付宝' then 'alipay'
            when 'card' then 'card'
            when '银行卡' then 'card'
            when 'cash' then 'cash'
            when '现金' then 'cash'
        end as payment_method,
        {{ yuan_to_fen('raw_amount') }} as amount_cents,
        {{ parse_china_timestamp('raw_paid_at') }} as paid_at
    from renamed
),

validated as (
    select
        *,
        {{ quarantine_rule_violation() }} as rule_violation
    from cleaned
),

candidates as (
    {{ staging_rows_to_version('validated', 'payment_id', quarantine_duplicate_reason(), columns=[
        'raw_payment_id', 'raw_order_id', 'raw_payment_method', 'raw_amount', 'raw_paid_at',
        '_source_file', '_row_number', '_load_date', 'payment_id', 'order_id', 'payment_method',
        'amount_cents', 'paid_at',
    ]) }}
),

versioned as (
    select
        *,
        -- Ranked among rows that pass every other rule: the latest good export wins.
        row_number() over (
            partition by payment_id, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from candidates
),

final as (
    select
        payment_id,
        order_id,
        payment_method,
        amount_cents,
        paid_at,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_payment_id,
        raw_order_id,
        raw_payment_method,
        raw_amount,
        raw_paid_at
    from versioned
)

select * from final
