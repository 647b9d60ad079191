{#- The incremental attribution models (int_attribution_touch_weights, fct_attribution) re-credit
    only the revenue orders whose journey can have changed, and replace all of their rows:

    - orders whose header, lines or refunds landed in the load window (`_last_load_date`);
    - orders a touch that landed in the window can reach: the touch's customer's orders from the
      touch time up to the attribution lookback after it, plus a day, because a late first visit
      of a day replaces that day's later direct touch;
    - every order of a customer with two identifiers first seen together in the window, whichever
      source showed them: a merge can re-key the orders and bring another customer's old touches.

    Renders the CTEs new_links, relinked_customers and recredited_orders (each followed by a
    comma); the model must define the CTEs revenue_orders (int_orders_enriched's revenue orders
    with a customer), touchpoints, identity_edges and customer_identifiers before them. -#}
{% macro attribution_recredited_orders_ctes() -%}
{%- set lookback_days = var('marketing_attribution_lookback_days') | int -%}
new_links as (
    select
        node_a,
        node_b
    from identity_edges
    where node_a <> node_b
    group by node_a, node_b
    having {{ incremental_load_window('min(_first_load_date)') }}
),

relinked_customers as (
    select customer_identifiers.customer_key
    from new_links
    inner join customer_identifiers
        on new_links.node_a = customer_identifiers.node_id
),

recredited_orders as (
    select order_id from revenue_orders
    where {{ incremental_load_window('_last_load_date') }}
    union
    select revenue_orders.order_id
    from revenue_orders
    inner join relinked_customers
        on revenue_orders.customer_key = relinked_customers.customer_key
    union
    select revenue_orders.order_id
    from touchpoints
    inner join revenue_orders
        on
            touchpoints.customer_key = revenue_orders.customer_key
            and revenue_orders.ordered_at >= touchpoints.touched_at
            and revenue_orders.ordered_at
            < {{ dbt.dateadd('day', lookback_days + 1, 'touchpoints.touched_at') }}
    where {{ incremental_load_window('touchpoints._load_date') }}
),
{%- endmacro %}


{#- The model config both share: merged on order_id, with the post-hook below. -#}
{% macro attribution_incremental_config() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': incremental_merge_strategy(),
        'unique_key': 'order_id',
        'on_schema_change': 'append_new_columns',
        'post_hook': '{{ delete_rows_of_uncredited_orders() }}',
    }) }}
{%- endmacro %}


{#- Post-hook of both: an order that stopped being a revenue order (cancelled after it was
    credited, or no longer tied to a customer) has no new rows to replace its old ones with, so
    they are deleted here. Nothing to do on a full build. -#}
{% macro delete_rows_of_uncredited_orders() -%}
    {%- if is_incremental() -%}
        {{ adapter.dispatch('delete_rows_of_uncredited_orders')(uncredited_orders_query()) }}
    {%- endif -%}
{%- endmacro %}

{% macro uncredited_orders_query() -%}
    select order_id from {{ ref('int_orders_enriched') }}
    where not coalesce(is_revenue_order, false) or customer_key is null
{%- endmacro %}

{% macro default__delete_rows_of_uncredited_orders(uncredited_orders) -%}
    delete from {{ this }}
    where order_id in ({{ uncredited_orders }})
{%- endmacro %}

{#- Delta Lake's open-source DELETE takes no subquery; MERGE can delete the matched rows. Plain
    Parquet tables take neither, and are never merged into (see incremental_merge_strategy), so
    there is nothing to delete on them. -#}
{% macro spark__delete_rows_of_uncredited_orders(uncredited_orders) -%}
    {%- if var('spark_file_format') in ['delta', 'iceberg', 'hudi'] -%}
    merge into {{ this }} as credited
    using ({{ uncredited_orders }}) as uncredited
        on credited.order_id = uncredited.order_id
    when matched then delete
    {%- endif -%}
{%- endmacro %}
