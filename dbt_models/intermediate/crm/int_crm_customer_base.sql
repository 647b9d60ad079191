{#- Every resolved customer with the first day any of their identifiers was seen and whether they
    are present in the private domain (a WeCom contact, or any mini-program or community
    interaction). The population every CRM model starts from, buyers or not. -#}

with

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

identity_edges as (
    select * from {{ ref('int_identity_edges') }}
),

interaction_days as (
    select * from {{ ref('int_customer_interaction_days') }}
),

customers as (
    select
        customer_key,
        max(case when identifier_type = 'wecom' then 1 else 0 end) = 1 as has_wecom_contact
    from customer_identifiers
    group by customer_key
),

first_seen as (
    select
        customer_identifiers.customer_key,
        cast(min(identity_edges.first_observed_at) as date) as first_seen_date
    from identity_edges
    inner join customer_identifiers
        on identity_edges.node_a = customer_identifiers.node_id
    group by customer_identifiers.customer_key
),

interactions as (
    select
        customer_key,
        min(interaction_date) as first_interaction_date,
        max(interaction_date) as last_interaction_date
    from interaction_days
    group by customer_key
),

final as (
    select
        customers.customer_key,
        first_seen.first_seen_date,
        customers.has_wecom_contact,
        interactions.first_interaction_date,
        interactions.last_interaction_date,
        customers.has_wecom_contact
        or interactions.customer_key is not null as is_in_private_domain
    from customers
    left join first_seen
        on customers.customer_key = first_seen.customer_key
    left join interactions
        on customers.customer_key = interactions.customer_key
)

select * from final
