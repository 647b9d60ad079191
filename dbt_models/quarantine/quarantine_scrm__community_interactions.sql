{#- Rows of stg_scrm__community_interactions that failed a cleaning rule, with the rule and the raw values as
    exported, so the export can be fixed at the source. -#}

with

community_interactions as (
    select * from {{ ref('stg_scrm__community_interactions') }}
),

final as (
    select
        quarantine_reason,
        raw_interaction_id as interaction_id,
        raw_group_id as group_id,
        raw_external_userid as external_userid,
        raw_interaction_type as interaction_type,
        raw_message_variant as message_variant,
        raw_interaction_time as interaction_time,
        _source_file,
        _row_number,
        _load_date
    from community_interactions
    where quarantine_reason is not null
)

select * from final
