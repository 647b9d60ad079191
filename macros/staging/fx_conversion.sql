{#- Money in any currency, converted to CNY fen in the generated stg_ and quarantine models.

    A base model keeps amounts as exported: integer hundredths of the row's currency (fen for
    CNY). Its yml entry declares the conversion as its last quarantine rule,
      {reason: missing_fx_rate, fx_rate: {currency: <column>, day: <column>, amounts: [...]}}
    or, for rows in another row's currency (order lines, payments, refunds),
      {reason: missing_fx_rate, fx_rate: {rate_of: <base model>, key: <column>, amounts: [...]}}
    and `make generate` renders the stg_ model (converted clean rows) and the quarantine model
    (rows that broke a rule of the base model, plus clean rows with no usable rate) from the
    same CTEs below, so both always agree on which rows have a rate. A rate is usable for a day
    when it is the latest clean shop__fx_rates row of that currency on or before the day and at
    most var('fx_rate_max_age_days') days older; CNY needs none. -#}

{#- An ISO 4217 code, trimmed and upper-cased: 'CNY' when empty (the shop's own currency), null
    when it is not three letters. -#}
{% macro clean_currency(column) -%}
    {%- set code = 'upper(' ~ clean_string(column) ~ ')' -%}
    case
        when {{ code }} is null then 'CNY'
        when {{ regexp_matches(code, '^[A-Z]{3}$') }} then {{ code }}
    end
{%- endmacro %}


{#- The CTEs that find each foreign (currency, day) of `rows_cte` its usable rate: the days
    needed, the latest rate date within the window, and that date's rate. Ends with a comma; the
    result is the CTE fx_day_rates (currency, rate_day, fx_rate_date, cny_per_unit). -#}
{% macro fx_day_rate_ctes(rows_cte, rates_cte, currency, day) -%}
    {%- set max_age_days = var('fx_rate_max_age_days') | int -%}
fx_needed_days as (
    select distinct
        {{ currency }} as currency,
        {{ day }} as rate_day
    from {{ rows_cte }}
    where {{ currency }} <> 'CNY'
),

fx_latest_rate_dates as (
    select
        fx_needed_days.currency,
        fx_needed_days.rate_day,
        max({{ rates_cte }}.rate_date) as fx_rate_date
    from fx_needed_days
    inner join {{ rates_cte }}
        on
            fx_needed_days.currency = {{ rates_cte }}.currency
            and {{ rates_cte }}.rate_date <= fx_needed_days.rate_day
            and {{ rates_cte }}.rate_date
            >= cast({{ dbt.dateadd('day', -max_age_days, 'fx_needed_days.rate_day') }} as date)
    group by fx_needed_days.currency, fx_needed_days.rate_day
),

fx_day_rates as (
    select
        fx_latest_rate_dates.currency,
        fx_latest_rate_dates.rate_day,
        fx_latest_rate_dates.fx_rate_date,
        {{ rates_cte }}.cny_per_unit
    from fx_latest_rate_dates
    inner join {{ rates_cte }}
        on
            fx_latest_rate_dates.currency = {{ rates_cte }}.currency
            and fx_latest_rate_dates.fx_rate_date = {{ rates_cte }}.rate_date
),
{%- endmacro %}


{#- Every row of `rows_cte` with its rate from fx_day_rates: original_currency, cny_per_unit (1
    for CNY, null when a foreign currency has no usable rate) and fx_rate_date (null for CNY). -#}
{% macro fx_rows_with_rate(rows_cte, currency, day) -%}
    select
        {{ rows_cte }}.*,
        {{ rows_cte }}.{{ currency }} as original_currency,
        case
            when {{ rows_cte }}.{{ currency }} = 'CNY' then cast(1 as {{ fx_rate_type() }})
            else fx_day_rates.cny_per_unit
        end as cny_per_unit,
        fx_day_rates.fx_rate_date
    from {{ rows_cte }}
    left join fx_day_rates
        on
            {{ rows_cte }}.{{ currency }} = fx_day_rates.currency
            and {{ rows_cte }}.{{ day }} = fx_day_rates.rate_day
{%- endmacro %}


{#- Every row of `rows_cte` in the currency of its parent row in `parents_cte` (the foreign-currency
    parents with their rates) joined on `key`: the parent's original_currency, cny_per_unit and
    fx_rate_date; CNY with rate 1 when the parent is no clean foreign-currency row (a CNY parent,
    or none: such rows reach no mart, whose joins take clean parents only). -#}
{% macro fx_rows_with_parent_rate(rows_cte, parents_cte, key) -%}
    select
        {{ rows_cte }}.*,
        coalesce({{ parents_cte }}.original_currency, 'CNY') as original_currency,
        case
            when {{ parents_cte }}.{{ key }} is null then cast(1 as {{ fx_rate_type() }})
            else {{ parents_cte }}.cny_per_unit
        end as cny_per_unit,
        {{ parents_cte }}.fx_rate_date
    from {{ rows_cte }}
    left join {{ parents_cte }}
        on {{ rows_cte }}.{{ key }} = {{ parents_cte }}.{{ key }}
{%- endmacro %}


{#- Integer CNY fen from integer hundredths of original_currency: unchanged for CNY, otherwise
    round(hundredths * cny_per_unit), half away from zero on both engines. -#}
{% macro fx_to_cny_fen(amount) -%}
    case
        when original_currency = 'CNY' then {{ amount }}
        else cast(round({{ amount }} * cny_per_unit) as {{ dbt.type_bigint() }})
    end
{%- endmacro %}


{#- The type of cny_per_unit: eight decimals carry the rates of small units such as JPY or KRW. -#}
{% macro fx_rate_type() -%}
    decimal(20, 8)
{%- endmacro %}
