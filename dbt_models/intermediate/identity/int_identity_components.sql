{#- Connected components of the identity graph by min-label propagation.

    Nodes are numbered once in the order that ranks durable identifiers first, so a node's number
    is its label and the rounds join and aggregate integers rather than text. Pendant nodes (one
    neighbour, which itself has others: most clicks, emails and many phones) are set aside before
    the rounds: each hands its number to its neighbour's starting label and takes that
    neighbour's final label afterwards. That leaves the components and their minimum nodes
    unchanged and shrinks the graph the rounds walk to the identifiers that link several others.

    Each round a node takes the minimum label over itself and its neighbours; after k rounds it
    holds the minimum within k hops, so the labels reach the fixed point once k is at least the
    remaining graph's radius around its minimum node (stars around a member or a phone: small).
    The rounds are unrolled (var `identity_label_rounds`, default 10) because Spark SQL before 4.0
    has no recursive CTEs and a standard recursive CTE cannot take a minimum per node. The
    `identity_labels_converged` test fails the build if any edge still joins two different labels,
    i.e. if more rounds are needed. Each round reads only the previous one, so the plan grows
    linearly on both engines. -#}

{%- set rounds = var('identity_label_rounds') | int %}

with

edges as (
    select * from {{ ref('int_identity_edges') }}
),

edge_ends as (
    select node_a as node_id from edges
    union
    select node_b as node_id from edges
),

typed_nodes as (
    select
        node_id,
        {{ dbt.split_part('node_id', "':'", 1) }} as node_type,
        {{ identity_sort_key('node_id') }} as sort_key
    from edge_ends
),

numbered_nodes as (
    select
        node_id,
        node_type,
        row_number() over (order by sort_key) as node_number
    from typed_nodes
),

numbered_links as (
    select
        ends_a.node_number as node_a_number,
        ends_b.node_number as node_b_number
    from edges
    inner join numbered_nodes as ends_a
        on edges.node_a = ends_a.node_id
    inner join numbered_nodes as ends_b
        on edges.node_b = ends_b.node_id
    where edges.node_a != edges.node_b
),

neighbours as (
    select
        node_a_number as node_number,
        node_b_number as neighbour_number
    from numbered_links
    union
    select
        node_b_number as node_number,
        node_a_number as neighbour_number
    from numbered_links
),

degrees as (
    select
        node_number,
        count(*) as neighbour_count,
        min(neighbour_number) as first_neighbour_number
    from neighbours
    group by node_number
),

pendants as (
    select
        pendant.node_number,
        pendant.first_neighbour_number as attached_to_number
    from degrees as pendant
    inner join degrees as attached_to
        on pendant.first_neighbour_number = attached_to.node_number
    where pendant.neighbour_count = 1 and attached_to.neighbour_count > 1
),

core_nodes as (
    select numbered_nodes.node_number
    from numbered_nodes
    left join pendants
        on numbered_nodes.node_number = pendants.node_number
    where pendants.node_number is null
),

core_adjacency as (
    select
        neighbours.node_number,
        neighbours.neighbour_number
    from neighbours
    left join pendants as pendant_nodes
        on neighbours.node_number = pendant_nodes.node_number
    left join pendants as pendant_neighbours
        on neighbours.neighbour_number = pendant_neighbours.node_number
    where pendant_nodes.node_number is null and pendant_neighbours.node_number is null
    union all
    select
        node_number,
        node_number as neighbour_number
    from core_nodes
),

labels_0 as (
    select
        core_nodes.node_number,
        least(
            core_nodes.node_number,
            coalesce(min(pendants.node_number), core_nodes.node_number)
        ) as component_label
    from core_nodes
    left join pendants
        on core_nodes.node_number = pendants.attached_to_number
    group by core_nodes.node_number
),

{% for round in range(1, rounds + 1) %}
    labels_{{ round }} as (
        select
            core_adjacency.node_number,
            min(labels_{{ round - 1 }}.component_label) as component_label
        from core_adjacency
        inner join labels_{{ round - 1 }}
            on core_adjacency.neighbour_number = labels_{{ round - 1 }}.node_number
        group by core_adjacency.node_number
    ),

{% endfor %}
node_labels as (
    select
        node_number,
        component_label
    from labels_{{ rounds }}
    union all
    select
        pendants.node_number,
        labels_{{ rounds }}.component_label
    from pendants
    inner join labels_{{ rounds }}
        on pendants.attached_to_number = labels_{{ rounds }}.node_number
),

components as (
    select
        numbered_nodes.node_id,
        numbered_nodes.node_type,
        anchors.node_id as anchor_node_id
    from node_labels
    inner join numbered_nodes
        on node_labels.node_number = numbered_nodes.node_number
    inner join numbered_nodes as anchors
        on node_labels.component_label = anchors.node_number
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
        {{ identity_node_key('components.anchor_node_id') }} as customer_key,
        component_sizes.component_node_count
    from components
    inner join component_sizes
        on components.anchor_node_id = component_sizes.anchor_node_id
)

select * from final
