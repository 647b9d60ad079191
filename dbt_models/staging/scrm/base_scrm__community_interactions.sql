{#- WeCom customer-group interactions and 1:1 staff messages, one row per raw row.

    Incremental: a run reads only the raw load days of the window and ranks their rows again
    with the earlier copies of the same keys (macros/incremental/staging_versions.sql). -#}

{{ config(**incremental_staging_config()) }}

with

source as (
    select * from {{ source('scrm', 'community_interactions') }}
    where {{ incremental_raw_window() }}
),

renamed as (
    select
        interaction_id as raw_interaction_id,
        group_id as raw_group_id,
        external_userid as raw_external_userid,
        interaction_type as raw_interaction_type,
        message_variant as raw_message_variant,
        interaction_time as raw_interaction_time,
        _source_file,
        _row_number,
        cast(load_date as date) as _load_date
    from source
),

cleaned as (
    select
        *,
        {{ clean_string('raw_interaction_id') }} as interaction_id,
        {{ clean_string('raw_group_id') }} as group_id,
        {{ clean_string('raw_external_userid') }} as external_userid,
        case {{ clean_enum('raw_interaction_type') }}
            when 'message' then 'message'
            when 'reaction' then 'reaction'
            when 'join' then 'join'
            when 'leave' then 'leave'
            when 'coupon_claim' then 'coupon_claim'
            when 'staff_message' then 'staff_message'
        end as interaction_type,
        -- Experiment arms keep the upper-case labels used in campaign names ('_A', '_B').
        upper({{ clean_string('raw_message_variant') }}) as message_variant,
        {{ parse_china_timestamp('raw_interaction_time') }} as interacted_at
    from renamed
),

validated as (
    select
        *,
        {{ quarantine_rule_violation() }} as rule_violation
    from cleaned
),

candidates as (
    {{ staging_rows_to_version('validated', 'interaction_id', quarantine_duplicate_reason(), columns=[
        'raw_interaction_id', 'raw_group_id', 'raw_external_userid', 'raw_interaction_type',
        'raw_message_variant', 'raw_interaction_time', '_source_file', '_row_number',
        '_load_date', 'interaction_id', 'group_id', 'external_userid', 'interaction_type',
        'message_variant', 'interacted_at',
    ]) }}
),

versioned as (
    select
        *,
        -- Ranked among rows that pass every other rule: the latest good export wins.
        row_number() over (
            partition by interaction_id, rule_violation
            order by _load_date desc, _source_file desc, _row_number desc
        ) as version_rank
    from candidates
),

final as (
    select
        interaction_id,
        group_id,
        external_userid,
        interaction_type,
        message_variant,
        interacted_at,
        coalesce(
            rule_violation,
            case when version_rank > 1 then '{{ quarantine_duplicate_reason() }}' end
        ) as quarantine_reason,
        _source_file,
        _row_number,
        _load_date,
        raw_interaction_id,
        raw_group_id,
        raw_external_userid,
        raw_interaction_type,
        raw_message_variant,
        raw_interaction_time
    from versioned
)

select * from final
