{#- Private-domain interactions per customer and day: WeCom community interactions (by the
    contact's external_userid) and mini-program events (by openid, else unionid), resolved to the
    customer through the identity graph. The churn model compares the last 30 days with the 30
    before. -#}

with

community_interactions as (
    select * from {{ ref('stg_scrm__community_interactions') }}
),

miniprogram_events as (
    select * from {{ ref('stg_scrm__miniprogram_events') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

interaction_nodes as (
    select
        {{ identity_node('wecom', 'external_userid') }} as node_id,
        cast(interacted_at as date) as interaction_date,
        'community' as interaction_source
    from community_interactions
    union all
    select
        coalesce(
            {{ identity_node('openid', 'openid') }},
            {{ identity_node('unionid', 'unionid') }}
        ) as node_id,
        cast(event_at as date) as interaction_date,
        'miniprogram' as interaction_source
    from miniprogram_events
),

customer_interactions as (
    select
        customer_identifiers.customer_key,
        interaction_nodes.interaction_date,
        interaction_nodes.interaction_source
    from interaction_nodes
    inner join customer_identifiers
        on interaction_nodes.node_id = customer_identifiers.node_id
    cross join as_of
    where
        interaction_nodes.interaction_date is not null
        and interaction_nodes.interaction_date <= as_of.as_of_date
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
