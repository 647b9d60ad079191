{#- How the identity graph resolved on this build, as one row of counts: identifiers, customers,
    how many customers merge several identifiers or several sources, and the conflicts that
    merged people the source systems keep apart (one phone on several unionids, one unionid on
    several phones, several member ids or phones in one customer). Large conflict counts hint at
    shared identifiers (a family phone, a shop's counter phone) gluing customers together. -#}

with

edges as (
    select * from {{ ref('int_identity_edges') }}
),

components as (
    select * from {{ ref('int_identity_components') }}
),

pair_edges as (
    select
        node_a,
        node_b
    from edges
    where node_a <> node_b
),

neighbours as (
    select
        node_a as node_id,
        node_b as neighbour_id
    from pair_edges
    union
    select
        node_b as node_id,
        node_a as neighbour_id
    from pair_edges
),

phone_unionid_counts as (
    select
        node_id,
        {{ dbt.split_part('node_id', "':'", 1) }} as node_type,
        count(distinct case
            when neighbour_id like 'unionid:%' then neighbour_id
        end) as unionid_count,
        count(distinct case
            when neighbour_id like 'phone:%' then neighbour_id
        end) as phone_count
    from neighbours
    group by node_id
),

customer_sources as (
    select
        components.customer_key,
        count(distinct edges.edge_source) as source_count
    from edges
    inner join components
        on edges.node_a = components.node_id
    group by components.customer_key
),

customers as (
    select
        customer_key,
        count(*) as node_count,
        cast(sum(case when node_type = 'member' then 1 else 0 end) as bigint) as member_count,
        cast(sum(case when node_type = 'phone' then 1 else 0 end) as bigint) as phone_count
    from components
    group by customer_key
),

customer_counts as (
    select
        count(*) as customer_count,
        cast(sum(node_count) as bigint) as identifier_count,
        cast(sum(case when node_count = 1 then 1 else 0 end) as bigint) as single_identifier_customer_count,
        cast(sum(case when node_count > 1 then 1 else 0 end) as bigint) as multi_identifier_customer_count,
        cast(sum(case when member_count > 1 then 1 else 0 end) as bigint) as multi_member_customer_count,
        cast(sum(case when phone_count > 1 then 1 else 0 end) as bigint) as multi_phone_customer_count,
        max(node_count) as largest_customer_identifier_count
    from customers
),

source_counts as (
    select cast(sum(case when source_count > 1 then 1 else 0 end) as bigint) as multi_source_customer_count
    from customer_sources
),

conflict_counts as (
    select
        cast(sum(
            case when node_type = 'phone' and unionid_count > 1 then 1 else 0 end
        ) as bigint) as phone_on_several_unionids_count,
        cast(sum(
            case when node_type = 'unionid' and phone_count > 1 then 1 else 0 end
        ) as bigint) as unionid_on_several_phones_count
    from phone_unionid_counts
),

edge_counts as (
    select
        count(*) as edge_count,
        cast(sum(case when node_a <> node_b then 1 else 0 end) as bigint) as linking_edge_count
    from edges
),

final as (
    select
        customer_counts.customer_count,
        customer_counts.identifier_count,
        edge_counts.edge_count,
        edge_counts.linking_edge_count,
        customer_counts.single_identifier_customer_count,
        customer_counts.multi_identifier_customer_count,
        source_counts.multi_source_customer_count,
        customer_counts.multi_member_customer_count,
        customer_counts.multi_phone_customer_count,
        coalesce(conflict_counts.phone_on_several_unionids_count, 0)
            as phone_on_several_unionids_count,
        coalesce(conflict_counts.unionid_on_several_phones_count, 0)
            as unionid_on_several_phones_count,
        customer_counts.largest_customer_identifier_count
    from customer_counts
    cross join source_counts
    cross join conflict_counts
    cross join edge_counts
)

select * from final
