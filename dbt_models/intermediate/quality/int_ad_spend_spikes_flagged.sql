{#- Daily spend per campaign across the three ad platforms, with a robust spike flag.

    Method (one-sided median / MAD on the log spend): x = ln(1 + spend_cents / 100) of one
    campaign-day (all ads of the campaign summed). Per platform and campaign, m = median(x) and
    mad = median(|x - m|); a day is a spike when x - m > k * 1.4826 * mad,
    k = var('ad_spend_spike_mad_k') (default 3.5). Only high days are spikes: a low-spend day is
    a paused campaign, not a data problem. A campaign needs at least
    var('ad_spend_spike_min_days') days with spend and a non-zero MAD before anything is flagged.
    Flagged days stay in every mart. -#}

{%- set mad_k = var('ad_spend_spike_mad_k', 3.5) -%}
{%- set min_days = var('ad_spend_spike_min_days', 14) -%}

with

ad_daily_reports as (
    select * from {{ ref('int_ad_daily_reports') }}
),

campaign_days as (
    select
        platform,
        campaign_id,
        report_date,
        count(*) as ad_rows,
        sum(spend_cents) as spend_cents,
        ln(1 + sum(spend_cents) / 100.0) as log_spend
    from ad_daily_reports
    group by platform, campaign_id, report_date
),

campaign_centres as (
    select
        platform,
        campaign_id,
        count(*) as campaign_day_count,
        percentile_cont(0.5) within group (order by log_spend) as campaign_median_log_spend
    from campaign_days
    group by platform, campaign_id
),

deviations as (
    select
        campaign_days.*,
        campaign_centres.campaign_day_count,
        campaign_centres.campaign_median_log_spend,
        abs(campaign_days.log_spend - campaign_centres.campaign_median_log_spend)
            as abs_deviation
    from campaign_days
    inner join campaign_centres
        on
            campaign_days.platform = campaign_centres.platform
            and campaign_days.campaign_id = campaign_centres.campaign_id
),

campaign_spreads as (
    select
        platform,
        campaign_id,
        percentile_cont(0.5) within group (order by abs_deviation) as campaign_mad_log_spend
    from deviations
    group by platform, campaign_id
),

scored as (
    select
        deviations.*,
        campaign_spreads.campaign_mad_log_spend,
        case
            when campaign_spreads.campaign_mad_log_spend > 0
                then
                    (deviations.log_spend - deviations.campaign_median_log_spend)
                    / (1.4826 * campaign_spreads.campaign_mad_log_spend)
        end as robust_z_score
    from deviations
    inner join campaign_spreads
        on
            deviations.platform = campaign_spreads.platform
            and deviations.campaign_id = campaign_spreads.campaign_id
),

final as (
    select
        platform,
        campaign_id,
        report_date,
        ad_rows,
        spend_cents,
        campaign_day_count,
        campaign_median_log_spend,
        campaign_mad_log_spend,
        robust_z_score,
        coalesce(
            campaign_day_count >= {{ min_days }} and robust_z_score > {{ mad_k }},
            false
        ) as is_spend_spike,
        'one_sided_median_mad_log_spend_per_campaign_k{{ mad_k }}' as outlier_method
    from scored
)

select * from final
