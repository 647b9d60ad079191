{#- Order revenue credited to touches, one row per order x touch x attribution model.

    Credits are whole fen and add up exactly to the order's net revenue under every model: the
    touches are taken in position order, the running share of the weight is turned into a running
    credit floor(net * cumulative weight / total weight) (the last touch takes the whole net), and
    each touch gets the step from the previous running credit. Rounding remainders therefore land
    on the later touches, deterministically. The running sums are taken per touch for all six
    models at once, before the rows are split per model, so the windows sort the touches once
    instead of six times as many rows. -#}

{%- set models = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay',
    'position_based'] %}

with

touch_weights as (
    select * from {{ ref('int_attribution_touch_weights') }}
),

running_weights as (
    -- noqa: disable=LT02
    select
        *,
        {%- for model in models %}
            sum({{ model }}_weight) over (
                partition by order_id
                order by touch_position
                rows between unbounded preceding and current row
            ) as {{ model }}_cumulative_weight,
            sum({{ model }}_weight) over (partition by order_id) as {{ model }}_total_weight
            {{- ',' if not loop.last }}
        {%- endfor %}
    -- noqa: enable=LT02
    from touch_weights
),

running_credits as (
    -- noqa: disable=LT02
    select
        *,
        {%- for model in models %}
            case
                when touch_position = touch_count then order_net_amount_cents
                else cast(floor(
                    cast(order_net_amount_cents as double)
                    * {{ model }}_cumulative_weight / {{ model }}_total_weight
                ) as bigint)
            end as {{ model }}_cumulative_credit_cents
            {{- ',' if not loop.last }}
        {%- endfor %}
    -- noqa: enable=LT02
    from running_weights
),

credits as (
    -- noqa: disable=LT02
    select
        *,
        {%- for model in models %}
            {{ model }}_cumulative_credit_cents - coalesce(
                lag({{ model }}_cumulative_credit_cents) over (
                    partition by order_id
                    order by touch_position
                ),
                0
            ) as {{ model }}_credit_cents
            {{- ',' if not loop.last }}
        {%- endfor %}
    -- noqa: enable=LT02
    from running_credits
),

model_credits as (
    {%- for model in models %}
        select
            order_id,
            customer_key,
            ordered_at,
            order_date,
            '{{ model }}' as attribution_model,
            touchpoint_id,
            touched_at,
            touch_type,
            touch_source,
            platform,
            campaign_id,
            touch_position,
            touch_count,
            {{ model }}_weight / {{ model }}_total_weight as credit_share,
            {{ model }}_credit_cents as credit_cents,
            order_net_amount_cents
        from credits
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        {{ dbt.hash(dbt.concat(["order_id", "'|'", "touchpoint_id", "'|'", "attribution_model"])) }}
            as attribution_key,
        order_id,
        customer_key,
        ordered_at,
        order_date,
        attribution_model,
        touchpoint_id,
        touched_at,
        touch_type,
        touch_source,
        platform,
        campaign_id,
        touch_position,
        touch_count,
        credit_share,
        credit_cents,
        order_net_amount_cents
    from model_credits
)

select * from final
