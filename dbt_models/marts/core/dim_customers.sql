{#- Customer 360: one row per resolved customer, buyers or not, identified only by the
    pseudonymous customer_key, with orders, channels, WeCom state, CRM segments and predicted
    values. WeCom attributes come from the latest state of each of the customer's contacts;
    opting out on any contact counts, so CRM sends never reach someone who asked for none.
    Predictions come from the model-fitting assets, so this mart builds in the second dbt run. -#}

with

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

customer_base as (
    select * from {{ ref('int_crm_customer_base') }}
),

customer_orders as (
    select * from {{ ref('int_customer_orders_aggregated') }}
),

customers as (
    select
        customer_key,
        count(*) as identifier_count,
        max(case when identifier_type = 'member' then 1 else 0 end) = 1 as is_member,
        max(case when identifier_type = 'wecom' then 1 else 0 end) = 1 as has_wecom_contact,
        max(case when identifier_type = 'click' then 1 else 0 end) = 1 as has_ad_clicks
    from customer_identifiers
    group by customer_key
),

customer_contacts as (
    select * from {{ ref('int_crm_customer_contacts') }}
),

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

stores as (
    select * from {{ ref('stg_shop__stores') }}
),

interaction_days as (
    select * from {{ ref('int_customer_interaction_days') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

churn_signals as (
    select * from {{ ref('int_crm_churn_signals') }}
),

clv_predictions as (
    select * from {{ ref('customer_clv_predictions') }}
),

churn_predictions as (
    select * from {{ ref('churn_predictions') }}
),

order_channels as (
    select
        orders.customer_key,
        max(case when stores.channel = 'online' then 1 else 0 end) = 1 as has_online_orders,
        max(case when stores.channel = 'offline' then 1 else 0 end) = 1 as has_offline_orders
    from orders
    left join stores
        on orders.store_id = stores.store_id
    where orders.is_revenue_order and orders.customer_key is not null
    group by orders.customer_key
),

interaction_channels as (
    select
        customer_key,
        sum(miniprogram_event_count) > 0 as has_miniprogram_events,
        sum(community_interaction_count) > 0 as has_community_interactions
    from interaction_days
    group by customer_key
),

final as (
    select
        customers.customer_key,
        customer_base.first_seen_date,
        customer_orders.first_order_date,
        customer_orders.last_order_date,
        coalesce(customer_orders.order_count, 0) as order_count,
        cast(coalesce(customer_orders.gross_revenue_cents, 0) as bigint) as gross_revenue_cents,
        cast(coalesce(customer_orders.refund_amount_cents, 0) as bigint) as refund_amount_cents,
        cast(coalesce(customer_orders.net_revenue_cents, 0) as bigint) as net_revenue_cents,
        customer_orders.customer_key is not null as is_buyer,
        customers.is_member,
        customers.has_wecom_contact,
        customer_contacts.wecom_owner_userid,
        customer_contacts.wecom_tags,
        coalesce(customer_contacts.has_marketing_consent, false) as has_marketing_consent,
        coalesce(customer_contacts.has_opted_out, false) as has_opted_out,
        customers.identifier_count,
        nullif(concat_ws(
            '|',
            case when order_channels.has_online_orders then 'online' end,
            case when order_channels.has_offline_orders then 'offline' end,
            case when customers.has_wecom_contact then 'wecom' end,
            case when interaction_channels.has_miniprogram_events then 'miniprogram' end,
            case when interaction_channels.has_community_interactions then 'community' end,
            case when customers.has_ad_clicks then 'ads' end
        ), '') as channels_seen,
        customer_segments.membership_tier,
        customer_segments.plan_segment,
        customer_segments.rfm_segment,
        coalesce(customer_segments.lifecycle_stage, 'prospect') as lifecycle_stage,
        coalesce(churn_signals.is_gap_and_interaction_drop, false) as is_churn_warning_gap_drop,
        coalesce(churn_signals.is_silent, false) as is_churn_warning_no_interaction,
        nullif({{ churn_warning_reasons(
            'churn_signals.is_gap_and_interaction_drop', 'churn_signals.is_silent'
        ) }}, '') as churn_warning_reason,
        clv_predictions.p_alive,
        clv_predictions.expected_purchases_90d,
        clv_predictions.expected_purchases_180d,
        clv_predictions.expected_purchases_365d,
        clv_predictions.predicted_clv_cents,
        churn_predictions.churn_probability,
        cast(churn_predictions.churn_risk_decile as bigint) as churn_risk_decile
    from customers
    left join customer_base
        on customers.customer_key = customer_base.customer_key
    left join customer_orders
        on customers.customer_key = customer_orders.customer_key
    left join customer_contacts
        on customers.customer_key = customer_contacts.customer_key
    left join order_channels
        on customers.customer_key = order_channels.customer_key
    left join interaction_channels
        on customers.customer_key = interaction_channels.customer_key
    left join customer_segments
        on customers.customer_key = customer_segments.customer_key
    left join churn_signals
        on customers.customer_key = churn_signals.customer_key
    left join clv_predictions
        on customers.customer_key = clv_predictions.customer_key
    left join churn_predictions
        on customers.customer_key = churn_predictions.customer_key
)

select * from final
