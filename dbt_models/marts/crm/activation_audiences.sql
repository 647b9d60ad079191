{#- Customers for the CRM plan's plays on the as-of day, one row per customer and play, with the
    reason they are in it:
    - wake_up_offer: high-value dormant (plan segment dormant: long gone, spend >= the mean);
    - scenario_recommendation: plan segment potential;
    - first_order_care: plan segment new;
    - abandoned_cart_reminder: a mini-program cart still pending at the end of the as-of day
      (int_cart_events: added within the last marketing_abandoned_cart_hours, no revenue order
      since), reported with the latest such cart.
    Only customers with marketing consent who have not opted out on any WeCom contact are kept. -#}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

customer_contacts as (
    select * from {{ ref('int_crm_customer_contacts') }}
),

cart_events as (
    select * from {{ ref('int_cart_events') }}
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

last_pending_carts as (
    select
        customer_key,
        max(event_at) as last_cart_at
    from cart_events
    where not is_window_closed and not is_converted
    group by customer_key
),

cart_plays as (
    select
        customer_key,
        'abandoned_cart_reminder' as play,
        {{ dbt.concat([
            "'add_to_cart_at='",
            'cast(last_cart_at as ' ~ dbt.type_string() ~ ')',
            "';no_order_since'",
        ]) }} as reason
    from last_pending_carts
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
