{#- The lookup every other model uses to turn an identifier into a customer_key. -#}

with

components as (
    select * from {{ ref('int_identity_components') }}
),

final as (
    select
        node_id,
        {{ identity_node_key('node_id') }} as node_key,
        customer_key,
        node_type as identifier_type,
        substring(node_id, length(node_type) + 2) as identifier_value,
        node_id = anchor_node_id as is_anchor
    from components
)

select * from final
