{#- Layers get plain schema names (staging, marts, ...) instead of <target>_<layer>, so BI tools
    and the tests find `marts.customer_rfm` on every target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
