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

-- depends_on: {{ ref('int_customer_identifiers') }}

with

ad_clicks as (
    select * from {{ ref('int_ad_clicks_resolved') }}
),

{%- if is_incremental() %}

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),
{%- endif %}

changed_clicks as (
    {{ incremental_identity_fact_rows('ad_clicks', 'click_id', 'customer_identifiers') }}
),

shaped as (
    select
        click_id,
        customer_key,
        customer_node_key,
        platform,
        campaign_id,
        ad_id,
        clicked_at,
        cast(clicked_at as date) as clicked_date,
        _load_date as _last_load_date
    from changed_clicks
),

final as (
    select * from shaped
)

select * from final
