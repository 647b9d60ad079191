{#- The RFM scores, 1 to 5 by quintile (ntile(5)), defined once for customer_rfm and the monthly
    CRM snapshots. The orderings are total (ties broken by customer_key), so a rebuild gives every
    customer the same score; ntile puts remainder rows into the lowest buckets first. 5 is the
    most recent, most frequent or highest-spending fifth. `partition_by` scores within groups
    (a snapshot month); without it the whole relation is one group. -#}

{% macro rfm_quintile(measure, direction, partition_by=none) -%}
    ntile(5) over (
        {%- if partition_by %}
        partition by {{ partition_by }}
        {%- endif %}
        order by {{ measure }} {{ direction }}, customer_key asc
    )
{%- endmacro %}

{% macro rfm_recency_score(recency_days='recency_days', partition_by=none) -%}
    {{ rfm_quintile(recency_days, 'desc', partition_by) }}
{%- endmacro %}

{% macro rfm_frequency_score(frequency='frequency', partition_by=none) -%}
    {{ rfm_quintile(frequency, 'asc', partition_by) }}
{%- endmacro %}

{% macro rfm_monetary_score(monetary_cents='monetary_cents', partition_by=none) -%}
    {{ rfm_quintile(monetary_cents, 'asc', partition_by) }}
{%- endmacro %}
