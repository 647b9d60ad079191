{#- Store master data, one row per raw row. -#}

with

source as (
    select * from {{ source('shop', 'stores') }}
),

renamed as (
    select
        store_id as raw_store_id,
        store_name as raw_store_name,
        channel as raw_channel,
        platform as raw_platform,
        city as raw_city,
        opened_date as raw_opened_date,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        {{ clean_string('raw_store_id') }} as store_id,
        {{ clean_string('raw_store_name') }} as store_name,
        case {{ clean_enum('raw_channel') }}
            when 'online' then 'online'
            when 'offline' then 'offline'
            when '线上' then 'online'
            when '线下' then 'offline'
        end as channel,
        case {{ clean_enum('raw_platform') }}
            when '小程序' then 'mini_program'
            when '微信小程序' then 'mini_program'
            when '天猫' then 'tmall'
            when '京东' then 'jd'
            when '官网' then 'web'
            when '网店' then 'web'
            when 'website' then 'web'
            when '移动应用' then 'app'
            -- Any other spelling stays as exported (lower-cased); the accepted_values test warns.
            else {{ clean_enum('raw_platform') }}
        end as platform,
        {{ clean_string('raw_city') }} as city,
        {{ parse_china_date('raw_opened_date') }} as opened_date
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
            partition by store_id, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from validated
),

final as (
    select
        store_id,
        store_name,
        channel,
        platform,
        city,
        opened_date,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_store_id,
        raw_store_name,
        raw_channel,
        raw_platform,
        raw_city,
        raw_opened_date
    from versioned
)

select * from final
