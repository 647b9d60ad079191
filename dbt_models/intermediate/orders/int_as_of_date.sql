{#- The one observation day every customer mart measures against: the `as_of_date` var when set,
    otherwise the latest order day in the data, so a rebuild of the same data gives the same marts
    whatever day it runs. -#}

{%- set as_of_date = var('as_of_date') %}

with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

final as (
    {%- if as_of_date %}
        -- One row whatever the data holds: the day the user asked for.
        select
            cast('{{ as_of_date }}' as date) as as_of_date,
            'var' as as_of_date_source
    {%- else %}
        select
            max(order_date) as as_of_date,
            'latest_order' as as_of_date_source
        from orders
    {%- endif %}
)

select * from final
