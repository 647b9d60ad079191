{#- Clean order headers, each with the customer its member id, else phone, else openid resolves to
    (the order's own identity edges join all three, so any one gives the same customer), or
    null (macros/identity: rows_with_customer). The one place a source row becomes a customer:
    models downstream read customer_key here and never build identity nodes themselves. A view:
    a join of two built tables. -#}

{{ config(materialized='view') }}

{{ rows_with_customer(ref('stg_shop__orders'), [
    identity_node('member', 'member_id'),
    identity_node('phone', 'phone'),
    identity_node('openid', 'openid'),
]) }}
