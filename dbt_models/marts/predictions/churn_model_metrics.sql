{#- How well the churn model ranks customers on data it was not trained on: trained with features
    as of train_cutoff_date, scored on customers as of holdout_cutoff_date, and compared with who
    bought in the following horizon_days. One row; before the first fit its status is not_run. -#}

with

churn_metrics as (
    {{ model_output('churn_metrics') | indent(4) }}
),

expected_model as (
    select 'hist_gradient_boosting' as model_name
),

final as (
    select
        expected_model.model_name,
        coalesce(churn_metrics.model_status, 'not_run') as model_status,
        case
            when churn_metrics.model_name is null then 'the churn model asset has not run yet'
            else churn_metrics.model_reason
        end as model_reason,
        cast(churn_metrics.horizon_days as bigint) as horizon_days,
        churn_metrics.train_cutoff_date,
        churn_metrics.holdout_cutoff_date,
        churn_metrics.observation_end_date,
        churn_metrics.train_customers,
        churn_metrics.holdout_customers,
        churn_metrics.train_churn_rate,
        churn_metrics.holdout_churn_rate,
        churn_metrics.roc_auc,
        churn_metrics.recency_only_roc_auc,
        churn_metrics.precision_top_decile,
        churn_metrics.lift_top_decile,
        churn_metrics.features
    from expected_model
    left join churn_metrics
        on expected_model.model_name = churn_metrics.model_name
)

select * from final
