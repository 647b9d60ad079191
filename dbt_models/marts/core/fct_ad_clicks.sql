{#- One row per clean ad click (the touchpoint of paid media) with the customer its click id
    resolves to through the identity graph. No openids are kept: BI joins on customer_key.

    Incremental like fct_miniprogram_events: the clicks that landed inside the load window plus
    the old clicks an identity merge re-keyed, merged on click_id. -#}

{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_merge_strategy(),
        unique_key='click_id',
        on_schema_change='append_new_columns',
    )
}}

with

ad_clicks as (
    select * from {{ ref('stg_ads__ad_clicks') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

changed_clicks as (
    {{ incremental_identity_fact_rows('ad_clicks', 'click_id', 'customer_identifiers') }}
),

click_nodes as (
    select
        *,
        {{ identity_node('click', 'click_id') }} as customer_node
    from changed_clicks
),

shaped as (
    select
        click_nodes.click_id,
        customer_identifiers.customer_key,
        {{ identity_node_key('click_nodes.customer_node') }} as customer_node_key,
        click_nodes.platform,
        click_nodes.campaign_id,
        click_nodes.ad_id,
        click_nodes.clicked_at,
        cast(click_nodes.clicked_at as date) as clicked_date,
        click_nodes._load_date as _last_load_date
    from click_nodes
    left join customer_identifiers
        on click_nodes.customer_node = customer_identifiers.node_id
),

final as (
    select * from shaped
)

select * from final
