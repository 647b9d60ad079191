{#- Helpers of the incremental models: the facts (fct_orders, fct_miniprogram_events,
    fct_ad_clicks) and the staging of the largest raw sources (see staging_versions.sql).

    A nightly run names the landing export day it processes with var `run_date` (YYYY-MM-DD) and
    re-reads `lookback_days` earlier export days, so rows that landed late or were re-exported are
    merged again. Without `run_date` the window starts `lookback_days` before the latest load day
    already in the model, so an unpartitioned run catches up by itself. -#}

{#- The strategy behind one adapter-neutral config: DuckDB deletes and re-inserts the keys of the
    new batch; Spark needs a table format with MERGE (Delta, Iceberg, Hudi) and merges on the key. -#}
{% macro incremental_merge_strategy() -%}
    {{ return(adapter.dispatch('incremental_merge_strategy')()) }}
{%- endmacro %}

{% macro default__incremental_merge_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro duckdb__incremental_merge_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{#- dbt-spark merges only into delta, iceberg or hudi tables. On plain Parquet (the local session)
    the first build creates the table with insert_overwrite; a later incremental run would
    overwrite the whole table with the window only, so it stops and asks for --full-refresh.
    The format comes from the `spark_file_format` var because model config is not known yet
    when dbt parses this; set it with `+file_format` on a cluster with Delta. -#}
{% macro spark__incremental_merge_strategy() -%}
    {%- if var('spark_file_format') in ['delta', 'iceberg', 'hudi'] -%}
        {{ return('merge') }}
    {%- endif -%}
    {%- if execute and is_incremental() -%}
        {{ exceptions.raise_compiler_error(
            this ~ ': incremental runs on Spark need file_format delta, iceberg or hudi; '
            ~ 'on Parquet run dbt with --full-refresh') }}
    {%- endif -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}


{#- True when the existing fact has `column`; a fact built before the column existed is reloaded
    whole instead of failing on the missing watermark. -#}
{% macro incremental_has_column(column) -%}
    {%- set existing = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {{ return(column | lower in existing) }}
{%- endmacro %}


{#- Boolean SQL: the row's load day is inside the window of this run. Always true on a full
    build (the model is not incremental then, so every row is selected). -#}
{% macro incremental_load_window(load_date_column, watermark_column='_last_load_date') -%}
    {%- set run_date = var('run_date', '') -%}
    {%- set lookback_days = var('lookback_days', 3) | int -%}
    {%- if not is_incremental() -%}
        1 = 1
    {%- elif run_date -%}
        {{ load_date_column }} >= {{ dbt.dateadd('day', -lookback_days, "cast('" ~ run_date ~ "' as date)") }}
    {%- elif incremental_has_column(watermark_column) -%}
        {{ load_date_column }} >= coalesce(
            (
                select {{ dbt.dateadd('day', -lookback_days, 'max(' ~ watermark_column ~ ')') }}
                from {{ this }}
            ),
            cast('1900-01-01' as date)
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{#- The keys of the rows of this fact whose identifier now resolves to another customer than the
    row holds: an identity merge re-keyed them. Reads two narrow columns of the fact and the
    identifier map, not the fact's history. A fact written before it kept customer_node_key is
    re-keyed whole once. -#}
{% macro incremental_rekeyed_keys(unique_key, identifiers_cte) -%}
    {%- if not incremental_has_column('customer_node_key') -%}
    select {{ unique_key }} from {{ this }}
    {%- else -%}
    select existing_rows.{{ unique_key }}
    from {{ this }} as existing_rows
    left join {{ identifiers_cte }}
        on existing_rows.customer_node_key = {{ identifiers_cte }}.node_key
    where existing_rows.customer_key is distinct from {{ identifiers_cte }}.customer_key
    {%- endif -%}
{%- endmacro %}


{#- The staged rows an identity-keyed fact (events, clicks) shapes: on a full build all of
    `staged_cte`; on an incremental run the rows loaded inside the window plus the older rows an
    identity merge re-keyed. -#}
{% macro incremental_identity_fact_rows(staged_cte, unique_key, identifiers_cte) -%}
    select * from {{ staged_cte }}
    {%- if is_incremental() %}
    where
        {{ incremental_load_window('_load_date') }}
        or {{ unique_key }} in (
            {{ incremental_rekeyed_keys(unique_key, identifiers_cte) }}
        )
    {%- endif %}
{%- endmacro %}
