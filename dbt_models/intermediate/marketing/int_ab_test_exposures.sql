{#- Who was exposed to which arm of which experiment, one row per customer and experiment.
    Experiments are tagged in the data in two ways:
    - paid campaigns whose names end in '_A' / '_B' (the arms of one creative test, on one
      platform): exposure = an ad click on the arm's campaign;
    - WeCom staff messages with message_variant 'A' / 'B': exposure = receiving the message.
    A customer is assigned to the arm of their first exposure (ties broken by touchpoint id) and
    keeps it, so arms are disjoint. -#}

with

touchpoints as (
    select * from {{ ref('int_marketing_touchpoints') }}
),

ad_performance as (
    select * from {{ ref('int_ad_daily_reports') }}
),

campaign_arms as (
    select distinct
        platform,
        campaign_id,
        {{ dbt.concat([
            "platform", "':'", "substring(campaign_name, 1, length(campaign_name) - 2)"
        ]) }} as experiment_id,
        {{ dbt.right('campaign_name', 1) }} as arm
    from ad_performance
    where {{ dbt.right('campaign_name', 2) }} in ('_A', '_B')
),

campaign_exposures as (
    select
        campaign_arms.experiment_id,
        'campaign_variant' as experiment_type,
        campaign_arms.arm,
        touchpoints.customer_key,
        touchpoints.touchpoint_id,
        touchpoints.touched_at
    from touchpoints
    inner join campaign_arms
        on
            touchpoints.platform = campaign_arms.platform
            and touchpoints.campaign_id = campaign_arms.campaign_id
    where touchpoints.touch_source = 'ad_click'
),

message_exposures as (
    select
        'wecom:staff_message' as experiment_id,
        'message_variant' as experiment_type,
        message_variant as arm,
        customer_key,
        touchpoint_id,
        touched_at
    from touchpoints
    where touch_source = 'wecom_staff_message' and message_variant in ('A', 'B')
),

exposures as (
    select * from campaign_exposures
    union all
    select * from message_exposures
),

ranked as (
    select
        *,
        row_number() over (
            partition by experiment_id, customer_key
            order by touched_at, touchpoint_id
        ) as exposure_rank
    from exposures
),

final as (
    select
        experiment_id,
        experiment_type,
        arm,
        customer_key,
        touched_at as first_exposed_at
    from ranked
    where exposure_rank = 1
)

select * from final
