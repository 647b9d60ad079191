{#- The rows an incremental staging model ranks into versions.

    On a full build: every row of `validated_cte`. On an incremental run `validated_cte` holds only
    the raw rows of the load window, so the rows already in this table from earlier load days whose
    `key_column` the window exports again are added, with the rule they broke (their duplicate
    reason is dropped: the ranking decides it again). Every copy of a re-exported key is then
    ranked together and the older copies are rewritten as duplicates. `key_column` must lead the
    ranking's partition; `columns` are the model's cleaned, raw and lineage columns, the same list
    on both branches so a missing one fails the first build. -#}
{% macro staging_rows_to_version(validated_cte, key_column, duplicate_reason, columns) -%}
    select
        {{ columns | join(',\n        ') }},
        rule_violation
    from {{ validated_cte }}
    {%- if is_incremental() %}
    union all
    select
        {{ columns | join(',\n        ') }},
        nullif(quarantine_reason, '{{ duplicate_reason }}') as rule_violation
    from {{ this }}
    where
        not ({{ incremental_load_window('_load_date', '_load_date') }})
        and {{ key_column }} in (
            select {{ validated_cte }}.{{ key_column }} from {{ validated_cte }}
        )
    {%- endif %}
{%- endmacro %}


{#- Boolean SQL on a raw source: the row's hive load_date partition is inside the load window, so
    an incremental staging model reads only those raw files. -#}
{% macro incremental_raw_window() -%}
    {{ incremental_load_window('cast(load_date as date)', '_load_date') }}
{%- endmacro %}


{#- The model config every incremental staging model shares: merged on the raw row's address. -#}
{% macro incremental_staging_config() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': incremental_merge_strategy(),
        'unique_key': ['_source_file', '_row_number'],
        'on_schema_change': 'append_new_columns',
    }) }}
{%- endmacro %}
