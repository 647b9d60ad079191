{#- Reading the tables the model-fitting assets write (dbt source `models`, Parquet files under
    `<data>/models/<table>/`).

    `model_output(table_name)` selects every column of the source table, cast to the data_type
    its (generated) yml declares: the schemas in dagster_project/lib/model_outputs.py are the one
    owner of those columns. When the assets have not written the table yet - a fresh warehouse,
    or `dbt build` run without Dagster - it returns no rows with the same columns instead of
    failing, so every mart downstream still builds and says "not scored". -#}

{% macro model_output(table_name) -%}
    {{ return(adapter.dispatch('model_output')(table_name, model_output_columns(table_name))) }}
{%- endmacro %}


{#- Name to SQL type of a model-output table's columns, in the schema's order; empty while dbt
    parses (the graph is there only when it executes). -#}
{% macro model_output_columns(table_name) -%}
    {%- set columns = {} -%}
    {%- if execute -%}
        {%- set node = graph.sources['source.customer_value_warehouse.models.' ~ table_name] -%}
        {%- for name, column in node.columns.items() -%}
            {%- do columns.update({
                name: dbt.type_string() if column.data_type == 'string' else column.data_type
            }) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}


{% macro default__model_output(table_name, columns) -%}
select
    {%- for name, data_type in columns.items() %}
    cast({{ name }} as {{ data_type }}) as {{ name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from {{ source('models', table_name) }}
{%- endmacro %}


{% macro duckdb__model_output(table_name, columns) -%}
    {#- The source is always referenced, so the dependency is in the graph either way. -#}
    {%- set relation = source('models', table_name) -%}
    {%- if execute and not model_output_exists(table_name) -%}
select
    {%- for name, data_type in columns.items() %}
    cast(null as {{ data_type }}) as {{ name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
where 1 = 0
    {%- else -%}
    {{ default__model_output(table_name, columns) }}
    {%- endif -%}
{%- endmacro %}


{#- Spark reads the files with a path query (source_external_location and spark_parquet_relation in
    macros/portability/spark_sources.sql): the tables are written between the two dbt runs, so
    no view is registered for them up front. Spark cannot test for the files without failing, so
    on Spark these marts need the model-fitting assets to have run. -#}
{% macro spark__model_output(table_name, columns) -%}
    {%- set relation = source('models', table_name) -%}
    {%- if not execute -%}
    {{ default__model_output(table_name, columns) }}
    {%- else -%}
    {%- set location = source_external_location(graph.sources[
        'source.customer_value_warehouse.models.' ~ table_name]) -%}
select
    {%- for name, data_type in columns.items() %}
    cast({{ name }} as {{ data_type }}) as {{ name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from {{ spark_parquet_relation(location, table_name) }}
    {%- endif -%}
{%- endmacro %}


{#- The folder the assets write to: must match the source's external_location in
    dbt_models/marts/predictions/_models__sources.yml (YAML cannot call a macro). -#}
{% macro models_root() -%}
    {{ return(var('models_root') or env_var('CVW_DATA_DIR', 'data') ~ '/models') }}
{%- endmacro %}


{% macro model_output_exists(table_name) -%}
    {%- set pattern = models_root() ~ '/' ~ table_name ~ '/*.parquet' -%}
    {%- set found = run_query(
        "select count(*) from glob('" ~ dbt.escape_single_quotes(pattern) ~ "')"
    ) -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}
