{#- A fractional amount of fen (a mean, a cost per click, a credit-weighted value) as whole fen,
    the bigint every money column of the marts holds: rounded half away from zero on DuckDB and
    Spark alike. NaN (a model statistic with nothing to average) becomes null, since casting it
    fails on DuckDB and gives 0 on Spark. -#}
{% macro whole_fen(amount) -%}
    cast(round(nullif({{ amount }}, cast('NaN' as double)), 0) as bigint)
{%- endmacro %}
