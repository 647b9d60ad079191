{#- One row per resolved customer, buyers or not, identified only by the pseudonymous
    customer_key. WeCom attributes come from the latest state of each of the customer's contacts;
    opting out on any contact counts, so CRM sends never reach someone who asked for none. -#}

with

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

identity_edges as (
    select * from {{ ref('int_identity_edges') }}
),

customer_orders as (
    select * from {{ ref('int_customer_orders_aggregated') }}
),

wecom_contacts as (
    select * from {{ ref('stg_scrm__wecom_contacts') }}
    where quarantine_reason is null
),

customers as (
    select
        customer_key,
        count(*) as identifier_count,
        max(case when identifier_type = 'member' then 1 else 0 end) = 1 as is_member,
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

latest_contact_states as (
    select
        customer_identifiers.customer_key,
        wecom_contacts.owner_userid,
        wecom_contacts.tags,
        wecom_contacts.has_marketing_consent,
        wecom_contacts.has_opted_out,
        wecom_contacts.updated_at,
        wecom_contacts.external_userid,
        row_number() over (
            partition by wecom_contacts.external_userid
            order by wecom_contacts.updated_at desc
        ) as state_recency
    from wecom_contacts
    inner join customer_identifiers
        on
            {{ identity_node('wecom', 'wecom_contacts.external_userid') }}
            = customer_identifiers.node_id
),

current_contacts as (
    select
        customer_key,
        owner_userid,
        tags,
        has_marketing_consent,
        has_opted_out,
        row_number() over (
            partition by customer_key
            order by updated_at desc, external_userid asc
        ) as contact_recency
    from latest_contact_states
    where state_recency = 1
),

customer_contacts as (
    select
        customer_key,
        max(case when contact_recency = 1 then owner_userid end) as wecom_owner_userid,
        max(case when contact_recency = 1 then tags end) as wecom_tags,
        max(case when has_marketing_consent then 1 else 0 end) = 1 as has_marketing_consent,
        max(case when has_opted_out then 1 else 0 end) = 1 as has_opted_out
    from current_contacts
    group by customer_key
),

final as (
    select
        customers.customer_key,
        first_seen.first_seen_date,
        customer_orders.first_order_date,
        customer_orders.last_order_date,
        coalesce(customer_orders.order_count, 0) as order_count,
        coalesce(customer_orders.gross_revenue_cents, 0) as gross_revenue_cents,
        coalesce(customer_orders.refund_amount_cents, 0) as refund_amount_cents,
        coalesce(customer_orders.net_revenue_cents, 0) as net_revenue_cents,
        customer_orders.customer_key is not null as is_buyer,
        customers.is_member,
        customers.has_wecom_contact,
        customer_contacts.wecom_owner_userid,
        customer_contacts.wecom_tags,
        coalesce(customer_contacts.has_marketing_consent, false) as has_marketing_consent,
        coalesce(customer_contacts.has_opted_out, false) as has_opted_out,
        customers.identifier_count
    from customers
    left join first_seen
        on customers.customer_key = first_seen.customer_key
    left join customer_orders
        on customers.customer_key = customer_orders.customer_key
    left join customer_contacts
        on customers.customer_key = customer_contacts.customer_key
)

select * from final
