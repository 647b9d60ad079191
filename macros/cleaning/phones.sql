{#- Mainland China mobile numbers in canonical form: 11 ASCII digits matching ^1[3-9][0-9]{9}$.

    Accepted spellings: '13812345678', '+86 138 1234 5678', '86-138-1234-5678', '0086 138...',
    '(138) 1234 5678' and the same with full-width digits or symbols. Full-width characters are
    mapped to ASCII, spaces, dashes and parentheses removed, a +86 / 0086 / 86 country prefix
    dropped; whatever is left must be a valid mobile number, otherwise the result is null (an
    invalid phone never becomes an identifier that could join two people). -#}
{% macro normalize_cn_mobile(column) -%}
    {{ return(adapter.dispatch('normalize_cn_mobile', 'customer_value_warehouse')(column)) }}
{%- endmacro %}

{#- Portable as written: translate and regexp_extract behave alike on DuckDB and Spark, and the
    engine difference in regexp_replace is handled by regexp_replace_all. -#}
{% macro default__normalize_cn_mobile(column) -%}
    {%- set ascii_text -%}
        translate({{ clean_string(column) }}, '０１２３４５６７８９＋－（）　', '0123456789+-() ')
    {%- endset -%}
    {%- set compact = regexp_replace_all(ascii_text, '[ ()-]', '') -%}
    {{ regexp_extract_group(compact, '^(?:[+]86|0086|86)?(1[3-9][0-9]{9})$', 1) }}
{%- endmacro %}
