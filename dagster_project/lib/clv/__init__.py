"""Predictive customer lifetime value: BG/NBD purchase counts and Gamma-Gamma spend per purchase.

Conventions (Fader, Hardie and Lee 2005): for each customer, ``frequency`` x is the number of
repeat purchase days (distinct purchase days after the first), ``recency`` t_x the time from the
first to the last purchase day and ``T`` the time from the first purchase day to the end of
observation, all in one time unit (weeks by default). Gamma-Gamma is fitted on repeat buyers
only, on the mean net value of their repeat purchase days (the first purchase is excluded).

Both models are fitted by maximum likelihood on the closed-form log-likelihoods with
``scipy.optimize`` (L-BFGS-B on log-parameters with analytic gradients). Identical
(frequency, recency, T) rows are fitted once with a weight, and every term that depends on one
column only (x, T or t_x) is computed once per distinct value, so a million customers fit in
about a second. Degenerate inputs never raise: the result says the model was not fitted and why.

Modules: ``results`` (parameter and fit-result containers, the fitted-parameter table),
``inputs`` (time units, input checks, grouping of identical rows), ``bgnbd`` and ``gamma_gamma``
(the likelihoods and their fast objectives), ``optimiser`` (the shared L-BFGS-B search),
``fitting`` (``fit_bgnbd``, ``fit_gamma_gamma``), ``prediction`` (P(alive), expected purchases
and spend, CLV) and ``scoring`` (``score_customers`` over a customer summary).
"""

from dagster_project.lib.clv.bgnbd import (
    bgnbd_individual_log_likelihood,
    bgnbd_log_likelihood,
)
from dagster_project.lib.clv.fitting import (
    DEFAULT_MIN_REPEAT_BUYERS,
    fit_bgnbd,
    fit_gamma_gamma,
)
from dagster_project.lib.clv.gamma_gamma import (
    gamma_gamma_individual_log_likelihood,
    gamma_gamma_log_likelihood,
)
from dagster_project.lib.clv.inputs import (
    DAYS_PER_MONTH,
    TIME_UNIT_DAYS,
)
from dagster_project.lib.clv.optimiser import (
    ModelData,
    Objective,
)
from dagster_project.lib.clv.prediction import (
    customer_lifetime_value,
    discounted_expected_purchases,
    expected_average_spend,
    expected_purchases,
    probability_alive,
)
from dagster_project.lib.clv.results import (
    BG_NBD,
    FITTED,
    GAMMA_GAMMA,
    NOT_FITTED,
    PARAMETER_NAMES,
    BgNbdParams,
    FitResult,
    GammaGammaParams,
    ParamsT,
    parameters_frame,
)
from dagster_project.lib.clv.scoring import (
    HORIZON_DAYS,
    PREDICTION_COLUMNS,
    ScoringConfig,
    model_status,
    score_customers,
)

__all__ = [
    "BG_NBD",
    "BgNbdParams",
    "DAYS_PER_MONTH",
    "DEFAULT_MIN_REPEAT_BUYERS",
    "FITTED",
    "FitResult",
    "GAMMA_GAMMA",
    "GammaGammaParams",
    "HORIZON_DAYS",
    "ModelData",
    "NOT_FITTED",
    "Objective",
    "PARAMETER_NAMES",
    "PREDICTION_COLUMNS",
    "ParamsT",
    "ScoringConfig",
    "TIME_UNIT_DAYS",
    "bgnbd_individual_log_likelihood",
    "bgnbd_log_likelihood",
    "customer_lifetime_value",
    "discounted_expected_purchases",
    "expected_average_spend",
    "expected_purchases",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_individual_log_likelihood",
    "gamma_gamma_log_likelihood",
    "model_status",
    "parameters_frame",
    "probability_alive",
    "score_customers",
]
