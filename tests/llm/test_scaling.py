"""Compute-optimal N and D: C = 6 N D at 20 tokens per parameter against Chinchilla's own
choice, and the closed-form optimum of the fitted loss against a grid search."""

import math

import numpy as np
import pytest
from llm.scaling import chinchilla_loss, compute_optimal, loss_optimal


def test_twenty_tokens_per_parameter_at_gophers_budget():
    n, d = compute_optimal(5.76e23)
    assert math.isclose(6 * n * d, 5.76e23)
    assert math.isclose(d / n, 20)
    assert round(n / 1e9) == 69
    assert round(d / 1e12, 1) == 1.4


def test_other_token_ratios():
    n, d = compute_optimal(6e20, tokens_per_param=100.0)  # 6 N (100 N) = 6e20
    assert math.isclose(n, 1e9)
    assert math.isclose(d, 1e11)


def test_closed_form_optimum_matches_grid_search():
    for c in (1e21, 5.76e23):
        n_grid = np.logspace(8, 13, 20001)
        losses = chinchilla_loss(n_grid, c / (6 * n_grid))
        n_best = n_grid[np.argmin(losses)]
        n_opt, d_opt = loss_optimal(c)
        assert math.isclose(n_opt, n_best, rel_tol=1e-3)
        assert math.isclose(6 * n_opt * d_opt, c)


def test_optimal_size_grows_as_a_power_of_compute():
    # Doubling C: N grows by 2^(beta / (alpha + beta)) = 2^(0.28 / 0.62) under the fit.
    ratio = loss_optimal(2e22)[0] / loss_optimal(1e22)[0]
    assert math.isclose(ratio, 2 ** (0.28 / 0.62))
    assert math.isclose(compute_optimal(4e22)[0] / compute_optimal(1e22)[0], 2.0)  # N ~ C^0.5


def test_fitted_loss_at_one_parameter_and_one_token_is_e_plus_a_plus_b():
    assert math.isclose(chinchilla_loss(1.0, 1.0), 1.69 + 406.4 + 410.7)


def test_a_custom_fit_replaces_chinchillas():
    fit = {"E": 1.0, "A": 4.0, "B": 9.0, "alpha": 0.5, "beta": 0.5}
    assert math.isclose(chinchilla_loss(4.0, 9.0, fit=fit), 1.0 + 2.0 + 3.0)
    # alpha = beta and A = B: the optimum spends the budget equally, N = D = sqrt(C / 6).
    n, d = loss_optimal(6e20, fit={**fit, "B": 4.0})
    assert math.isclose(n, 1e10)
    assert math.isclose(d, 1e10)


def test_budgets_and_ratios_below_one_are_valid():
    n, d = compute_optimal(0.6, tokens_per_param=0.1)  # 6 N (0.1 N) = 0.6
    assert math.isclose(n, 1.0)
    assert math.isclose(d, 0.1)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: compute_optimal(0.0), ValueError, "compute must be a finite number > 0, got 0"),
        (lambda: compute_optimal(float("inf")), ValueError, "finite number > 0, got inf"),
        (lambda: compute_optimal("1e23"), TypeError, "number of FLOPs, got str"),
        (lambda: compute_optimal(True), TypeError, "number of FLOPs, got bool"),
        (
            lambda: compute_optimal(1e23, tokens_per_param=0),
            ValueError,
            "tokens_per_param must be > 0",
        ),
        (lambda: loss_optimal(-1.0), ValueError, "finite number > 0, got -1"),
        (lambda: chinchilla_loss(0.0, 1e9), ValueError, "^n_params and n_tokens must be > 0$"),
        (lambda: chinchilla_loss(1e9, 0.0), ValueError, "n_params and n_tokens must be > 0"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
