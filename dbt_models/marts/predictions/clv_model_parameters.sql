{#- The fitted BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, v) parameters with their standard
    errors, log-likelihood, convergence and fit date. Always seven rows: before the first fit, or
    when a model could not be fitted, the values are null and model_status says why. -#}

with

expected_parameters as (
    select
        'bg_nbd' as model_name,
        'r' as parameter_name

    union all

    select
        'bg_nbd' as model_name,
        'alpha' as parameter_name

    union all

    select
        'bg_nbd' as model_name,
        'a' as parameter_name

    union all

    select
        'bg_nbd' as model_name,
        'b' as parameter_name

    union all

    select
        'gamma_gamma' as model_name,
        'p' as parameter_name

    union all

    select
        'gamma_gamma' as model_name,
        'q' as parameter_name

    union all

    select
        'gamma_gamma' as model_name,
        'v' as parameter_name
),

clv_parameters as (
    {{ model_output('clv_parameters') | indent(4) }}
),

final as (
    select
        expected_parameters.model_name,
        expected_parameters.parameter_name,
        clv_parameters.parameter_value,
        clv_parameters.standard_error,
        coalesce(clv_parameters.model_status, 'not_run') as model_status,
        case
            when clv_parameters.model_name is null
                then 'the CLV model asset has not run yet'
            else clv_parameters.model_reason
        end as model_reason,
        clv_parameters.detail,
        clv_parameters.log_likelihood,
        clv_parameters.is_converged,
        clv_parameters.optimizer_message,
        cast(clv_parameters.iterations as bigint) as iterations,
        clv_parameters.customers,
        clv_parameters.customers_in_fit,
        clv_parameters.distinct_rows,
        clv_parameters.time_unit,
        clv_parameters.fit_date
    from expected_parameters
    left join clv_parameters
        on
            expected_parameters.model_name = clv_parameters.model_name
            and expected_parameters.parameter_name = clv_parameters.parameter_name
)

select * from final
