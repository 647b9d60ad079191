{#- Loss-free cleaning, on a quarantine model: for every load date, the raw source's rows equal
    the clean model's rows plus this model's rows. Counting the quarantine model (not the base
    model's own non-clean rows) catches a row that is neither clean nor quarantined, and a raw row
    that staging duplicates or drops. The generated quarantine yml attaches it to every source, so
    the list of sources is the contract's. Returns one row per load date that does not add up. -#}
{% test raw_rows_reconcile(model, raw, clean) %}

with

raw_rows as (
    select cast(load_date as date) as load_date, count(*) as raw_rows
    from {{ raw }}
    group by 1
),

clean_rows as (
    select _load_date as load_date, count(*) as clean_rows
    from {{ clean }}
    group by 1
),

quarantined_rows as (
    select _load_date as load_date, count(*) as quarantined_rows
    from {{ model }}
    group by 1
),

load_dates as (
    select load_date from raw_rows
    union
    select load_date from clean_rows
    union
    select load_date from quarantined_rows
),

final as (
    select
        load_dates.load_date,
        coalesce(raw_rows.raw_rows, 0) as raw_rows,
        coalesce(clean_rows.clean_rows, 0) as clean_rows,
        coalesce(quarantined_rows.quarantined_rows, 0) as quarantined_rows
    from load_dates
    left join raw_rows on load_dates.load_date = raw_rows.load_date
    left join clean_rows on load_dates.load_date = clean_rows.load_date
    left join quarantined_rows on load_dates.load_date = quarantined_rows.load_date
    where
        coalesce(raw_rows.raw_rows, 0)
        <> coalesce(clean_rows.clean_rows, 0) + coalesce(quarantined_rows.quarantined_rows, 0)
)

select * from final

{% endtest %}
