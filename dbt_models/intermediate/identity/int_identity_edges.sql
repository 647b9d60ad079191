{#- Every pair of customer identifiers seen together in one clean staging row. A row with a single
    identifier contributes a self-edge so that identifier still becomes a customer. Clicks without
    an openid identify nobody and are left out. -#}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

members as (
    select * from {{ ref('stg_shop__members') }}
),

wecom_contacts as (
    select * from {{ ref('stg_scrm__wecom_contacts') }}
),

miniprogram_events as (
    select * from {{ ref('stg_scrm__miniprogram_events') }}
),

ad_clicks as (
    select * from {{ ref('stg_ads__ad_clicks') }}
),

order_nodes as (
    select
        {{ identity_node('member', 'member_id') }} as member_node,
        {{ identity_node('phone', 'phone') }} as phone_node,
        {{ identity_node('openid', 'openid') }} as openid_node,
        ordered_at as observed_at,
        _load_date
    from orders
),

member_nodes as (
    select
        {{ identity_node('member', 'member_id') }} as member_node,
        {{ identity_node('phone', 'phone') }} as phone_node,
        {{ identity_node('email', 'email') }} as email_node,
        {{ identity_node('unionid', 'unionid') }} as unionid_node,
        {{ identity_node('openid', 'openid') }} as openid_node,
        registered_at as observed_at,
        _load_date
    from members
),

wecom_contact_nodes as (
    select
        {{ identity_node('wecom', 'external_userid') }} as wecom_node,
        {{ identity_node('unionid', 'unionid') }} as unionid_node,
        {{ identity_node('phone', 'phone') }} as phone_node,
        added_at as observed_at,
        _load_date
    from wecom_contacts
),

miniprogram_event_nodes as (
    select
        {{ identity_node('openid', 'openid') }} as openid_node,
        {{ identity_node('unionid', 'unionid') }} as unionid_node,
        event_at as observed_at,
        _load_date
    from miniprogram_events
),

ad_click_nodes as (
    select
        {{ identity_node('click', 'click_id') }} as click_node,
        {{ identity_node('openid', 'openid') }} as openid_node,
        clicked_at as observed_at,
        _load_date
    from ad_clicks
    where nullif(trim(openid), '') is not null
),

order_edges as (
    {{ identity_edges_from('order_nodes', ['member_node', 'phone_node', 'openid_node'], 'shop_orders') }}
),

member_edges as (
    {{ identity_edges_from(
        'member_nodes',
        ['member_node', 'phone_node', 'email_node', 'unionid_node', 'openid_node'],
        'shop_members'
    ) }}
),

wecom_contact_edges as (
    {{ identity_edges_from(
        'wecom_contact_nodes', ['wecom_node', 'unionid_node', 'phone_node'], 'scrm_wecom_contacts'
    ) }}
),

miniprogram_event_edges as (
    {{ identity_edges_from(
        'miniprogram_event_nodes', ['openid_node', 'unionid_node'], 'scrm_miniprogram_events'
    ) }}
),

ad_click_edges as (
    {{ identity_edges_from('ad_click_nodes', ['click_node', 'openid_node'], 'ads_ad_clicks') }}
),

observed_edges as (
    select * from order_edges
    union all
    select * from member_edges
    union all
    select * from wecom_contact_edges
    union all
    select * from miniprogram_event_edges
    union all
    select * from ad_click_edges
),

final as (
    select
        {{ dbt.hash(dbt.concat(['node_a', "'|'", 'node_b', "'|'", 'edge_source'])) }} as edge_key,
        node_a,
        node_b,
        edge_source,
        count(*) as observation_count,
        min(observed_at) as first_observed_at,
        max(observed_at) as last_observed_at,
        min(_load_date) as _first_load_date
    from observed_edges
    group by node_a, node_b, edge_source
)

select * from final
