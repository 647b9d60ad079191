{#- Clean WeCom community interactions, each with the customer its external_userid resolves to, or
    null (macros/identity: rows_with_customer). The one place a source row becomes a customer:
    models downstream read customer_key here and never build identity nodes themselves. A view:
    a join of two built tables. -#}

{{ config(materialized='view') }}

{{ rows_with_customer(ref('stg_scrm__community_interactions'), [
    identity_node('wecom', 'external_userid'),
]) }}
