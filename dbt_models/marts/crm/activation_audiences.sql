{#- Customers for the CRM plan's plays on the as-of day, one row per customer and play, with the
    reason they are in it:
    - wake_up_offer: high-value dormant (plan segment dormant: long gone, spend >= the mean);
    - scenario_recommendation: plan segment potential;
    - first_order_care: plan segment new;
    - abandoned_cart_reminder: added to cart in the mini-program in the last
      crm_abandoned_cart_hours before the end of the as-of day and ordered nothing since.
    Only customers with marketing consent who have not opted out on any WeCom contact are kept. -#}

{%- set cart_hours = var('crm_abandoned_cart_hours') | int %}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

customer_contacts as (
    select * from {{ ref('int_crm_customer_contacts') }}
),

miniprogram_events as (
    select * from {{ ref('int_miniprogram_events_resolved') }}
),

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

segment_plays as (
    select
        customer_key,
        case plan_segment
            when 'dormant' then 'wake_up_offer'
            when 'potential' then 'scenario_recommendation'
            when 'new' then 'first_order_care'
        end as play,
        {{ dbt.concat([
            "'plan_segment='", 'plan_segment',
            "';recency_days='", 'cast(recency_days as ' ~ dbt.type_string() ~ ')',
            "';frequency='", 'cast(frequency as ' ~ dbt.type_string() ~ ')',
        ]) }} as reason
    from customer_segments
    where plan_segment in ('dormant', 'potential', 'new')
),

cart_events as (
    select
        miniprogram_events.customer_key,
        miniprogram_events.event_at
    from miniprogram_events
    cross join as_of
    where
        miniprogram_events.customer_key is not null
        and miniprogram_events.event_name = 'add_to_cart'
        and miniprogram_events.event_at
        >= {{ dbt.dateadd(
            'hour', -cart_hours,
            dbt.dateadd('day', 1, 'cast(as_of.as_of_date as timestamp)')
        ) }}
        and miniprogram_events.event_at
        < {{ dbt.dateadd('day', 1, 'cast(as_of.as_of_date as timestamp)') }}
),

last_cart_events as (
    select
        customer_key,
        max(event_at) as last_cart_at
    from cart_events
    group by customer_key
),

cart_plays as (
    select
        last_cart_events.customer_key,
        'abandoned_cart_reminder' as play,
        {{ dbt.concat([
            "'add_to_cart_at='",
            'cast(last_cart_events.last_cart_at as ' ~ dbt.type_string() ~ ')',
            "';no_order_since'",
        ]) }} as reason
    from last_cart_events
    left join orders
        on
            last_cart_events.customer_key = orders.customer_key
            and last_cart_events.last_cart_at <= orders.ordered_at
    where orders.order_id is null
),

plays as (
    select * from segment_plays
    union all
    select * from cart_plays
),

final as (
    select
        plays.customer_key,
        plays.play,
        plays.reason,
        as_of.as_of_date
    from plays
    inner join customer_contacts
        on plays.customer_key = customer_contacts.customer_key
    cross join as_of
    where
        customer_contacts.has_marketing_consent
        and not customer_contacts.has_opted_out
)

select * from final
