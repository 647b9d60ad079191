{#- Membership tier history: one row each time a customer's tier changes, from joining as silver
    on the first order to every upgrade and downgrade after (rules in
    int_crm_membership_tier_evaluations). -#}

with

tier_evaluations as (
    select * from {{ ref('int_crm_membership_tier_evaluations') }}
),

with_previous as (
    select
        customer_key,
        evaluation_date,
        rolling_12m_net_cents,
        membership_tier,
        lag(membership_tier) over (
            partition by customer_key order by evaluation_date
        ) as previous_tier
    from tier_evaluations
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'customer_key', "'|'", 'cast(evaluation_date as ' ~ dbt.type_string() ~ ')'
        ])) }} as tier_change_key,
        customer_key,
        evaluation_date as changed_date,
        previous_tier as from_tier,
        membership_tier as to_tier,
        case
            when previous_tier is null then 'joined'
            when {{ crm_tier_rank('membership_tier') }} > {{ crm_tier_rank('previous_tier') }}
                then 'upgrade'
            else 'downgrade'
        end as change_type,
        cast(rolling_12m_net_cents as bigint) as rolling_12m_net_cents
    from with_previous
    where previous_tier is null or previous_tier <> membership_tier
)

select * from final
