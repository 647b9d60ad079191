{#- Yes/no flags as exported by the SCRM: '1'/'0', 'true'/'false', 'y'/'n', 'yes'/'no' or
    Chinese '是'/'否', in any case. `when_blank` and `when_unknown` are SQL literals for an empty
    value and for a value that is none of these, so each flag can choose its safe side. -#}
{% macro parse_flag(column, when_blank='false', when_unknown='null') -%}
    case
        when {{ is_blank(column) }} then {{ when_blank }}
        when {{ clean_enum(column) }} in ('1', 'true', 't', 'y', 'yes', '是') then true
        when {{ clean_enum(column) }} in ('0', 'false', 'f', 'n', 'no', '否') then false
        else {{ when_unknown }}
    end
{%- endmacro %}
