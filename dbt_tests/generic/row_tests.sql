{#- Generic row and table tests (dbt_utils is not available). -#}

{#- Fails on every row where the SQL boolean `expression` is false or null. -#}
{% test every_row_satisfies(model, expression) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}


{#- Fails on every combination of `columns` that occurs more than once. -#}
{% test column_combination_is_unique(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}


{#- The identity labels reached their fixed point: every edge of the identity graph joins two nodes
    of the same customer. A failure means a component needs more propagation rounds than
    `identity_label_rounds`; raise the var. -#}
{% test identity_labels_converged(model, edges) %}

select edges.edge_key
from {{ edges }} as edges
inner join {{ model }} as node_a_components
    on edges.node_a = node_a_components.node_id
inner join {{ model }} as node_b_components
    on edges.node_b = node_b_components.node_id
where node_a_components.customer_key <> node_b_components.customer_key

{% endtest %}


{#- Fails unless the model has exactly `expected` rows. -#}
{% test row_count_is(model, expected) %}

select count(*) as row_count
from {{ model }}
having count(*) <> {{ expected }}

{% endtest %}
