{#- One row per clean mini-program event with the customer it resolves to (openid, else unionid,
    through the identity graph). No platform ids are kept: BI joins on customer_key.

    Incremental: a run merges the events that landed inside the load window (see
    macros/incremental) plus the old events whose identifier now resolves to another customer
    (an identity merge), found from customer_node_key without rereading their history. -#}

{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_merge_strategy(),
        unique_key='event_id',
        on_schema_change='append_new_columns',
    )
}}

with

miniprogram_events as (
    select * from {{ ref('stg_scrm__miniprogram_events') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

changed_events as (
    {{ incremental_identity_fact_rows('miniprogram_events', 'event_id', 'customer_identifiers') }}
),

event_nodes as (
    select
        *,
        coalesce(
            {{ identity_node('openid', 'openid') }},
            {{ identity_node('unionid', 'unionid') }}
        ) as customer_node
    from changed_events
),

shaped as (
    select
        event_nodes.event_id,
        customer_identifiers.customer_key,
        {{ identity_node_key('event_nodes.customer_node') }} as customer_node_key,
        event_nodes.event_name,
        event_nodes.page,
        event_nodes.product_sku,
        event_nodes.campaign_id,
        event_nodes.event_at,
        cast(event_nodes.event_at as date) as event_date,
        event_nodes._load_date as _last_load_date
    from event_nodes
    left join customer_identifiers
        on event_nodes.customer_node = customer_identifiers.node_id
),

final as (
    select * from shaped
)

select * from final
