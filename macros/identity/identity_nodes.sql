{#- Identity-graph helpers shared by the identity models.

    A node is a typed identifier such as 'phone:13812345678' or 'member:M000123'. The type prefix
    keeps identical strings from different systems (an openid equal to a member id) apart. -#}

{#- The typed node of one identifier column, or null when the value is missing. Blank strings
    are treated as missing so a stray '' can never glue unrelated people into one customer. -#}
{% macro identity_node(node_type, column) -%}
    case
        when nullif(trim({{ column }}), '') is not null
            then {{ dbt.concat(["'" ~ node_type ~ ":'", "trim(" ~ column ~ ")"]) }}
    end
{%- endmacro %}


{#- Node types from the most to the least durable. The anchor of a component (the node its
    customer_key is hashed from) is its minimum node under this order, so keys rest on loyalty
    member ids and phones rather than on per-app or per-click ids that come and go. -#}
{% macro identity_node_types() -%}
    {{ return(['member', 'phone', 'unionid', 'email', 'openid', 'wecom', 'click']) }}
{%- endmacro %}


{#- Sort key of a node: its type's rank (one digit) followed by the node id. -#}
{% macro identity_sort_key(node_id) -%}
    {%- set rank_expression -%}
    case {{ dbt.split_part(node_id, "':'", 1) }}
        {%- for node_type in identity_node_types() %}
        when '{{ node_type }}' then '{{ loop.index }}'
        {%- endfor %}
        else '9'
    end
    {%- endset -%}
    {{ dbt.concat([rank_expression, node_id]) }}
{%- endmacro %}


{#- Every pair of nodes observed together in one row of ``relation``, as undirected edges with
    node_a <= node_b, plus a self-edge for each node seen alone in a row (so identifiers that are
    never linked to anything still get a customer). ``observed_at`` and ``_load_date`` (the export
    day of the row) must be columns of the relation. -#}
{% macro identity_edges_from(relation, node_columns, edge_source) -%}
    {%- set statements = [] -%}
    {%- for left in node_columns -%}
        {%- for right in node_columns[loop.index:] -%}
            {%- set statement -%}
    select
        least({{ left }}, {{ right }}) as node_a,
        greatest({{ left }}, {{ right }}) as node_b,
        '{{ edge_source }}' as edge_source,
        observed_at,
        _load_date
    from {{ relation }}
    where {{ left }} is not null and {{ right }} is not null
            {%- endset -%}
            {%- do statements.append(statement) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for alone in node_columns -%}
        {%- set statement -%}
    select
        {{ alone }} as node_a,
        {{ alone }} as node_b,
        '{{ edge_source }}' as edge_source,
        observed_at,
        _load_date
    from {{ relation }}
    where {{ alone }} is not null
            {%- for other in node_columns if other != alone %}
        and {{ other }} is null
            {%- endfor -%}
        {%- endset -%}
        {%- do statements.append(statement) -%}
    {%- endfor -%}
    {{ statements | join('\n    union all\n') }}
{%- endmacro %}


{#- The pseudonymous key of an identity node: an md5 of the node id. A component's customer_key is
    the key of its anchor node; facts keep the key of the node a row resolved through, so a
    nightly run finds the old rows an identity merge re-keys without reading their identifiers.
    The optional `customer_key_salt` var keeps keys from being recomputed from known phones or
    member ids by anyone who only sees the marts; changing it changes every key. -#}
{% macro identity_node_key(node_id) -%}
    {%- set salt = var('customer_key_salt') -%}
    {%- if salt -%}
        {{ dbt.hash(dbt.concat(["'" ~ dbt.escape_single_quotes(salt) ~ "'", node_id])) }}
    {%- else -%}
        {{ dbt.hash(node_id) }}
    {%- endif -%}
{%- endmacro %}


{#- The body of an int_*_resolved view: every row of `clean_relation` with the typed node it
    resolves through (the first non-null of `node_expressions`, in order), that node's
    pseudonymous key and the customer_key of its identity component, or null. -#}
{% macro rows_with_customer(clean_relation, node_expressions) -%}
with

clean_rows as (
    select * from {{ clean_relation }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

row_nodes as (
    select
        *,
        {% if node_expressions | length == 1 -%}
        {{ node_expressions[0] }}
        {%- else -%}
        coalesce({{ node_expressions | join(', ') }})
        {%- endif %} as customer_node
    from clean_rows
),

final as (
    select
        row_nodes.*,
        {{ identity_node_key('row_nodes.customer_node') }} as customer_node_key,
        customer_identifiers.customer_key
    from row_nodes
    left join customer_identifiers
        on row_nodes.customer_node = customer_identifiers.node_id
)

select * from final
{%- endmacro %}
