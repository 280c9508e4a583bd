"""Dropout, early stopping and ensemble variance against definitions, Monte Carlo and torch."""

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
)


def test_more_data_closes_the_gap():
    small_train, small_test = poly_fit_errors(12, 9)
    big_train, big_test = poly_fit_errors(200, 9)
    assert small_test - small_train > 10 * (big_test - big_train)
    # a degree-9 polynomial through 10 points interpolates them exactly
    train, _ = poly_fit_errors(10, 9)
    assert train < 1e-15


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
    np.testing.assert_array_equal(dropout(x, 1.0), np.zeros_like(x))
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
    with pytest.raises(ValueError, match="patience"):
        early_stopping([1.0, 2.0], patience=0)
    with pytest.raises(ValueError, match="val_losses"):
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


def test_plot_builds():
    assert len(plot_poly_fits().axes) == 2
