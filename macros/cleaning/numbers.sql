{#- Numbers and money. Values are validated with a pattern before they are cast because the
    engines disagree on loose input: DuckDB rounds '12.5' cast to bigint, Spark truncates it, and
    both read forms such as '1e3' or 'NaN' differently. -#}

{#- Text of a number without padding, thousands separators or a yuan sign, or null when blank. -#}
{% macro numeric_text(column) -%}
    nullif(replace(replace(replace(trim({{ column }}), ',', ''), '¥', ''), '￥', ''), '')
{%- endmacro %}


{#- A bigint from a whole number such as '1234', '-3' or '1,234'; null for anything else. -#}
{% macro parse_integer(column) -%}
    {%- set text = numeric_text(column) -%}
    case
        when {{ regexp_matches(text, '^[+-]?[0-9]{1,18}$') }}
            then {{ dbt.safe_cast(text, dbt.type_bigint()) }}
    end
{%- endmacro %}


{#- A decimal(18, 4) (or `type`) from a plain decimal such as '12.34', '-0.5' or '1,234.00'; null
    for anything else (exponents, several points, letters) and for more integer digits than the
    type holds (14 for decimal(18, 4)). -#}
{% macro parse_decimal(column, type='decimal(18, 4)') -%}
    {%- set text = numeric_text(column) -%}
    case
        when {{ regexp_matches(text, '^[+-]?([0-9]+([.][0-9]+)?|[.][0-9]+)$') }}
            then {{ dbt.safe_cast(text, type) }}
    end
{%- endmacro %}


{#- Integer fen (1/100 yuan) from a yuan amount, rounded half away from zero: round(amount * 100).
    Null when the amount is not a number. -#}
{% macro yuan_to_fen(column) -%}
    {{ return(adapter.dispatch('yuan_to_fen', 'customer_value_warehouse')(column)) }}
{%- endmacro %}

{#- Portable as written: both engines round decimals half away from zero. -#}
{% macro default__yuan_to_fen(column) -%}
    cast(round({{ parse_decimal(column) }} * 100) as {{ dbt.type_bigint() }})
{%- endmacro %}
