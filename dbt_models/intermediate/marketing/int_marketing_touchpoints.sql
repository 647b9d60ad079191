{#- Every marketing touch a known customer had, one row per touch: paid ad clicks (customer found
    through the click's openid), private-domain touches (WeCom community activity and staff
    messages, mini-program shares and campaign landings) and direct visits (the first
    mini-program event of a customer's day that came without a campaign). Touches whose
    identifier maps to no customer are left out: they cannot be tied to an order. -#}

with

ad_clicks as (
    select * from {{ ref('int_ad_clicks_resolved') }}
),

community_interactions as (
    select * from {{ ref('int_community_interactions_resolved') }}
),

miniprogram_events as (
    select * from {{ ref('int_miniprogram_events_resolved') }}
),

click_touches as (
    select
        {{ dbt.concat(["'click:'", "ad_clicks.click_id"]) }} as touchpoint_id,
        ad_clicks.customer_key,
        ad_clicks.clicked_at as touched_at,
        'paid_ad' as touch_type,
        'ad_click' as touch_source,
        ad_clicks.platform,
        ad_clicks.campaign_id,
        cast(null as {{ dbt.type_string() }}) as message_variant,
        ad_clicks._load_date
    from ad_clicks
    where ad_clicks.customer_key is not null
),

community_touches as (
    select
        {{ dbt.concat(["'community:'", "community_interactions.interaction_id"]) }}
            as touchpoint_id,
        community_interactions.customer_key,
        community_interactions.interacted_at as touched_at,
        'private_domain' as touch_type,
        {{ dbt.concat(["'wecom_'", "community_interactions.interaction_type"]) }}
            as touch_source,
        'wecom' as platform,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        community_interactions.message_variant,
        community_interactions._load_date
    from community_interactions
    where
        community_interactions.customer_key is not null
        -- leaving a group is not a touch that could prompt a purchase
        and community_interactions.interaction_type <> 'leave'
),

miniprogram_customers as (
    select
        miniprogram_events.event_id,
        miniprogram_events.event_name,
        miniprogram_events.campaign_id,
        miniprogram_events.event_at,
        miniprogram_events._load_date,
        miniprogram_events.customer_key
    from miniprogram_events
    where miniprogram_events.customer_key is not null
),

miniprogram_touches as (
    select
        {{ dbt.concat(["'miniprogram:'", "event_id"]) }} as touchpoint_id,
        customer_key,
        event_at as touched_at,
        'private_domain' as touch_type,
        case
            when event_name = 'share' then 'miniprogram_share'
            else 'miniprogram_campaign_view'
        end as touch_source,
        'miniprogram' as platform,
        campaign_id,
        cast(null as {{ dbt.type_string() }}) as message_variant,
        _load_date
    from miniprogram_customers
    where event_name = 'share' or campaign_id is not null
),

organic_visits as (
    select
        event_id,
        customer_key,
        event_at,
        _load_date,
        row_number() over (
            partition by customer_key, cast(event_at as date)
            order by event_at, event_id
        ) as visit_of_day
    from miniprogram_customers
    where campaign_id is null and event_name <> 'share'
),

direct_touches as (
    select
        {{ dbt.concat(["'direct:'", "event_id"]) }} as touchpoint_id,
        customer_key,
        event_at as touched_at,
        'direct' as touch_type,
        'miniprogram_visit' as touch_source,
        'direct' as platform,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as message_variant,
        _load_date
    from organic_visits
    where visit_of_day = 1
),

final as (
    select * from click_touches
    union all
    select * from community_touches
    union all
    select * from miniprogram_touches
    union all
    select * from direct_touches
)

select * from final
