{#- Mini-program tracking events, one row per raw row.

    Incremental (the largest raw source): a run reads only the raw load days of the window (see
    macros/incremental) and ranks their rows again with the earlier rows of the same event ids,
    so a re-export still makes the older copy a duplicate. Merged on the raw row's address. -#}

{{ config(**incremental_staging_config()) }}

with

source as (
    select * from {{ source('scrm', 'miniprogram_events') }}
    where {{ incremental_raw_window() }}
),

renamed as (
    select
        event_id as raw_event_id,
        openid as raw_openid,
        unionid as raw_unionid,
        event_name as raw_event_name,
        page as raw_page,
        product_sku as raw_product_sku,
        campaign_id as raw_campaign_id,
        event_time as raw_event_time,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        {{ clean_string('raw_event_id') }} as event_id,
        {{ clean_string('raw_openid') }} as openid,
        {{ clean_string('raw_unionid') }} as unionid,
        case {{ clean_enum('raw_event_name') }}
            when 'view' then 'view'
            when 'add_to_cart' then 'add_to_cart'
            when 'share' then 'share'
            when 'page_view' then 'page_view'
        end as event_name,
        {{ clean_string('raw_page') }} as page,
        {{ clean_string('raw_product_sku') }} as product_sku,
        {{ clean_string('raw_campaign_id') }} as campaign_id,
        {{ epoch_millis_to_china_timestamp('raw_event_time') }} as event_at
    from renamed
),

validated as (
    select
        *,
        {{ quarantine_rule_violation() }} as rule_violation
    from cleaned
),

candidates as (
    {{ staging_rows_to_version('validated', 'event_id', quarantine_duplicate_reason(), columns=[
        'raw_event_id', 'raw_openid', 'raw_unionid', 'raw_event_name', 'raw_page',
        'raw_product_sku', 'raw_campaign_id', 'raw_event_time', '_source_file', '_row_number',
        '_load_date', 'event_id', 'openid', 'unionid', 'event_name', 'page', 'product_sku',
        'campaign_id', 'event_at',
    ]) }}
),

versioned as (
    select
        *,
        -- Ranked among rows that pass every other rule: the latest good export wins.
        row_number() over (
            partition by event_id, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from candidates
),

final as (
    select
        event_id,
        openid,
        unionid,
        event_name,
        page,
        product_sku,
        campaign_id,
        event_at,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_event_id,
        raw_openid,
        raw_unionid,
        raw_event_name,
        raw_page,
        raw_product_sku,
        raw_campaign_id,
        raw_event_time
    from versioned
)

select * from final
