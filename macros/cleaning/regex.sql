{#- Regular expressions. DuckDB (RE2) and Spark (Java) agree on the syntax used here: character
    classes, bounded repeats, anchors and (?:...) groups. Patterns avoid backslashes because
    Spark SQL string literals unescape them and DuckDB's do not. -#}

{#- True when `pattern` matches somewhere in `expression`; anchor it with ^...$ for a full
    match. Null in, null out. -#}
{% macro regexp_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches', 'customer_value_warehouse')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_matches(expression, pattern) -%}
    regexp_like({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regexp_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_matches(expression, pattern) -%}
    ({{ expression }} rlike '{{ pattern }}')
{%- endmacro %}


{#- Replaces every match of `pattern`. DuckDB replaces only the first match unless given the 'g'
    option; Spark always replaces all. -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'customer_value_warehouse')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro duckdb__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}


{#- The text of capture group `group` of the first match, or null when nothing matches. Both
    engines spell this the same and return '' for no match; null is what callers mean. -#}
{% macro regexp_extract_group(expression, pattern, group) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern }}', {{ group }}), '')
{%- endmacro %}
