{#- Daily exchange rates, one row per raw row: CNY yuan for one unit of a foreign currency.
    Staging reads the clean rows to convert foreign-currency amounts (macros/staging/fx_conversion.sql). -#}

with

source as (
    select * from {{ source('shop', 'fx_rates') }}
),

renamed as (
    select
        rate_date as raw_rate_date,
        currency as raw_currency,
        cny_per_unit as raw_cny_per_unit,
        source as raw_source,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        {{ parse_china_date('raw_rate_date') }} as rate_date,
        {{ clean_currency('raw_currency') }} as currency,
        {{ parse_decimal('raw_cny_per_unit', fx_rate_type()) }} as cny_per_unit,
        {{ clean_string('raw_source') }} as rate_source
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
            partition by rate_date, currency, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from validated
),

final as (
    select
        rate_date,
        currency,
        cny_per_unit,
        rate_source,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_rate_date,
        raw_currency,
        raw_cny_per_unit,
        raw_source
    from versioned
)

select * from final
