{#- WeCom attributes per customer from the latest state of each of the customer's contacts: owner
    and tags from the most recently updated contact, consent and opt-out from any of them, so a
    CRM send never reaches someone who asked for none on any contact. -#}

with

wecom_contacts as (
    select * from {{ ref('int_wecom_contacts_resolved') }}
),

latest_contact_states as (
    select
        wecom_contacts.customer_key,
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
    where wecom_contacts.customer_key is not null
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

final as (
    select
        customer_key,
        count(*) as wecom_contact_count,
        max(case when contact_recency = 1 then owner_userid end) as wecom_owner_userid,
        max(case when contact_recency = 1 then tags end) as wecom_tags,
        max(case when has_marketing_consent then 1 else 0 end) = 1 as has_marketing_consent,
        max(case when has_opted_out then 1 else 0 end) = 1 as has_opted_out
    from current_contacts
    group by customer_key
)

select * from final
