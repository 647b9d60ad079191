{#- Quarantine rules are declared once per base model, in its yml entry, as an ordered list under
    `config.meta.quarantine_rules`; the first rule a row fails is its quarantine_reason. A rule is
    one of:
      {reason: missing_x, blank: raw_x, means: ...}       the raw value is null, empty or spaces
      {reason: bad_x, when: <SQL condition>, means: ...}  the condition holds on the typed row
      {reason: duplicate_x, duplicate_of: x, means: ...}  an older copy of the same key
      {reason: missing_fx_rate, fx_rate: {...}, means: ...} after the duplicate rule, on the clean
                                                          rows only: no usable exchange rate
                                                          (macros/staging/fx_conversion.sql)
    The fx_rate rule needs another source, so the base model never applies it: the generated
    stg_ and quarantine models do.
    The same list renders the generated quarantine model's accepted values and
    docs/data_quality.md (`make generate`), so a rule is written down in one place. -#}

{#- The model's declared rules, from the macro `make generate` renders out of the yml entries
    (macros/staging/declared_quarantine_rules.sql): a macro, unlike the model's config, is also
    there when a unit test renders the model. -#}
{% macro quarantine_rules() -%}
    {%- set name = model.name -%}
    {%- if model.resource_type == 'unit_test' -%}
        {%- set name = model.tested_node_unique_id.split('.')[-1] -%}
    {%- endif -%}
    {{ return(declared_quarantine_rules().get(name, [])) }}
{%- endmacro %}


{#- The `case` naming the first rule of the row itself it fails (not the duplicate or exchange-rate
    rule), or null. -#}
{% macro quarantine_rule_violation() -%}
    {%- set rules = quarantine_rules() | rejectattr('duplicate_of', 'defined')
        | rejectattr('fx_rate', 'defined') | list -%}
    {%- if execute and rules | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ': no config.meta.quarantine_rules in its yml entry (run make generate?)') }}
    {%- endif -%}
    case
        {%- for rule in rules %}
        when {{ is_blank(rule.blank) if rule.blank is defined else rule.when }}
            then '{{ rule.reason }}'
        {%- endfor %}
    end
{%- endmacro %}


{#- The reason an older copy of a key gets: the declared rule with `duplicate_of`. -#}
{% macro quarantine_duplicate_reason() -%}
    {%- set rules = quarantine_rules() | selectattr('duplicate_of', 'defined') | list -%}
    {%- if execute and rules | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ': declare exactly one quarantine rule with duplicate_of, last') }}
    {%- endif -%}
    {{ return(rules[0].reason if rules else 'duplicate') }}
{%- endmacro %}
