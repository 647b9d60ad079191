{#- Clean ad clicks, each with the customer its click id resolves to (a click is linked to its
    openid's customer; one without an openid resolves to nobody), or
    null (macros/identity: rows_with_customer). The one place a source row becomes a customer:
    models downstream read customer_key here and never build identity nodes themselves. A view:
    a join of two built tables. -#}

{{ config(materialized='view') }}

{{ rows_with_customer(ref('stg_ads__ad_clicks'), [
    identity_node('click', 'click_id'),
]) }}
