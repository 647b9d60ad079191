{#- Post-hook of fct_attribution. A nightly run replaces the rows of the orders it re-credits, but
    an order that stopped being a revenue order (cancelled after it was credited, or no longer
    tied to a customer) has no new rows to replace its old ones with, so they are deleted here.
    Nothing to do on a full build. -#}
{% macro delete_attribution_of_uncredited_orders() -%}
    {%- if is_incremental() -%}
        {{ adapter.dispatch('delete_attribution_of_uncredited_orders')(uncredited_orders_query()) }}
    {%- endif -%}
{%- endmacro %}

{% macro uncredited_orders_query() -%}
    select order_id from {{ ref('fct_orders') }}
    where not coalesce(is_revenue_order, false) or customer_key is null
{%- endmacro %}

{% macro default__delete_attribution_of_uncredited_orders(uncredited_orders) -%}
    delete from {{ this }}
    where order_id in ({{ uncredited_orders }})
{%- endmacro %}

{#- Delta Lake's open-source DELETE takes no subquery; MERGE can delete the matched rows. -#}
{% macro spark__delete_attribution_of_uncredited_orders(uncredited_orders) -%}
    merge into {{ this }} as credited
    using ({{ uncredited_orders }}) as uncredited
        on credited.order_id = uncredited.order_id
    when matched then delete
{%- endmacro %}
