{#- Share of revenue orders and net revenue (refunds deducted) that came with a valid referral
    code, per order month, with the referred customers acquired that month. -#}

with

orders as (
    select * from {{ ref('fct_orders') }}
    where is_revenue_order
),

referrals as (
    select * from {{ ref('fct_referrals') }}
),

monthly_orders as (
    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as order_month,
        count(*) as order_count,
        cast(sum(case when is_referral_order then 1 else 0 end) as bigint) as referral_order_count,
        cast(sum(net_amount_cents) as bigint) as net_amount_cents,
        cast(sum(case when is_referral_order then net_amount_cents else 0 end) as bigint)
            as referral_net_amount_cents
    from orders
    group by cast({{ dbt.date_trunc('month', 'order_date') }} as date)
),

monthly_referrals as (
    select
        cast({{ dbt.date_trunc('month', 'first_referral_order_date') }} as date) as order_month,
        cast(sum(case when is_new_customer then 1 else 0 end) as bigint) as new_referred_customers,
        cast(sum(referrer_reward_cents) as bigint) as referrer_reward_cents
    from referrals
    group by cast({{ dbt.date_trunc('month', 'first_referral_order_date') }} as date)
),

final as (
    select
        monthly_orders.order_month,
        monthly_orders.order_count,
        monthly_orders.referral_order_count,
        cast(monthly_orders.referral_order_count as double) / monthly_orders.order_count
            as referral_order_share,
        monthly_orders.net_amount_cents,
        monthly_orders.referral_net_amount_cents,
        case
            when monthly_orders.net_amount_cents > 0
                then
                    cast(monthly_orders.referral_net_amount_cents as double)
                    / monthly_orders.net_amount_cents
        end as referral_revenue_share,
        coalesce(monthly_referrals.new_referred_customers, 0) as new_referred_customers,
        coalesce(monthly_referrals.referrer_reward_cents, 0) as referrer_reward_cents
    from monthly_orders
    left join monthly_referrals
        on monthly_orders.order_month = monthly_referrals.order_month
)

select * from final
