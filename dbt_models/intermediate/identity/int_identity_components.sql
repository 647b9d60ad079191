{#- Connected components of the identity graph by min-label propagation.

    Every node starts with its own sort key as label; each round a node takes the minimum label
    over itself and its neighbours. After k rounds a node holds the minimum over everything within
    k hops, so the labels reach the fixed point (one label per component) once k is at least the
    component's radius around its minimum node. Real identity graphs are stars around a member or a
    phone, so that radius is small (4 on the demo data). The rounds are unrolled (var
    `identity_label_rounds`, default 10) because Spark SQL before 4.0 has no recursive CTEs and a
    standard recursive CTE cannot take a minimum per node. The `identity_labels_converged` test
    fails the build if any edge still joins two different labels, i.e. if more rounds are needed.
    Each round reads only the previous one, so the plan grows linearly on both engines. -#}

{%- set rounds = var('identity_label_rounds', 10) | int %}

with

edges as (
    select * from {{ ref('int_identity_edges') }}
),

edge_ends as (
    select node_a as node_id from edges
    union
    select node_b as node_id from edges
),

nodes as (
    select
        node_id,
        {{ dbt.split_part('node_id', "':'", 1) }} as node_type,
        {{ identity_sort_key('node_id') }} as sort_key
    from edge_ends
),

adjacency as (
    select
        node_a as node_id,
        node_b as neighbour_id
    from edges
    union
    select
        node_b as node_id,
        node_a as neighbour_id
    from edges
    union
    select
        node_id,
        node_id as neighbour_id
    from nodes
),

labels_0 as (
    select
        node_id,
        sort_key as component_label
    from nodes
),

{% for round in range(1, rounds + 1) %}
    labels_{{ round }} as (
        select
            adjacency.node_id,
            min(labels_{{ round - 1 }}.component_label) as component_label
        from adjacency
        inner join labels_{{ round - 1 }}
            on adjacency.neighbour_id = labels_{{ round - 1 }}.node_id
        group by adjacency.node_id
    ),

{% endfor %}
components as (
    select
        labels_{{ rounds }}.node_id,
        nodes.node_type,
        anchors.node_id as anchor_node_id
    from labels_{{ rounds }}
    inner join nodes
        on labels_{{ rounds }}.node_id = nodes.node_id
    inner join nodes as anchors
        on labels_{{ rounds }}.component_label = anchors.sort_key
),

component_sizes as (
    select
        anchor_node_id,
        count(*) as component_node_count
    from components
    group by anchor_node_id
),

final as (
    select
        components.node_id,
        components.node_type,
        components.anchor_node_id,
        {{ customer_key_from_anchor('components.anchor_node_id') }} as customer_key,
        component_sizes.component_node_count
    from components
    inner join component_sizes
        on components.anchor_node_id = component_sizes.anchor_node_id
)

select * from final
