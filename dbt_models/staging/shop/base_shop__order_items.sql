{#- Order lines, one row per raw row. Lines of a quarantined order stay clean here; downstream
    models join them to clean orders only.

    Incremental: a run reads only the raw load days of the window and ranks their rows again
    with the earlier copies of the same keys (macros/incremental/staging_versions.sql). -#}

{{ config(**incremental_staging_config()) }}

with

source as (
    select * from {{ source('shop', 'order_items') }}
    where {{ incremental_raw_window() }}
),

renamed as (
    select
        order_id as raw_order_id,
        line_number as raw_line_number,
        product_sku as raw_product_sku,
        product_name as raw_product_name,
        category as raw_category,
        quantity as raw_quantity,
        unit_price as raw_unit_price,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        {{ clean_string('raw_order_id') }} as order_id,
        {{ parse_integer('raw_line_number') }} as line_number,
        {{ clean_string('raw_product_sku') }} as product_sku,
        {{ clean_string('raw_product_name') }} as product_name,
        {{ clean_enum('raw_category') }} as category,
        {{ parse_integer('raw_quantity') }} as quantity,
        {{ yuan_to_fen('raw_unit_price') }} as unit_price_cents
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
        'raw_order_id', 'raw_line_number', 'raw_product_sku', 'raw_product_name',
        'raw_category', 'raw_quantity', 'raw_unit_price', '_source_file', '_row_number',
        '_load_date', 'order_id', 'line_number', 'product_sku', 'product_name', 'category',
        'quantity', 'unit_price_cents',
    ]) }}
),

versioned as (
    select
        *,
        -- Ranked among rows that pass every other rule: the latest good export wins.
        row_number() over (
            partition by order_id, line_number, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from candidates
),

final as (
    select
        order_id,
        line_number,
        product_sku,
        product_name,
        category,
        quantity,
        unit_price_cents,
        quantity * unit_price_cents as line_amount_cents,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_order_id,
        raw_line_number,
        raw_product_sku,
        raw_product_name,
        raw_category,
        raw_quantity,
        raw_unit_price
    from versioned
)

select * from final
