{#- Clean WeCom contact states, each with the customer its external_userid resolves to, or
    null. The one place a source row becomes a customer: models downstream read customer_key from
    here and never build identity nodes themselves. customer_node_key lets an incremental fact
    find its old rows an identity merge re-keyed. A view: a join of two built tables. -#}

{{ config(materialized='view') }}

with

wecom_contacts as (
    select * from {{ ref('stg_scrm__wecom_contacts') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

row_nodes as (
    select
        *,
        {{ identity_node('wecom', 'external_userid') }} as customer_node
    from wecom_contacts
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
