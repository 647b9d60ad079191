{#- Rows of stg_shop__order_items that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

final as (
    select
        quarantine_reason,
        raw_order_id as order_id,
        raw_line_number as line_number,
        raw_product_sku as product_sku,
        raw_product_name as product_name,
        raw_category as category,
        raw_quantity as quantity,
        raw_unit_price as unit_price,
        _source_file,
        _row_number,
        _load_date
    from order_items
    where quarantine_reason is not null
)

select * from final
