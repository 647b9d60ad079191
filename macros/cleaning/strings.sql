{#- Text cleaning shared by the staging models. Raw values are strings exactly as exported, so
    blanks, padding and letter case are normalised here once instead of in every model. -#}

{#- Trimmed text, or null when nothing is left: exports write a missing value as '' and a cell
    of spaces is just as empty. -#}
{% macro clean_string(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}


{#- True when the raw value is missing (null, empty or only spaces). -#}
{% macro is_blank(column) -%}
    ({{ clean_string(column) }} is null)
{%- endmacro %}


{#- A lower-cased code value: enum spellings differ only in case between exports. -#}
{% macro clean_enum(column) -%}
    lower({{ clean_string(column) }})
{%- endmacro %}


{#- A lower-cased, trimmed e-mail address, or null unless it has exactly one '@' with text and no
    spaces on both sides; anything else cannot be used to reach or match a customer. -#}
{% macro normalize_email(column) -%}
    case
        when {{ regexp_matches(clean_enum(column), '^[^@ ]+@[^@ ]+$') }}
            then {{ clean_enum(column) }}
    end
{%- endmacro %}
