{#- True when an order status counts as revenue. Cancelled orders never do; the statuses that do
    are the `revenue_order_statuses` var (default paid and completed). -#}
{% macro is_revenue_status(status_column) -%}
    {%- set statuses = var('revenue_order_statuses') -%}
    coalesce({{ status_column }} in (
        {%- for status in statuses -%}
        '{{ status }}'{% if not loop.last %}, {% endif %}
        {%- endfor -%}
    ), false)
{%- endmacro %}
