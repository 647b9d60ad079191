{#- Each revenue order with the touches its customer had in the lookback window before it, and the
    unnormalised weight every attribution model gives each touch. An order without any touch
    gets one 'direct' touch at the order time, so every order has something to credit.
    Touches are ordered by time, then touchpoint_id, so positions are deterministic.

    Incremental: a nightly run re-weighs only the orders whose journey can have changed (see
    macros/marketing/attribution.sql) and replaces all of their rows, merged on order_id; the
    post-hook removes the rows of orders that stopped being revenue orders. `_last_load_date` (the
    order's) is the watermark of a run without `run_date`. -#}

{{ config(**attribution_incremental_config()) }}

{%- set lookback_days = var('marketing_attribution_lookback_days') -%}
{%- set half_life_seconds = var('marketing_time_decay_half_life_days') * 86400 -%}

{#- Only the incremental branch reads these; dbt parses the model as a full build, so it learns
    the dependencies from this line. #}
-- depends_on: {{ ref('int_identity_edges') }}, {{ ref('int_customer_identifiers') }}

with

revenue_orders as (
    select * from {{ ref('int_orders_enriched') }}
    where is_revenue_order and customer_key is not null
),

touchpoints as (
    select * from {{ ref('int_marketing_touchpoints') }}
),

{%- if is_incremental() %}

identity_edges as (
    select * from {{ ref('int_identity_edges') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

{{ attribution_recredited_orders_ctes() }}
{%- endif %}

orders as (
    select * from revenue_orders
    {%- if is_incremental() %}
    where order_id in (select recredited_orders.order_id from recredited_orders)
    {%- endif %}
),

touches_in_window as (
    select
        orders.order_id,
        touchpoints.touchpoint_id,
        touchpoints.touched_at,
        touchpoints.touch_type,
        touchpoints.touch_source,
        touchpoints.platform,
        touchpoints.campaign_id
    from orders
    inner join touchpoints
        on
            orders.customer_key = touchpoints.customer_key
            and orders.ordered_at >= touchpoints.touched_at
            and touchpoints.touched_at
            >= {{ dbt.dateadd('day', -lookback_days, 'orders.ordered_at') }}
),

orders_without_touch as (
    select
        orders.order_id,
        {{ dbt.concat(["'order:'", "orders.order_id"]) }} as touchpoint_id,
        orders.ordered_at as touched_at,
        'direct' as touch_type,
        'no_touch' as touch_source,
        'direct' as platform,
        cast(null as {{ dbt.type_string() }}) as campaign_id
    from orders
    left join touches_in_window
        on orders.order_id = touches_in_window.order_id
    where touches_in_window.order_id is null
),

order_touches as (
    select * from touches_in_window
    union all
    select * from orders_without_touch
),

positioned as (
    select
        orders.order_id,
        orders.customer_key,
        orders.ordered_at,
        orders.order_date,
        orders.net_amount_cents as order_net_amount_cents,
        orders._last_load_date,
        order_touches.touchpoint_id,
        order_touches.touched_at,
        order_touches.touch_type,
        order_touches.touch_source,
        order_touches.platform,
        order_touches.campaign_id,
        {{ dbt.datediff('order_touches.touched_at', 'orders.ordered_at', 'second') }}
            as seconds_before_order,
        row_number() over (
            partition by orders.order_id
            order by order_touches.touched_at, order_touches.touchpoint_id
        ) as touch_position,
        count(*) over (partition by orders.order_id) as touch_count
    from orders
    inner join order_touches
        on orders.order_id = order_touches.order_id
),

with_last_non_direct as (
    select
        *,
        coalesce(
            max(case when touch_type <> 'direct' then touch_position end)
                over (partition by order_id),
            touch_count
        ) as last_non_direct_position
    from positioned
),

final as (
    select
        order_id,
        customer_key,
        ordered_at,
        order_date,
        order_net_amount_cents,
        touchpoint_id,
        touched_at,
        touch_type,
        touch_source,
        platform,
        campaign_id,
        seconds_before_order,
        touch_position,
        touch_count,
        -- weights are doubles on every engine (Spark would make 1.0 a decimal)
        cast(case when touch_position = 1 then 1 else 0 end as double) as first_touch_weight,
        cast(case when touch_position = touch_count then 1 else 0 end as double)
            as last_touch_weight,
        cast(case when touch_position = last_non_direct_position then 1 else 0 end as double)
            as last_non_direct_weight,
        cast(1 as double) as linear_weight,
        -- halves every half-life: 2^(-seconds / half-life) written with exp for portability
        exp(
            -0.6931471805599453 * cast(seconds_before_order as double) / {{ half_life_seconds }}
        ) as time_decay_weight,
        -- 40/20/40 in whole numbers: 2(n-2) to each end, 1 to each of the n-2 middle touches
        cast(case
            when touch_count <= 2 then 1
            when touch_position = 1 or touch_position = touch_count then 2 * (touch_count - 2)
            else 1
        end as double) as position_based_weight,
        _last_load_date
    from with_last_non_direct
)

select * from final
