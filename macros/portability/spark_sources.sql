{#- Sources on Spark. The source YAML gives each table's Parquet files as a DuckDB
    `read_parquet('<glob>', ...)` external_location, which dbt-duckdb reads in place. dbt-spark has
    no such thing: it selects from `<source schema>.<table>`. `register_external_sources` (an
    on-run-start hook) makes those names exist on Spark as views over the same files, so staging
    SQL stays the same on both engines and the file layout is written down once, in the YAML. -#}

{#- The path Spark reads for an external_location: the folder above the first wildcard for a
    hive-partitioned layout (Spark discovers `load_date=...` folders from there), otherwise the
    glob itself (it keeps other files in the folder, such as plots, out). -#}
{% macro spark_source_path(external_location, table_name) -%}
    {%- set found = modules.re.search("'([^']+)'", external_location) -%}
    {%- if found is none -%}
        {{ exceptions.raise_compiler_error(
            "external_location without a quoted path: " ~ external_location) }}
    {%- endif -%}
    {%- set glob = found.group(1).replace('{name}', table_name).replace('{identifier}', table_name) -%}
    {%- if 'hive_partitioning' not in external_location -%}
        {{ return(glob) }}
    {%- endif -%}
    {%- set folders = [] -%}
    {%- for part in glob.split('/') -%}
        {%- if '*' in part or '?' in part or '[' in part -%}{%- break -%}{%- endif -%}
        {%- do folders.append(part) -%}
    {%- endfor -%}
    {{ return(folders | join('/')) }}
{%- endmacro %}


{#- The external_location of a source node from the graph (table meta wins over source meta). -#}
{% macro source_external_location(source_node) -%}
    {%- for meta in [source_node.meta, source_node.config.get('meta', {}), source_node.source_meta] -%}
        {%- if meta and meta.get('external_location') -%}
            {{ return(meta.get('external_location')) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}


{#- A Spark path query over the files of an external_location. -#}
{% macro spark_parquet_relation(external_location, table_name) -%}
    parquet.`{{ spark_source_path(external_location, table_name) }}`
{%- endmacro %}


{% macro register_external_sources() -%}
    {{ return(adapter.dispatch('register_external_sources', 'customer_value_warehouse')()) }}
{%- endmacro %}

{#- DuckDB (dbt-duckdb) reads external_location itself. -#}
{% macro default__register_external_sources() -%}
    select 1 as nothing_to_register
{%- endmacro %}

{#- One view per raw source table, replaced on every run so a new column or a new load_date
    folder is seen. The `models` source is left out: its files are written between the two dbt
    runs and are read by `model_output` directly, so a run before the first fit still starts.
    Set the var `register_external_sources` to false on a cluster whose catalog already has the
    raw tables. -#}
{% macro spark__register_external_sources() -%}
    {%- if execute and var('register_external_sources') -%}
        {%- set schemas = [] -%}
        {%- for source_node in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- set location = source_external_location(source_node) -%}
            {%- if location and source_node.source_name != 'models' -%}
                {%- if source_node.schema not in schemas -%}
                    {%- do run_query('create schema if not exists ' ~ source_node.schema) -%}
                    {%- do schemas.append(source_node.schema) -%}
                {%- endif -%}
                {%- do run_query(
                    'create or replace view ' ~ source_node.schema ~ '.' ~ source_node.identifier
                    ~ ' as select * from ' ~ spark_parquet_relation(location, source_node.name)
                ) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as external_sources_registered
{%- endmacro %}
