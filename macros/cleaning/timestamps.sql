{#- Timestamps and dates. The warehouse keeps naive timestamps in China Standard Time (UTC+8).
    China has had no daylight saving time since 1991, so converting from UTC is a fixed +8 hours
    and needs no time-zone database on either engine. -#}

{#- Timestamp text the exports use, China time unless an offset is given:
    'YYYY-MM-DD HH:MM:SS', 'YYYY/MM/DD HH:MM' (month, day and hour may have one digit, seconds and
    fractions are optional, 'T' may separate date and time) and ISO 8601 with an offset:
    'Z', '+00:00', '+0000' or '+08'. -#}
{% macro china_timestamp_pattern() -%}
    {{ return('^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?$') }}
{%- endmacro %}

{% macro utc_offset_pattern() -%}
    {{ return('([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$') }}
{%- endmacro %}


{#- Adds a whole number of minutes to a naive timestamp. -#}
{% macro add_minutes(timestamp_expression, minutes) -%}
    {{ return(adapter.dispatch('add_minutes', 'customer_value_warehouse')(timestamp_expression, minutes)) }}
{%- endmacro %}

{% macro default__add_minutes(timestamp_expression, minutes) -%}
    {{ dbt.dateadd('minute', minutes, timestamp_expression) }}
{%- endmacro %}

{#- dbt-spark's dateadd goes through unix timestamps in the session time zone; timestampadd on a
    TIMESTAMP_NTZ is plain calendar arithmetic (Spark 3.3+). -#}
{% macro spark__add_minutes(timestamp_expression, minutes) -%}
    timestampadd(MINUTE, {{ minutes }}, {{ timestamp_expression }})
{%- endmacro %}


{#- Minutes to add to the local part of a timestamp text to reach China time: 0 without an
    offset (the text is China time already), 480 for UTC, 480 minus the offset otherwise. -#}
{% macro china_shift_minutes(text) -%}
    {%- set offset = regexp_extract_group(text, utc_offset_pattern(), 1) -%}
    case
        when {{ offset }} is null then 0
        when upper({{ offset }}) = 'Z' then 480
        else 480 - (case when {{ offset }} like '-%' then -1 else 1 end) * (
            cast(substring({{ offset }}, 2, 2) as int) * 60
            + case
                when length({{ offset }}) > 3
                    then cast(substring({{ offset }}, length({{ offset }}) - 1, 2) as int)
                else 0
            end
        )
    end
{%- endmacro %}


{#- A naive China-time timestamp from mixed-format text; null when the text is none of the
    accepted forms or not a real time ('2026-02-30 10:00'). -#}
{% macro parse_china_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_china_timestamp', 'customer_value_warehouse')(column)) }}
{%- endmacro %}

{% macro default__parse_china_timestamp(column) -%}
    {%- set text = clean_string(column) -%}
    {#- The local part with '-' between date fields and ' ' before the time. -#}
    {%- set local_text -%}
        translate(regexp_replace({{ text }}, '{{ utc_offset_pattern() }}', ''), '/T', '- ')
    {%- endset -%}
    {#- Seconds appended when missing, so every engine's cast sees 'YYYY-M-D H:MM:SS'. -#}
    {%- set full_text -%}
        case when {{ local_text }} like '%:%:%' then {{ local_text }} else {{ dbt.concat([local_text, "':00'"]) }} end
    {%- endset -%}
    {#- The contract's main form comes first: it needs no rewriting, and most rows stop there. #}
    case
        when {{ regexp_matches(text, '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$') }}
            then {{ try_cast_timestamp(text) }}
        when {{ regexp_matches(text, china_timestamp_pattern()) }}
            then {{ add_minutes(try_cast_timestamp(full_text), china_shift_minutes(text)) }}
    end
{%- endmacro %}


{#- A naive China-time timestamp from Unix epoch seconds (UTC) given as text; null unless the
    text is 1 to 11 digits, which also keeps milliseconds sent by mistake from becoming dates in
    the year 50000. -#}
{% macro epoch_seconds_to_china_timestamp(column) -%}
    {{ return(adapter.dispatch('epoch_seconds_to_china_timestamp', 'customer_value_warehouse')(column)) }}
{%- endmacro %}

{% macro default__epoch_seconds_to_china_timestamp(column) -%}
    {%- set text = clean_string(column) -%}
    case
        when {{ regexp_matches(text, '^[0-9]{1,11}$') }}
            then {{ dbt.dateadd(
                'second',
                dbt.safe_cast(text, dbt.type_bigint()) ~ ' + 28800',
                "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")"
            ) }}
    end
{%- endmacro %}

{#- DuckDB multiplies intervals by 32-bit integers only, so the epoch goes through
    make_timestamp (microseconds since 1970) instead of dateadd. -#}
{% macro duckdb__epoch_seconds_to_china_timestamp(column) -%}
    {%- set text = clean_string(column) -%}
    case
        when regexp_matches({{ text }}, '^[0-9]{1,11}$')
            then make_timestamp((try_cast({{ text }} as bigint) + 28800) * 1000000)
    end
{%- endmacro %}

{% macro spark__epoch_seconds_to_china_timestamp(column) -%}
    {%- set text = clean_string(column) -%}
    case
        when {{ text }} rlike '^[0-9]{1,11}$'
            then timestampadd(
                SECOND,
                try_cast({{ text }} as bigint) + 28800,
                cast('1970-01-01 00:00:00' as timestamp_ntz)
            )
    end
{%- endmacro %}


{#- A naive China-time timestamp from Unix epoch milliseconds (UTC) given as text; null unless
    the text is 1 to 14 digits. -#}
{% macro epoch_millis_to_china_timestamp(column) -%}
    {{ return(adapter.dispatch('epoch_millis_to_china_timestamp', 'customer_value_warehouse')(column)) }}
{%- endmacro %}

{% macro default__epoch_millis_to_china_timestamp(column) -%}
    {%- set text = clean_string(column) -%}
    case
        when {{ regexp_matches(text, '^[0-9]{1,14}$') }}
            then {{ dbt.dateadd(
                'millisecond',
                dbt.safe_cast(text, dbt.type_bigint()) ~ ' + 28800000',
                "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")"
            ) }}
    end
{%- endmacro %}

{% macro duckdb__epoch_millis_to_china_timestamp(column) -%}
    {%- set text = clean_string(column) -%}
    case
        when regexp_matches({{ text }}, '^[0-9]{1,14}$')
            then make_timestamp((try_cast({{ text }} as bigint) + 28800000) * 1000)
    end
{%- endmacro %}

{% macro spark__epoch_millis_to_china_timestamp(column) -%}
    {%- set text = clean_string(column) -%}
    case
        when {{ text }} rlike '^[0-9]{1,14}$'
            then timestampadd(
                MILLISECOND,
                try_cast({{ text }} as bigint) + 28800000,
                cast('1970-01-01 00:00:00' as timestamp_ntz)
            )
    end
{%- endmacro %}


{#- A date from 'YYYY-MM-DD' or 'YYYY/MM/DD' text (month and day may have one digit), already
    a China business day in every export; null otherwise. -#}
{% macro parse_china_date(column) -%}
    {%- set text = clean_string(column) -%}
    case
        when {{ regexp_matches(text, '^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}$') }}
            then {{ dbt.safe_cast("translate(" ~ text ~ ", '/', '-')", 'date') }}
    end
{%- endmacro %}
