{#- Fails on every order and attribution model whose credits do not add up exactly to the order's
    net revenue. -#}
{% test credits_sum_to_order_net(model) %}

select
    order_id,
    attribution_model,
    sum(credit_cents) as credited_cents,
    max(order_net_amount_cents) as order_net_amount_cents
from {{ model }}
group by order_id, attribution_model
having
    sum(credit_cents) <> max(order_net_amount_cents)
    or min(order_net_amount_cents) <> max(order_net_amount_cents)

{% endtest %}
