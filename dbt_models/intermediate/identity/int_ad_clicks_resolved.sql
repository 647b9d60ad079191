{#- Clean ad clicks, each with the customer its click id resolves to (a click is linked to its
    openid's customer; one without an openid resolves to nobody), or
    null. The one place a source row becomes a customer: models downstream read customer_key from
    here and never build identity nodes themselves. customer_node_key lets an incremental fact
    find its old rows an identity merge re-keyed. A view: a join of two built tables. -#}

{{ config(materialized='view') }}

with

ad_clicks as (
    select * from {{ ref('stg_ads__ad_clicks') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

row_nodes as (
    select
        *,
        {{ identity_node('click', 'click_id') }} as customer_node
    from ad_clicks
),

final as (
    select
        row_nodes.*,
        {{ identity_node_key('row_nodes.customer_node') }} as customer_node_key,
        customer_identifiers.customer_key
    from row_nodes
    left join customer_identifiers
        on row_nodes.customer_node = customer_identifiers.node_id
)

select * from final
