{#- Fails on every row whose value is null, empty or only spaces. Raw exports write a missing
    value as '', which a not_null test would let through. -#}
{% test not_blank(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ is_blank(column_name) }}

{% endtest %}
