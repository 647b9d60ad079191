{#- One row per clean mini-program event with the customer it resolves to (openid, else unionid,
    through the identity graph: int_miniprogram_events_resolved). No platform ids are kept: BI joins on customer_key.

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

-- depends_on: {{ ref('int_customer_identifiers') }}

with

miniprogram_events as (
    select * from {{ ref('int_miniprogram_events_resolved') }}
),

{%- if is_incremental() %}

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),
{%- endif %}

changed_events as (
    {{ incremental_identity_fact_rows('miniprogram_events', 'event_id', 'customer_identifiers') }}
),

shaped as (
    select
        event_id,
        customer_key,
        customer_node_key,
        event_name,
        page,
        product_sku,
        campaign_id,
        event_at,
        cast(event_at as date) as event_date,
        _load_date as _last_load_date
    from changed_events
),

final as (
    select * from shaped
)

select * from final
