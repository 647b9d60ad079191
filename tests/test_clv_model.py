"""BG/NBD and Gamma-Gamma: likelihoods, fits, degenerate data and predictions."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.stats import beta as beta_distribution

from dagster_project.lib import clv
from dagster_project.lib.clv import BgNbdParams, GammaGammaParams
from dagster_project.lib.clv.bgnbd import _bgnbd_data, _bgnbd_objective
from dagster_project.lib.clv.gamma_gamma import _gamma_gamma_data, _gamma_gamma_objective

TRUE_BGNBD = BgNbdParams(r=0.25, alpha=4.0, a=0.8, b=2.5)
TRUE_GAMMA_GAMMA = GammaGammaParams(p=6.0, q=4.0, v=5_000.0)
# The estimates of 20,000 simulated customers are approximately normal around the truth with
# the standard errors of the inverse observed information. Over 30 seeds the standardised
# errors had a standard deviation of 0.8-1.25 and never exceeded 3.1, so four standard errors
# (a two-sided miss probability near 1e-4 per parameter) tests recovery without flaking; the
# standard errors themselves are about 2-5% of each parameter.
TOLERANCE_STANDARD_ERRORS = 4.0


def simulate_bgnbd(
    n: int, params: BgNbdParams, seed: int, max_t: float = 78.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customers observed for T ~ U(1, max_t) weeks after their first purchase."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(1.0, max_t, n)
    rate = rng.gamma(params.r, 1.0 / params.alpha, n)
    dropout = rng.beta(params.a, params.b, n)
    purchases = rng.poisson(rate * t)
    # The customer drops out right after the K-th repeat purchase, K ~ Geometric(p).
    frequency = np.minimum(purchases, rng.geometric(dropout))
    recency = np.zeros(n)
    repeat = frequency > 0
    # Given N uniform purchase times in (0, T], the x-th is T times a Beta(x, N - x + 1).
    recency[repeat] = t[repeat] * rng.beta(
        frequency[repeat], purchases[repeat] - frequency[repeat] + 1
    )
    return frequency.astype(np.float64), recency, t


def simulate_gamma_gamma(
    n: int, params: GammaGammaParams, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Repeat buyers with 1 + Poisson(2) repeat purchases and their mean spend."""
    rng = np.random.default_rng(seed)
    frequency = 1 + rng.poisson(2.0, n)
    scale = rng.gamma(params.q, 1.0 / params.v, n)
    # The mean of x Gamma(p, nu) draws is Gamma(p x, x nu).
    monetary = rng.gamma(params.p * frequency, 1.0) / (frequency * scale)
    return frequency.astype(np.float64), monetary


@pytest.fixture(scope="module")
def bgnbd_sample() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return simulate_bgnbd(20_000, TRUE_BGNBD, seed=11)


@pytest.fixture(scope="module")
def bgnbd_fit(bgnbd_sample) -> clv.FitResult[BgNbdParams]:
    return clv.fit_bgnbd(*bgnbd_sample, fit_date=date(2026, 10, 31))


@pytest.fixture(scope="module")
def gamma_gamma_sample() -> tuple[np.ndarray, np.ndarray]:
    return simulate_gamma_gamma(20_000, TRUE_GAMMA_GAMMA, seed=12)


@pytest.fixture(scope="module")
def gamma_gamma_fit(gamma_gamma_sample) -> clv.FitResult[GammaGammaParams]:
    return clv.fit_gamma_gamma(*gamma_gamma_sample)


def _assert_recovered(fit: clv.FitResult, truth: BgNbdParams | GammaGammaParams) -> None:
    assert fit.fitted, fit.detail
    estimates, errors = fit.params.as_dict(), fit.standard_errors.as_dict()
    for name, true_value in truth.as_dict().items():
        assert errors[name] > 0
        distance = abs(estimates[name] - true_value) / errors[name]
        assert distance < TOLERANCE_STANDARD_ERRORS, (name, estimates[name], errors[name])


# --- parameter recovery ------------------------------------------------------------------------


def test_bgnbd_recovers_each_simulated_parameter_within_four_standard_errors(bgnbd_fit) -> None:
    assert bgnbd_fit.converged
    assert bgnbd_fit.n_customers == 20_000
    assert bgnbd_fit.fit_date == date(2026, 10, 31)
    _assert_recovered(bgnbd_fit, TRUE_BGNBD)


def test_gamma_gamma_recovers_each_simulated_parameter_within_four_standard_errors(
    gamma_gamma_fit,
) -> None:
    assert gamma_gamma_fit.converged
    _assert_recovered(gamma_gamma_fit, TRUE_GAMMA_GAMMA)


def test_bgnbd_log_likelihood_at_the_optimum_is_at_least_that_at_the_true_parameters(
    bgnbd_sample, bgnbd_fit
) -> None:
    at_truth = clv.bgnbd_log_likelihood(TRUE_BGNBD, *bgnbd_sample)
    at_optimum = clv.bgnbd_log_likelihood(bgnbd_fit.params, *bgnbd_sample)
    assert at_optimum >= at_truth
    assert bgnbd_fit.log_likelihood == pytest.approx(at_optimum, rel=1e-12)


def test_gamma_gamma_log_likelihood_at_the_optimum_is_at_least_that_at_the_true_parameters(
    gamma_gamma_sample, gamma_gamma_fit
) -> None:
    at_truth = clv.gamma_gamma_log_likelihood(TRUE_GAMMA_GAMMA, *gamma_gamma_sample)
    at_optimum = clv.gamma_gamma_log_likelihood(gamma_gamma_fit.params, *gamma_gamma_sample)
    assert at_optimum >= at_truth
    assert gamma_gamma_fit.log_likelihood == pytest.approx(at_optimum, rel=1e-12)


# --- the fast objective against the plain likelihood ------------------------------------------


def test_fast_bgnbd_objective_equals_the_plain_likelihood_and_its_gradient_is_exact(
    bgnbd_sample,
) -> None:
    x, t_x, t = bgnbd_sample
    weights = np.ones(len(x))
    data = _bgnbd_data(x, t_x, t, weights, group=True)
    theta = np.log([0.4, 3.0, 1.2, 2.0])
    value, gradient = _bgnbd_objective(theta, data)
    plain = clv.bgnbd_log_likelihood(BgNbdParams(*np.exp(theta)), x, t_x, t)
    assert -value * len(x) == pytest.approx(plain, rel=1e-12)
    step = 1e-6
    for i in range(4):
        shift = np.zeros(4)
        shift[i] = step
        numeric = (
            _bgnbd_objective(theta + shift, data)[0] - _bgnbd_objective(theta - shift, data)[0]
        ) / (2 * step)
        assert gradient[i] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_fast_gamma_gamma_objective_equals_the_plain_likelihood_and_its_gradient_is_exact(
    gamma_gamma_sample,
) -> None:
    x, m = gamma_gamma_sample
    data = _gamma_gamma_data(x, m, np.ones(len(x)), group=True)
    theta = np.log([3.0, 2.0, 800.0])
    value, gradient = _gamma_gamma_objective(theta, data)
    plain = clv.gamma_gamma_log_likelihood(GammaGammaParams(*np.exp(theta)), x, m)
    assert -value * len(x) == pytest.approx(plain, rel=1e-12)
    step = 1e-6
    for i in range(3):
        shift = np.zeros(3)
        shift[i] = step
        numeric = (
            _gamma_gamma_objective(theta + shift, data)[0]
            - _gamma_gamma_objective(theta - shift, data)[0]
        ) / (2 * step)
        assert gradient[i] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


# --- grouping ----------------------------------------------------------------------------------


def test_weighted_grouped_bgnbd_fit_equals_the_ungrouped_fit() -> None:
    # Whole-week times make identical (x, t_x, T) rows common, as day-level data does.
    x, t_x, t = simulate_bgnbd(5_000, TRUE_BGNBD, seed=21, max_t=30.0)
    t, t_x = np.ceil(t), np.minimum(np.ceil(t_x), np.ceil(t))
    rows = pd.DataFrame({"x": x, "t_x": t_x, "t": t})
    grouped = rows.groupby(["x", "t_x", "t"], as_index=False).size()
    assert len(grouped) < len(rows) / 5

    ungrouped = clv.fit_bgnbd(x, t_x, t, group_identical=False)
    weighted = clv.fit_bgnbd(
        grouped["x"], grouped["t_x"], grouped["t"], weights=grouped["size"], group_identical=False
    )
    assert weighted.n_customers == ungrouped.n_customers == len(rows)
    assert weighted.n_unique_rows == len(grouped)
    assert weighted.log_likelihood == pytest.approx(ungrouped.log_likelihood, rel=1e-10)
    for name, value in ungrouped.params.as_dict().items():
        assert weighted.params.as_dict()[name] == pytest.approx(value, rel=1e-5)


def test_weighted_grouped_gamma_gamma_fit_equals_the_ungrouped_fit() -> None:
    x, m = simulate_gamma_gamma(3_000, TRUE_GAMMA_GAMMA, seed=22)
    m = np.round(m, -2)  # whole yuan: repeated (x, m) pairs
    rows = pd.DataFrame({"x": x, "m": m})
    grouped = rows.groupby(["x", "m"], as_index=False).size()
    assert len(grouped) < len(rows)

    ungrouped = clv.fit_gamma_gamma(x, m, group_identical=False)
    weighted = clv.fit_gamma_gamma(grouped["x"], grouped["m"], weights=grouped["size"])
    assert weighted.log_likelihood == pytest.approx(ungrouped.log_likelihood, rel=1e-10)
    for name, value in ungrouped.params.as_dict().items():
        assert weighted.params.as_dict()[name] == pytest.approx(value, rel=1e-5)


# --- degenerate data ---------------------------------------------------------------------------


def test_all_one_time_buyers_are_not_fitted_and_say_why() -> None:
    n = 1_000
    fit = clv.fit_bgnbd(np.zeros(n), np.zeros(n), np.linspace(1, 50, n))
    assert not fit.fitted
    assert fit.status == clv.NOT_FITTED
    assert fit.reason == "no_repeat_buyers"
    assert fit.params is None
    spend = clv.fit_gamma_gamma(np.zeros(n), np.full(n, np.nan))
    assert (spend.status, spend.reason) == (clv.NOT_FITTED, "no_repeat_buyers")


def test_fewer_than_fifty_repeat_buyers_are_not_fitted() -> None:
    x, t_x, t = simulate_bgnbd(20_000, TRUE_BGNBD, seed=31)
    repeat = np.flatnonzero(x > 0)
    keep = np.r_[np.flatnonzero(x == 0)[:500], repeat[:49]]
    fit = clv.fit_bgnbd(x[keep], t_x[keep], t[keep])
    assert (fit.status, fit.reason) == (clv.NOT_FITTED, "too_few_repeat_buyers")
    assert "49 repeat buyers" in fit.detail
    assert clv.fit_bgnbd(x[keep], t_x[keep], t[keep], min_repeat_buyers=40).fitted


def test_zero_spend_repeat_buyers_are_left_out_of_gamma_gamma_and_counted() -> None:
    x, m = simulate_gamma_gamma(2_000, TRUE_GAMMA_GAMMA, seed=41)
    m[:300] = 0.0
    fit = clv.fit_gamma_gamma(x, m)
    assert fit.fitted
    assert fit.n_used == 1_700
    assert fit.diagnostics["excluded_zero_spend"] == 300
    assert np.isfinite(fit.log_likelihood)


def test_only_zero_spend_repeat_buyers_are_not_fitted_and_do_not_raise() -> None:
    fit = clv.fit_gamma_gamma(np.full(500, 2.0), np.zeros(500))
    assert (fit.status, fit.reason) == (clv.NOT_FITTED, "too_few_repeat_buyers")
    assert fit.diagnostics["excluded_zero_spend"] == 500


def test_invalid_or_empty_input_is_not_fitted_rather_than_raising() -> None:
    inconsistent = clv.fit_bgnbd([1, 2], [5.0, 3.0], [4.0, 10.0])
    assert (inconsistent.status, inconsistent.reason) == (clv.NOT_FITTED, "invalid_input")
    assert "recency greater than T" in inconsistent.detail
    empty = clv.fit_bgnbd([], [], [])
    assert (empty.status, empty.reason) == (clv.NOT_FITTED, "no_customers")
    assert clv.fit_gamma_gamma([], []).reason == "no_repeat_buyers"


def test_scoring_without_fitted_models_keeps_every_customer_with_nulls_and_the_reason() -> None:
    summary = pd.DataFrame(
        {
            "customer_key": ["c1", "c2"],
            "frequency": [0, 3],
            "recency": [0.0, 10.0],
            "t": [20.0, 30.0],
            "monetary_value_cents": [None, 5_000.0],
        }
    )
    bgnbd = clv.fit_bgnbd(summary["frequency"], summary["recency"], summary["t"])
    gamma_gamma = clv.fit_gamma_gamma(summary["frequency"], summary["monetary_value_cents"])
    scores = clv.score_customers(summary, bgnbd, gamma_gamma)
    assert list(scores.columns) == list(clv.PREDICTION_COLUMNS)
    assert list(scores["customer_key"]) == ["c1", "c2"]
    assert scores["p_alive"].isna().all()
    assert scores["predicted_clv_cents"].isna().all()
    assert set(scores["model_status"]) == {clv.NOT_FITTED}
    assert "bg_nbd: too_few_repeat_buyers" in scores["model_reason"].iloc[0]


# --- predictions -------------------------------------------------------------------------------


def test_p_alive_is_one_for_customers_without_repeat_purchases() -> None:
    t = np.array([0.0, 1.0, 10.0, 100.0])
    alive = clv.probability_alive(TRUE_BGNBD, np.zeros(4), np.zeros(4), t)
    assert np.array_equal(alive, np.ones(4))
    repeat = clv.probability_alive(TRUE_BGNBD, [2.0, 2.0], [30.0, 5.0], [30.0, 30.0])
    assert repeat[0] == pytest.approx(1 / (1 + TRUE_BGNBD.a / (TRUE_BGNBD.b + 1)))
    assert 0 < repeat[1] < repeat[0]


def _expected_purchases_by_integration(
    params: BgNbdParams, horizon: float, x: int, t_x: float, t: float
) -> float:
    """P(alive) times the mean over the drop-out posterior Beta(a, b + x) of
    (1 - E[exp(-lambda p horizon)]) / p, with lambda | alive ~ Gamma(r + x, alpha + T)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    posterior = beta_distribution(a, b + x)

    def integrand(p: float) -> float:
        return (1 - ((alpha + t) / (alpha + t + p * horizon)) ** (r + x)) / p * posterior.pdf(p)

    if_alive = quad(integrand, 0, 1, limit=200)[0]
    return if_alive * float(clv.probability_alive(params, [x], [t_x], [t])[0])


@pytest.mark.parametrize(
    ("x", "t_x", "t", "horizon"),
    [(0, 0.0, 10.0, 13.0), (1, 2.0, 3.0, 52.0), (4, 30.0, 40.0, 26.0), (12, 70.0, 71.0, 52.0)],
)
def test_expected_purchases_match_integration_over_the_dropout_posterior(
    x: int, t_x: float, t: float, horizon: float
) -> None:
    params = BgNbdParams(r=0.6, alpha=5.0, a=1.4, b=3.0)
    closed_form = clv.expected_purchases(params, horizon, [x], [t_x], [t])[0]
    assert closed_form == pytest.approx(
        _expected_purchases_by_integration(params, horizon, x, t_x, t), rel=1e-7
    )


def test_undiscounted_clv_is_expected_spend_times_expected_purchases_over_the_horizon() -> None:
    bg, gg = TRUE_BGNBD, TRUE_GAMMA_GAMMA
    x, t_x, t, m = [0.0, 3.0], [0.0, 20.0], [25.0, 40.0], [np.nan, 8_000.0]
    value = clv.customer_lifetime_value(
        bg, gg, x, t_x, t, m, horizon_months=12, annual_discount_rate=0.0, unit_days=7.0
    )
    year = 12 * clv.DAYS_PER_MONTH / 7.0
    expected = clv.expected_average_spend(gg, x, m) * clv.expected_purchases(bg, year, x, t_x, t)
    assert value == pytest.approx(expected, rel=1e-9)
    discounted = clv.customer_lifetime_value(
        bg, gg, x, t_x, t, m, horizon_months=12, annual_discount_rate=0.10, unit_days=7.0
    )
    assert np.all(discounted < value) and np.all(discounted > value / 1.10)


def test_one_time_buyers_are_expected_to_spend_the_population_mean() -> None:
    gg = TRUE_GAMMA_GAMMA
    spend = clv.expected_average_spend(gg, [0.0, 2.0], [np.nan, 2_000.0])
    assert spend[0] == pytest.approx(gg.p * gg.v / (gg.q - 1))
    assert spend[1] == pytest.approx(gg.p * (gg.v + 2 * 2_000.0) / (gg.p * 2 + gg.q - 1))


def test_changing_the_time_unit_rescales_alpha_and_leaves_predictions_unchanged(
    bgnbd_sample, bgnbd_fit
) -> None:
    x, t_x, t = bgnbd_sample
    in_days = clv.fit_bgnbd(x, t_x * 7, t * 7)
    assert in_days.params.alpha == pytest.approx(bgnbd_fit.params.alpha * 7, rel=1e-5)
    assert in_days.params.r == pytest.approx(bgnbd_fit.params.r, rel=1e-5)
    shift = math.log(7) * x.sum()
    assert in_days.log_likelihood == pytest.approx(bgnbd_fit.log_likelihood - shift, rel=1e-9)
    weeks = clv.expected_purchases(bgnbd_fit.params, 52.0, x[:50], t_x[:50], t[:50])
    days = clv.expected_purchases(in_days.params, 364.0, x[:50] * 1, t_x[:50] * 7, t[:50] * 7)
    np.testing.assert_allclose(days, weeks, rtol=1e-4)


# --- a hand-checked log-likelihood -------------------------------------------------------------


def _bgnbd_log_likelihood_by_hand(params: BgNbdParams, x: int, t_x: float, t: float) -> float:
    """FHL (2005) equation 6, one customer, with the math module only."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    a1 = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    a2 = math.lgamma(a + b) + math.lgamma(b + x) - math.lgamma(b) - math.lgamma(a + b + x)
    a3 = -(r + x) * math.log(alpha + t)
    if x == 0:
        return a1 + a2 + a3
    a4 = math.log(a) - math.log(b + x - 1) - (r + x) * math.log(alpha + t_x)
    return a1 + a2 + math.log(math.exp(a3) + math.exp(a4))


def _gamma_gamma_log_likelihood_by_hand(params: GammaGammaParams, x: int, m: float) -> float:
    """Density of the mean of x Gamma(p, nu) spends with nu ~ Gamma(q, v), math module only."""
    p, q, v = params.p, params.q, params.v
    return (
        math.lgamma(p * x + q)
        - math.lgamma(p * x)
        - math.lgamma(q)
        + q * math.log(v)
        + (p * x - 1) * math.log(m)
        + p * x * math.log(x)
        - (p * x + q) * math.log(x * m + v)
    )


def test_bgnbd_log_likelihood_of_a_tiny_example_matches_a_hand_written_implementation() -> None:
    params = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    customers = [(0, 0.0, 38.86), (1, 1.71, 38.86), (2, 30.43, 38.86), (6, 37.0, 37.14)]
    by_hand = [_bgnbd_log_likelihood_by_hand(params, *customer) for customer in customers]
    x, t_x, t = (np.array(column, dtype=float) for column in zip(*customers, strict=True))
    np.testing.assert_allclose(
        clv.bgnbd_individual_log_likelihood(params, x, t_x, t), by_hand, rtol=1e-12
    )
    # The first customer worked on paper: r ln(alpha / (alpha + T)) = 0.243 ln(4.414 / 43.274).
    assert by_hand[0] == pytest.approx(0.243 * math.log(4.414 / 43.274), rel=1e-12)
    assert clv.bgnbd_log_likelihood(params, x, t_x, t) == pytest.approx(sum(by_hand), rel=1e-12)


def test_gamma_gamma_log_likelihood_of_a_tiny_example_matches_a_hand_written_implementation() -> (
    None
):
    params = GammaGammaParams(p=6.25, q=3.74, v=15.44)
    customers = [(1, 25.0), (2, 12.5), (5, 40.1)]
    by_hand = [_gamma_gamma_log_likelihood_by_hand(params, *customer) for customer in customers]
    x, m = (np.array(column, dtype=float) for column in zip(*customers, strict=True))
    np.testing.assert_allclose(
        clv.gamma_gamma_individual_log_likelihood(params, x, m), by_hand, rtol=1e-12
    )
    assert clv.gamma_gamma_log_likelihood(params, x, m, weights=[1, 2, 0]) == pytest.approx(
        by_hand[0] + 2 * by_hand[1], rel=1e-12
    )
