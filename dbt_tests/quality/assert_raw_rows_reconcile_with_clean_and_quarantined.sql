{#- Loss-free cleaning: for every source and load date, the raw rows equal the clean staging rows
    plus the quarantined rows. Counting the quarantine tables (not the staging view's own
    non-clean rows) catches a row that is neither clean nor in quarantine, and a raw row that
    staging duplicates or drops. Returns one row per source and load date that does not add up. -#}

{%- set sources = [
    ('ads', 'ocean_engine_campaign_daily'),
    ('ads', 'tencent_ads_daily'),
    ('ads', 'baidu_campaign_daily'),
    ('ads', 'ad_clicks'),
    ('scrm', 'wecom_contacts'),
    ('scrm', 'miniprogram_events'),
    ('scrm', 'community_interactions'),
    ('shop', 'stores'),
    ('shop', 'members'),
    ('shop', 'orders'),
    ('shop', 'order_items'),
    ('shop', 'payments'),
    ('shop', 'refunds'),
    ('shop', 'referral_codes'),
] -%}

with

{% for family, table in sources %}
{{ family }}__{{ table }}_counts as (
    select
        '{{ family }}__{{ table }}' as source_name,
        load_date,
        sum(raw_rows) as raw_rows,
        sum(clean_rows) as clean_rows,
        sum(quarantined_rows) as quarantined_rows
    from (
        select cast(load_date as date) as load_date, 1 as raw_rows, 0 as clean_rows,
            0 as quarantined_rows
        from {{ source(family, table) }}
        union all
        select _load_date as load_date, 0 as raw_rows, 1 as clean_rows, 0 as quarantined_rows
        from {{ ref('stg_' ~ family ~ '__' ~ table) }}
        where quarantine_reason is null
        union all
        select _load_date as load_date, 0 as raw_rows, 0 as clean_rows, 1 as quarantined_rows
        from {{ ref('quarantine_' ~ family ~ '__' ~ table) }}
    ) as counted
    group by load_date
),

{% endfor %}
all_counts as (
    {% for family, table in sources %}
    select * from {{ family }}__{{ table }}_counts
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select *
    from all_counts
    where raw_rows <> clean_rows + quarantined_rows
)

select * from final
