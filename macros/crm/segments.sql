{#- The CRM plan's segment, lifecycle and tier rules as SQL expressions, parameterised by the
    `crm_*` vars in dbt_project.yml. Kept in one place so the monthly snapshots, the current
    segments and their unit tests all apply the same rule. -#}

{#- Plan segment from recency (days), frequency (orders), monetary value (fen), its percent rank
    among buyers and the buyers' mean. Segments overlap (a one-order buyer of last week is both
    new and potential), so the first matching rule wins: core, new, potential, dormant. Everyone
    else gets a named remainder: prospect (never bought), lapsed_low_value (long gone, below-mean
    spend) or developing. -#}
{% macro crm_plan_segment(recency, frequency, monetary, monetary_percentile, monetary_mean) -%}
    {%- set band = var('crm_potential_median_band') -%}
    case
        when
            {{ frequency }} >= {{ var('crm_core_min_frequency') }}
            and {{ recency }} <= {{ var('crm_core_max_recency_days') }}
            and {{ monetary_percentile }} >= {{ var('crm_core_min_monetary_percentile') }}
            then 'core'
        when
            {{ frequency }} <= {{ var('crm_new_max_frequency') }}
            and {{ recency }} <= {{ var('crm_new_max_recency_days') }}
            then 'new'
        when
            {{ frequency }} between {{ var('crm_potential_min_frequency') }}
            and {{ var('crm_potential_max_frequency') }}
            and {{ recency }} <= {{ var('crm_potential_max_recency_days') }}
            and {{ monetary_percentile }} between 0.5 - {{ band }} and 0.5 + {{ band }}
            then 'potential'
        when
            {{ frequency }} >= {{ var('crm_dormant_min_frequency') }}
            and {{ recency }} >= {{ var('crm_dormant_min_recency_days') }}
            and {{ monetary }} >= {{ monetary_mean }}
            then 'dormant'
        when {{ frequency }} = 0 then 'prospect'
        when {{ recency }} >= {{ var('crm_dormant_min_recency_days') }} then 'lapsed_low_value'
        else 'developing'
    end
{%- endmacro %}


{#- The classic named segment from the 1-5 recency and frequency scores (the usual R/F grid:
    5 is the most recent or most frequent fifth). Null for customers without scores. -#}
{% macro crm_rfm_named_segment(r_score, f_score) -%}
    case
        when {{ r_score }} is null or {{ f_score }} is null then null
        when {{ r_score }} = 5 and {{ f_score }} >= 4 then 'champions'
        when {{ r_score }} >= 3 and {{ f_score }} >= 4 then 'loyal'
        when {{ r_score }} = 5 and {{ f_score }} = 1 then 'new_customers'
        when {{ r_score }} = 4 and {{ f_score }} = 1 then 'promising'
        when {{ r_score }} >= 4 then 'potential_loyalists'
        when {{ r_score }} = 3 and {{ f_score }} = 3 then 'need_attention'
        when {{ r_score }} = 3 then 'about_to_sleep'
        when {{ f_score }} = 5 then 'cant_lose'
        when {{ f_score }} >= 3 then 'at_risk'
        else 'hibernating'
    end
{%- endmacro %}


{#- Lifecycle stage from frequency (orders) and recency (days since the last order); the first
    matching rule wins: prospect (never bought), churned, dormant, loyal, repeat, new. -#}
{% macro crm_lifecycle_stage(recency, frequency) -%}
    case
        when {{ frequency }} = 0 then 'prospect'
        when {{ recency }} >= {{ var('crm_lifecycle_churned_min_recency_days') }} then 'churned'
        when {{ recency }} >= {{ var('crm_lifecycle_dormant_min_recency_days') }} then 'dormant'
        when {{ frequency }} >= {{ var('crm_lifecycle_loyal_min_orders') }} then 'loyal'
        when {{ frequency }} >= {{ var('crm_lifecycle_repeat_min_orders') }} then 'repeat'
        else 'new'
    end
{%- endmacro %}


{#- Membership tier from rolling 12-month net spend (fen) of a customer who has ordered. -#}
{% macro crm_membership_tier(rolling_spend_cents) -%}
    case
        when {{ rolling_spend_cents }} >= {{ var('crm_tier_platinum_min_spend_cents') }}
            then 'platinum'
        when {{ rolling_spend_cents }} >= {{ var('crm_tier_gold_min_spend_cents') }} then 'gold'
        else 'silver'
    end
{%- endmacro %}


{#- Rank of a tier so changes can be told apart as upgrades or downgrades. -#}
{% macro crm_tier_rank(tier) -%}
    case {{ tier }} when 'silver' then 1 when 'gold' then 2 when 'platinum' then 3 end
{%- endmacro %}


{#- The churn-warning reasons that apply, '|'-joined (empty when none): the one definition both
    churn_warnings and dim_customers show. The silence label carries its window from the var, so
    it never names a different number of days than the rule uses. -#}
{% macro churn_warning_reasons(gap_and_drop_column, silent_column) -%}
    concat_ws(
        '|',
        case when {{ gap_and_drop_column }} then 'purchase_gap_and_interaction_drop' end,
        case
            when {{ silent_column }}
                then 'no_interaction_{{ var("crm_churn_silence_days") | int }}d'
        end
    )
{%- endmacro %}
