{#- Click callbacks, one row per raw row. Platform names arrive in English or Chinese and are
    mapped to platform codes through the platform_aliases seed.

    Incremental: a run reads only the raw load days of the window and ranks their rows again
    with the earlier copies of the same keys (macros/incremental/staging_versions.sql). -#}

{{ config(**incremental_staging_config()) }}

with

source as (
    select * from {{ source('ads', 'ad_clicks') }}
    where {{ incremental_raw_window() }}
),

platform_aliases as (
    select * from {{ ref('platform_aliases') }}
),

renamed as (
    select
        click_id as raw_click_id,
        platform as raw_platform,
        campaign_id as raw_campaign_id,
        ad_id as raw_ad_id,
        click_time as raw_click_time,
        openid as raw_openid,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        renamed.*,
        {{ clean_string('renamed.raw_click_id') }} as click_id,
        platform_aliases.platform,
        {{ clean_string('renamed.raw_campaign_id') }} as campaign_id,
        {{ clean_string('renamed.raw_ad_id') }} as ad_id,
        {{ parse_china_timestamp('renamed.raw_click_time') }} as clicked_at,
        {{ clean_string('renamed.raw_openid') }} as openid
    from renamed
    left join platform_aliases
        on {{ clean_enum('renamed.raw_platform') }} = platform_aliases.platform_alias
),

validated as (
    select
        *,
        {{ quarantine_rule_violation() }} as rule_violation
    from cleaned
),

candidates as (
    {{ staging_rows_to_version('validated', 'click_id', quarantine_duplicate_reason(), columns=[
        'raw_click_id', 'raw_platform', 'raw_campaign_id', 'raw_ad_id', 'raw_click_time',
        'raw_openid', '_source_file', '_row_number', '_load_date', 'click_id', 'platform',
        'campaign_id', 'ad_id', 'clicked_at', 'openid',
    ]) }}
),

versioned as (
    select
        *,
        -- Ranked among rows that pass every other rule: the latest good export wins.
        row_number() over (
            partition by click_id, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from candidates
),

final as (
    select
        click_id,
        platform,
        campaign_id,
        ad_id,
        clicked_at,
        openid,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_click_id,
        raw_platform,
        raw_campaign_id,
        raw_ad_id,
        raw_click_time,
        raw_openid
    from versioned
)

select * from final
