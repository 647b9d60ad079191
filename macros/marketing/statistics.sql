{#- Statistics helpers for the marketing marts, in plain SQL arithmetic so DuckDB and Spark give
    the same numbers.

    Complementary error function erfc(x) for x >= 0 (the two-sided p-value of a z statistic is
    erfc(|z| / sqrt(2))):
    - x < 3: erfc(x) = 1 - erf(x) with the everywhere-convergent series
      erf(x) = 2 / sqrt(pi) * exp(-x^2) * x * sum_{n>=0} c_n x^(2n),
      c_n = 2^n / (1 * 3 * ... * (2n+1)).
      All its terms are positive (no cancellation); 60 terms leave a truncation error far below
      double precision for x < 3, so the absolute error is about 1e-15. The coefficients are
      computed here in Jinja and written out as a flat sum (no deep nesting for SQL parsers).
    - x >= 3: the Chebyshev fit of Numerical Recipes (erfcc), relative error < 1.2e-7; there
      erfc(x) < 2.3e-5, so the absolute error is below 3e-12.
    Only exp, power, sqrt and abs are used. `x` must be a column name: it is repeated in the
    generated SQL. -#}

{% macro marketing_erfc(x) -%}
    {%- set coefficients = namespace(value=1.0, terms=[]) -%}
    {%- for n in range(0, 61) -%}
        {%- if n > 0 -%}
            {%- set coefficients.value = coefficients.value * 2 / (2 * n + 1) -%}
        {%- endif -%}
        {%- set term = '%.17g' | format(coefficients.value)
            ~ ' * power(' ~ x ~ ' * ' ~ x ~ ', ' ~ n ~ ')' -%}
        {%- set coefficients.terms = coefficients.terms + [term] -%}
    {%- endfor -%}
    {%- set t = '(1.0 / (1.0 + 0.5 * ' ~ x ~ '))' -%}
    case
        when {{ x }} < 3
            then 1.0 - 1.1283791670955126 * exp(-{{ x }} * {{ x }}) * {{ x }} * (
                {{ coefficients.terms | join('\n                + ') }}
            )
        else {{ t }} * exp(
            -{{ x }} * {{ x }} - 1.26551223 + {{ t }} * (1.00002368 + {{ t }} * (0.37409196
            + {{ t }} * (0.09678418 + {{ t }} * (-0.18628806 + {{ t }} * (0.27886807
            + {{ t }} * (-1.13520398 + {{ t }} * (1.48851587 + {{ t }} * (-0.82215223
            + {{ t }} * 0.17087277))))))))
        )
    end
{%- endmacro %}


{#- Median of a numeric column: the engines spell it differently. -#}
{% macro marketing_median(column) -%}
    {{ return(adapter.dispatch('marketing_median')(column)) }}
{%- endmacro %}

{% macro default__marketing_median(column) -%}
    percentile_cont(0.5) within group (order by {{ column }})
{%- endmacro %}

{% macro duckdb__marketing_median(column) -%}
    median({{ column }})
{%- endmacro %}

{% macro spark__marketing_median(column) -%}
    percentile({{ column }}, 0.5)
{%- endmacro %}


{#- Days from `anchor` to the start of the two-week review window holding `date_column`: windows
    start on the anchor day and every 14 days before or after it. -#}
{% macro review_offset(date_column, anchor) -%}
    (14 * cast(floor({{ dbt.datediff(anchor, date_column, 'day') }} / 14.0) as integer))
{%- endmacro %}
