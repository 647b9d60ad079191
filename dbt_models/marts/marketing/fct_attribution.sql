{#- Order revenue credited to touches, one row per order x touch x attribution model.

    Credits are whole fen and add up exactly to the order's net revenue under every model: the
    touches are taken in position order, the running share of the weight is turned into a running
    credit floor(net * cumulative weight / total weight) (the last touch takes the whole net), and
    each touch gets the step from the previous running credit. Rounding remainders therefore land
    on the later touches, deterministically. -#}

with

touch_weights as (
    select * from {{ ref('int_attribution_touch_weights') }}
),

model_weights as (
    {%- set models = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay',
        'position_based'] %}
    {%- for model in models %}
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
            touch_position,
            touch_count,
            '{{ model }}' as attribution_model,
            {{ model }}_weight as model_weight
        from touch_weights
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

running_weights as (
    select
        *,
        sum(model_weight) over (
            partition by order_id, attribution_model
            order by touch_position
            rows between unbounded preceding and current row
        ) as cumulative_weight,
        sum(model_weight) over (partition by order_id, attribution_model) as total_weight
    from model_weights
),

running_credits as (
    select
        *,
        case
            when touch_position = touch_count then order_net_amount_cents
            else cast(floor(
                cast(order_net_amount_cents as double) * cumulative_weight / total_weight
            ) as bigint)
        end as cumulative_credit_cents
    from running_weights
),

credits as (
    select
        *,
        cumulative_credit_cents - coalesce(
            lag(cumulative_credit_cents) over (
                partition by order_id, attribution_model
                order by touch_position
            ),
            0
        ) as credit_cents
    from running_credits
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
        model_weight / total_weight as credit_share,
        credit_cents,
        order_net_amount_cents
    from credits
)

select * from final
