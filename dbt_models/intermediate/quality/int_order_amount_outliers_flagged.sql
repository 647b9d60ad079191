{#- Clean orders with a robust outlier flag on their amount, per store.

    Method (median / MAD on the log amount): x = ln(1 + order_amount_cents / 100). Per store,
    m = median(x) and mad = median(|x - m|). An order is an outlier when
    |x - m| > k * 1.4826 * mad, k = var('order_amount_outlier_mad_k') (default 3.5; 1.4826 makes
    the MAD comparable to a standard deviation under normality). The log keeps large baskets from
    looking extreme only because order values are right-skewed. A store needs at least
    var('order_amount_outlier_min_orders') clean orders and a non-zero MAD before anything is
    flagged: with fewer orders the range is not robust. Flagged orders stay in every mart. -#}

{%- set mad_k = var('order_amount_outlier_mad_k', 3.5) -%}
{%- set min_orders = var('order_amount_outlier_min_orders', 20) -%}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

clean_orders as (
    select
        order_id,
        store_id,
        order_date,
        order_amount_cents,
        ln(1 + order_amount_cents / 100.0) as log_amount
    from orders
),

store_centres as (
    select
        store_id,
        count(*) as store_order_count,
        percentile_cont(0.5) within group (order by log_amount) as store_median_log_amount
    from clean_orders
    group by store_id
),

deviations as (
    select
        clean_orders.*,
        store_centres.store_order_count,
        store_centres.store_median_log_amount,
        abs(clean_orders.log_amount - store_centres.store_median_log_amount) as abs_deviation
    from clean_orders
    inner join store_centres
        on clean_orders.store_id = store_centres.store_id
),

store_spreads as (
    select
        store_id,
        percentile_cont(0.5) within group (order by abs_deviation) as store_mad_log_amount
    from deviations
    group by store_id
),

scored as (
    select
        deviations.*,
        store_spreads.store_mad_log_amount,
        case
            when store_spreads.store_mad_log_amount > 0
                then
                    (deviations.log_amount - deviations.store_median_log_amount)
                    / (1.4826 * store_spreads.store_mad_log_amount)
        end as robust_z_score
    from deviations
    inner join store_spreads
        on deviations.store_id = store_spreads.store_id
),

final as (
    select
        order_id,
        store_id,
        order_date,
        order_amount_cents,
        store_order_count,
        store_median_log_amount,
        store_mad_log_amount,
        robust_z_score,
        coalesce(
            store_order_count >= {{ min_orders }} and abs(robust_z_score) > {{ mad_k }},
            false
        ) as is_amount_outlier,
        'median_mad_log_amount_per_store_k{{ mad_k }}' as outlier_method
    from scored
)

select * from final
