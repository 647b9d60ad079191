{#- Post-hook of fct_attribution. A nightly run replaces the rows of the orders it re-credits, but
    an order that stopped being a revenue order (cancelled or fully refunded after it was
    credited, or no longer tied to a customer) has no new rows to replace its old ones with, so
    they are deleted here. Nothing to do on a full build. -#}
{% macro delete_attribution_of_uncredited_orders() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where order_id in (
        select order_id from {{ ref('fct_orders') }}
        where not coalesce(is_revenue_order, false) or customer_key is null
    )
    {%- endif -%}
{%- endmacro %}
