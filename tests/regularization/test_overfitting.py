"""Dropout, early stopping and ensemble variance against definitions, Monte Carlo and torch."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from regularization.overfitting import (
    dropout,
    early_stopping,
    ensemble_variance,
    plot_poly_fits,
    poly_fit_errors,
    true_function,
)


def test_more_data_closes_the_gap():
    small_train, small_test = poly_fit_errors(12, 9)
    big_train, big_test = poly_fit_errors(200, 9)
    assert small_test - small_train > 10 * (big_test - big_train)
    # a degree-9 polynomial through 10 points interpolates them exactly
    train, _ = poly_fit_errors(10, 9)
    assert train < 1e-15


def test_true_function_is_one_period_of_a_sine():
    np.testing.assert_allclose(
        true_function(np.array([0, 0.25, 0.5, 0.75])), [0, 1, 0, -1], atol=1e-15
    )


@pytest.mark.parametrize(("n_train", "degree"), [(1, 0), (12, 3)])
def test_poly_fit_errors_by_hand(n_train, degree):
    # The defaults: noise 0.3, 1000 test points, seed 0; x uniform on [0, 1].
    rng = np.random.default_rng(0)
    x_tr = rng.uniform(0, 1, n_train)
    y_tr = np.sin(2 * np.pi * x_tr) + 0.3 * rng.normal(size=n_train)
    x_te = rng.uniform(0, 1, 1000)
    y_te = np.sin(2 * np.pi * x_te) + 0.3 * rng.normal(size=1000)
    fit = np.polynomial.Polynomial.fit(x_tr, y_tr, degree)
    expected = (np.mean((fit(x_tr) - y_tr) ** 2), np.mean((fit(x_te) - y_te) ** 2))
    assert poly_fit_errors(n_train, degree) == pytest.approx(expected, rel=1e-9, abs=1e-20)


def test_poly_fit_errors_rejects_bad_sizes():
    for n_train, degree in [(0, 1), (5, -1)]:
        with pytest.raises(ValueError, match=r"^n_train must be >= 1 and degree >= 0, got "):
            poly_fit_errors(n_train, degree)


def test_dropout_expectation_equals_input():
    rng = np.random.default_rng(0)
    x = np.array([1.0, -2.0, 3.0])
    samples = np.stack([dropout(x, 0.4, rng=rng) for _ in range(20000)])
    # standard error per entry is |x| * sqrt(p / (1 - p)) / sqrt(20000) < 0.02
    np.testing.assert_allclose(samples.mean(axis=0), x, atol=0.08)
    assert set(np.unique(samples[:, 0])) == {0.0, 1 / 0.6}
    assert abs((samples == 0).mean() - 0.4) < 0.01


def test_dropout_eval_is_identity_and_edges():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(dropout(x, 0.9, training=False), x)
    np.testing.assert_array_equal(dropout(x, 0.0), x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # p = 1 never divides by 1 - p = 0
        dropped = dropout(x, 1.0)
    assert dropped.shape == x.shape
    np.testing.assert_array_equal(dropped, np.zeros_like(x))
    assert dropout(np.arange(3), 0.0).dtype == np.float64  # integers come back as floats
    unseeded = dropout(np.ones(1000), 0.5)  # rng=None: a fresh generator
    assert set(np.unique(unseeded)) == {0.0, 2.0}
    with pytest.raises(ValueError, match="p must"):
        dropout(x, 1.5)


def test_dropout_reproducible_with_seed():
    x = np.ones((4, 4))
    a = dropout(x, 0.5, rng=np.random.default_rng(3))
    b = dropout(x, 0.5, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)


def test_dropout_same_convention_as_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for dropout scaling")
    torch.manual_seed(0)
    x = torch.full((1000,), 2.0, dtype=torch.float64)
    ref = torch.nn.functional.dropout(x, p=0.25, training=True).numpy()
    ours = dropout(x.numpy(), 0.25, rng=np.random.default_rng(0))
    assert set(np.unique(ref)) == set(np.unique(ours)) == {0.0, 2.0 / 0.75}
    np.testing.assert_array_equal(
        torch.nn.functional.dropout(x, p=0.25, training=False).numpy(),
        dropout(x.numpy(), 0.25, training=False),
    )


def test_early_stopping_hand_cases():
    losses = [1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.72, 0.71]
    assert early_stopping(losses, patience=2) == (1, 3)
    assert early_stopping(losses, patience=3) == (4, 7)
    assert early_stopping(losses, patience=4) == (4, 7)  # never triggered: last epoch
    # improvements of 0.01 do not count when min_delta = 0.05
    assert early_stopping([1.0, 0.99, 0.98, 0.97], patience=2, min_delta=0.05) == (0, 2)
    assert early_stopping([3.0], patience=1) == (0, 0)


def early_stopping_brute(losses, patience, min_delta):
    """Definition: the first t where the last `patience` epochs all failed to improve."""
    best_idx = 0
    history = []
    for t in range(len(losses)):
        if t > 0 and losses[t] < losses[best_idx] - min_delta:
            best_idx = t
        history.append(best_idx)
        if t - best_idx >= patience:
            return best_idx, t
    return history[-1], len(losses) - 1


@settings(max_examples=100, deadline=None)
@given(
    losses=st.lists(st.floats(0, 10, allow_nan=False), min_size=1, max_size=30),
    patience=st.integers(1, 6),
    min_delta=st.sampled_from([0.0, 0.1]),
)
def test_early_stopping_matches_definition(losses, patience, min_delta):
    best, stop = early_stopping(losses, patience, min_delta)
    assert (best, stop) == early_stopping_brute(losses, patience, min_delta)
    if min_delta == 0.0:
        assert losses[best] == min(losses[: stop + 1])


def test_early_stopping_rejects_bad_input():
    for patience in (0, 1.5, True):
        with pytest.raises(ValueError, match=f"patience must be an int >= 1, got {patience}"):
            early_stopping([1.0, 2.0], patience=patience)
    with pytest.raises(
        ValueError, match=r"^val_losses must be a non-empty 1-D sequence of finite numbers$"
    ):
        early_stopping([], patience=1)
    with pytest.raises(ValueError, match="val_losses"):
        early_stopping([1.0, float("nan")], patience=1)


def test_ensemble_variance_monte_carlo():
    rng = np.random.default_rng(0)
    k, rho, sigma2 = 5, 0.3, 2.0
    cov = sigma2 * (rho * np.ones((k, k)) + (1 - rho) * np.eye(k))
    preds = rng.multivariate_normal(np.zeros(k), cov, size=200_000)
    assert preds.mean(axis=1).var() == pytest.approx(ensemble_variance(sigma2, rho, k), rel=0.02)
    with pytest.raises(ValueError, match="k >= 1"):
        ensemble_variance(1.0, 0.5, 0)


def test_ensemble_variance_edges():
    assert ensemble_variance(2.0, 0.5, 1) == 2.0  # one model: its own variance
    assert ensemble_variance(0.5, 0.5, 3) == pytest.approx(1 / 3)  # 0.25 + 0.25 / 3
    assert ensemble_variance(0.0, 0.5, 3) == 0.0
    assert ensemble_variance(2.0, 1.0, 4) == 2.0  # perfectly correlated: no gain
    assert ensemble_variance(1.0, -0.25, 5) == 0.0  # the lowest rho for k = 5 is -1/(k-1)
    assert ensemble_variance(1.0, -1.0, 2) == 0.0  # two opposite models cancel
    for sigma2, rho, k in [(-1.0, 0.5, 3), (1.0, -0.3, 5), (1.0, 1.5, 3), (1.0, -1.5, 1)]:
        with pytest.raises(ValueError, match=r"-1/\(k-1\) <= rho <= 1"):
            ensemble_variance(sigma2, rho, k)


def test_plot_builds():
    assert len(plot_poly_fits().axes) == 2
