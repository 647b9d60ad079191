{#- Casts that give null instead of failing, so one bad value quarantines its row instead of
    stopping the build.

    dbt's own `safe_cast` falls back to a plain `cast` on DuckDB and Spark, which raises on bad
    input (on Spark whenever ANSI mode is on, the default since Spark 4). These overrides make
    `dbt.safe_cast` a real safe cast on both engines: root-project macros come first when dbt
    dispatches its own macros. -#}

{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}


{#- A naive timestamp from text such as '2026-03-01 10:05:00', or null. Spark gets
    TIMESTAMP_NTZ (Spark 3.4+): its default TIMESTAMP is an instant shown in the session time
    zone, which would shift wall-clock China times whenever the session is not UTC+8. -#}
{% macro try_cast_timestamp(expression) -%}
    {{ return(adapter.dispatch('try_cast_timestamp', 'customer_value_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__try_cast_timestamp(expression) -%}
    {{ dbt.safe_cast(expression, dbt.type_timestamp()) }}
{%- endmacro %}

{% macro duckdb__try_cast_timestamp(expression) -%}
    try_cast({{ expression }} as timestamp)
{%- endmacro %}

{% macro spark__try_cast_timestamp(expression) -%}
    try_cast({{ expression }} as timestamp_ntz)
{%- endmacro %}
