{#- One row per referred customer: the first revenue order that used a referral code, who handed
    the code out, and the referrer's reward. The reward (var `marketing_referral_reward_cents`) is
    earned only when that order is the referred customer's first revenue order, i.e. the code
    brought in a new customer, and the customer is not the referrer. -#}

with

orders as (
    select * from {{ ref('fct_orders') }}
    where is_revenue_order and customer_key is not null
),

ranked_orders as (
    select
        *,
        row_number() over (
            partition by customer_key order by ordered_at, order_id
        ) as customer_order_number
    from orders
),

referral_orders as (
    select
        *,
        row_number() over (
            partition by customer_key order by ordered_at, order_id
        ) as referral_order_number,
        count(*) over (partition by customer_key) as referral_order_count,
        cast(sum(net_amount_cents) over (partition by customer_key) as bigint)
            as referral_net_amount_cents
    from ranked_orders
    where is_referral_order
),

final as (
    select
        customer_key as referred_customer_key,
        referrer_customer_key,
        referral_code,
        order_id as first_referral_order_id,
        ordered_at as first_referral_ordered_at,
        order_date as first_referral_order_date,
        cast(net_amount_cents as bigint) as first_referral_order_net_amount_cents,
        customer_order_number = 1 as is_new_customer,
        coalesce(referrer_customer_key = customer_key, false) as is_self_referral,
        referral_order_count,
        referral_net_amount_cents,
        cast(case
            when customer_order_number = 1 and coalesce(referrer_customer_key <> customer_key, true)
                then {{ var('marketing_referral_reward_cents') }}
            else 0
        end as bigint) as referrer_reward_cents
    from referral_orders
    where referral_order_number = 1
)

select * from final
