{#- The sum of `value` over the rows whose `event_date` lies in the window of days before
    `end_date`: from `days` days back (excluded) up to `after_days` days back (included; 0 = up to
    the end, which the rows never pass). So `sum_in_days_before(v, d, e, 30)` is the last 30 days
    and `sum_in_days_before(v, d, e, 60, 30)` the 30 days before those. One definition for the
    churn-warning rule and the churn model's features, so their windows cannot drift apart. -#}
{% macro sum_in_days_before(value, event_date, end_date, days, after_days=0) -%}
    sum(
        case
            when
                {{ event_date }} > cast({{ dbt.dateadd('day', -days, end_date) }} as date)
                {%- if after_days %}
                and {{ event_date }} <= cast({{ dbt.dateadd('day', -after_days, end_date) }} as date)
                {%- endif %}
                then {{ value }}
            else 0
        end
    )
{%- endmacro %}
