{#- The one observation day every customer mart measures against: the `as_of_date` var when set,
    otherwise the latest order day in the data, so a rebuild of the same data gives the same marts
    whatever day it runs. -#}

{%- set as_of_date = var('as_of_date', '') %}
{%- if as_of_date %}
    {%- set as_of_expression = "cast('" ~ as_of_date ~ "' as date)" %}
    {%- set as_of_source = 'var' %}
{%- else %}
    {%- set as_of_expression = 'max(order_date)' %}
    {%- set as_of_source = 'latest_order' %}
{%- endif %}

with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

final as (
    select
        {{ as_of_expression }} as as_of_date,
        '{{ as_of_source }}' as as_of_date_source
    from orders
)

select * from final
