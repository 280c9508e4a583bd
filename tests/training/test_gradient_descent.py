"""Mini-batch GD against least squares (numpy.linalg) and the sampling-variance formula."""

import itertools

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from training.gradient_descent import (
    minibatch_gd,
    minibatch_gradient_variance,
    minibatch_indices,
    mse_gradient,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(50, 3))
    y = X @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.normal(size=50)
    return X, y


def test_minibatch_indices_cover_each_sample_once():
    batches = minibatch_indices(10, 4, np.random.default_rng(0))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))


@pytest.mark.parametrize(("batch_size", "epochs"), [(50, 400), (10, 150), (1, 40)])
def test_all_variants_reach_least_squares(data, batch_size, epochs):
    X, y = data
    ref = LinearRegression(fit_intercept=False).fit(X, y).coef_
    w, updates = minibatch_gd(X, y, batch_size, lr=0.05, epochs=epochs)
    assert updates == epochs * int(np.ceil(50 / batch_size))
    # SGD with a constant lr keeps jittering around the optimum; the others settle on it
    np.testing.assert_allclose(w, ref, atol=0.05 if batch_size == 1 else 1e-3)


def test_full_batch_is_plain_gradient_descent(data):
    X, y = data
    w = np.zeros(3)
    for _ in range(5):
        w = w - 0.1 * X.T @ (X @ w - y) / len(y)
    np.testing.assert_allclose(minibatch_gd(X, y, 50, lr=0.1, epochs=5)[0], w)


def test_minibatch_gradient_is_unbiased_over_an_epoch(data):
    X, y = data
    w = np.array([0.3, 0.1, -0.2])
    batches = minibatch_indices(50, 10, np.random.default_rng(1))
    mean = np.mean([mse_gradient(X[b], y[b], w) for b in batches], axis=0)
    np.testing.assert_allclose(mean, mse_gradient(X, y, w))


@pytest.mark.parametrize("batch_size", [1, 5, 25, 50])
def test_variance_formula_against_sampling(data, batch_size):
    X, y = data
    w = np.zeros(3)
    per_sample = X * (X @ w - y)[:, None]
    rng = np.random.default_rng(2)
    draws = np.array(
        [per_sample[rng.choice(50, batch_size, replace=False)].mean(axis=0) for _ in range(4000)]
    )
    empirical = np.sum(draws.var(axis=0))
    assert minibatch_gradient_variance(per_sample, batch_size) == pytest.approx(
        empirical, rel=0.1, abs=1e-12
    )


def test_variance_falls_like_one_over_batch_size(data):
    X, y = data
    g = X * (X @ np.zeros(3) - y)[:, None]
    v = [minibatch_gradient_variance(g, b) for b in (1, 2, 4, 8)]
    assert v[0] > v[1] > v[2] > v[3]
    assert v[0] / v[3] > 8  # faster than 1/B because of sampling without replacement


def test_one_sample_is_one_batch():
    [batch] = minibatch_indices(1, 1, np.random.default_rng(0))
    np.testing.assert_array_equal(batch, [0])


def test_zero_epochs_return_the_zero_start(data):
    X, y = data
    w, updates = minibatch_gd(X, y, 10, lr=0.1, epochs=0)
    np.testing.assert_array_equal(w, np.zeros(3))
    assert updates == 0


def test_seed_fixes_the_batches_and_defaults_to_zero(data):
    X, y = data
    w = minibatch_gd(X, y, 10, lr=0.1, epochs=2)[0]
    np.testing.assert_array_equal(w, minibatch_gd(X, y, 10, lr=0.1, epochs=2, seed=0)[0])
    assert not np.array_equal(w, minibatch_gd(X, y, 10, lr=0.1, epochs=2, seed=1)[0])


def test_variance_formula_is_exact_over_all_batches():
    # Every batch of size B equally likely: the variance of the batch mean over all C(n, B)
    # batches is exactly sigma² / B (n - B) / n with the unbiased (ddof=1) sigma².
    g = np.random.default_rng(4).normal(size=(6, 3))
    for b in range(1, 7):
        means = np.array([g[list(c)].mean(axis=0) for c in itertools.combinations(range(6), b)])
        exact = np.sum(means.var(axis=0))
        assert minibatch_gradient_variance(g, b) == pytest.approx(exact, rel=1e-12, abs=1e-15)


def test_variance_of_two_samples_by_hand():
    # One of the two gradients 0 and 2, each with probability 1/2: variance 1.
    assert minibatch_gradient_variance([[0.0], [2.0]], 1) == 1.0


def test_float32_gradients_give_the_float64_variance():
    g = np.random.default_rng(5).normal(size=(20, 4)).astype(np.float32)
    expected = minibatch_gradient_variance(g.astype(np.float64), 3)
    assert minibatch_gradient_variance(g, 3) == expected


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: minibatch_indices(0, 1, np.random.default_rng()),
            r"^n must be a positive int, got 0$",
        ),
        (
            lambda: minibatch_indices(4.0, 2, np.random.default_rng()),
            r"^n must be a positive int, got 4\.0$",
        ),
        (lambda: minibatch_indices(5, 6, np.random.default_rng()), "batch_size"),
        (lambda: minibatch_gd(np.ones((3, 2)), np.ones(2), 1, 0.1, 1), "X"),
        (lambda: minibatch_gd(np.ones((3, 2)), np.ones(3), 1, 0.0, 1), "lr"),
        (lambda: minibatch_gradient_variance(np.ones((1, 2)), 1), "per_sample_grads"),
        (lambda: minibatch_gradient_variance(np.ones((4, 2)), 5), "batch_size"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()
