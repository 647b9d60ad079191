{#- Private-domain interactions per customer and day: WeCom community interactions (by the
    contact's external_userid) and mini-program events (by openid, else unionid), resolved to the
    customer through the identity graph. The churn model and the churn-warning rule compare the
    last crm_churn_interaction_window_days days with the window before. -#}

with

community_interactions as (
    select * from {{ ref('int_community_interactions_resolved') }}
),

miniprogram_events as (
    select * from {{ ref('int_miniprogram_events_resolved') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

interactions as (
    select
        customer_key,
        cast(interacted_at as date) as interaction_date,
        'community' as interaction_source
    from community_interactions
    union all
    select
        customer_key,
        cast(event_at as date) as interaction_date,
        'miniprogram' as interaction_source
    from miniprogram_events
),

customer_interactions as (
    select
        interactions.customer_key,
        interactions.interaction_date,
        interactions.interaction_source
    from interactions
    cross join as_of
    where
        interactions.customer_key is not null
        and interactions.interaction_date is not null
        and interactions.interaction_date <= as_of.as_of_date
),

final as (
    select
        customer_key,
        interaction_date,
        count(*) as interaction_count,
        sum(
            case when interaction_source = 'community' then 1 else 0 end
        ) as community_interaction_count,
        sum(
            case when interaction_source = 'miniprogram' then 1 else 0 end
        ) as miniprogram_event_count
    from customer_interactions
    group by customer_key, interaction_date
)

select * from final
