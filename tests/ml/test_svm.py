"""Kernels against sklearn.metrics.pairwise; the dual decision function against sklearn's SVC."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ml.svm import (
    decision_function,
    linear_kernel,
    polynomial_kernel,
    primal_objective,
    rbf_kernel,
    sigmoid_kernel,
)
from sklearn.datasets import make_blobs, make_moons
from sklearn.metrics import pairwise
from sklearn.svm import SVC

matrices = st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), st.integers(0, 999))


@settings(max_examples=40, deadline=None)
@given(matrices, st.sampled_from([None, 0.1, 2.0]), st.integers(1, 4), st.floats(-1, 2))
def test_kernels_match_sklearn(shape, gamma, degree, coef0):
    n, m, d, seed = shape
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(n, d)), rng.normal(size=(m, d))
    np.testing.assert_allclose(linear_kernel(X, Y), pairwise.linear_kernel(X, Y))
    np.testing.assert_allclose(
        polynomial_kernel(X, Y, degree, gamma, coef0),
        pairwise.polynomial_kernel(X, Y, degree=degree, gamma=gamma, coef0=coef0),
        rtol=1e-10,
        atol=1e-10,
    )
    np.testing.assert_allclose(
        rbf_kernel(X, Y, gamma), pairwise.rbf_kernel(X, Y, gamma=gamma), atol=1e-12
    )
    np.testing.assert_allclose(
        sigmoid_kernel(X, Y, gamma, coef0), pairwise.sigmoid_kernel(X, Y, gamma=gamma, coef0=coef0)
    )


def test_rbf_by_definition_and_psd():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    K = rbf_kernel(X, gamma=0.7)
    i, j = 4, 17
    assert K[i, j] == pytest.approx(np.exp(-0.7 * np.sum((X[i] - X[j]) ** 2)))
    assert np.linalg.eigvalsh(K).min() > -1e-10  # a valid (Mercer) kernel: Gram matrix is PSD
    assert np.linalg.eigvalsh(polynomial_kernel(X, degree=3)).min() > -1e-8


def test_sigmoid_kernel_can_be_indefinite():
    X = np.array([[1.0], [2.0]])
    K = sigmoid_kernel(X, gamma=1.0, coef0=-3.0)  # tanh(-2), tanh(-1), tanh(1): not PSD
    assert np.linalg.eigvalsh(K).min() < 0


def test_polynomial_kernel_is_an_explicit_feature_map():
    # (x·y + 1)^2 in 2-D equals phi(x)·phi(y) with phi = (x1², x2², √2 x1x2, √2 x1, √2 x2, 1).
    def phi(v):
        a, b = v
        r2 = np.sqrt(2)
        return np.array([a * a, b * b, r2 * a * b, r2 * a, r2 * b, 1.0])

    X = np.random.default_rng(1).normal(size=(5, 2))
    feats = np.array([phi(v) for v in X])
    np.testing.assert_allclose(
        polynomial_kernel(X, degree=2, gamma=1.0, coef0=1.0), feats @ feats.T
    )


@pytest.mark.parametrize(
    ("kernel", "params"),
    [
        (linear_kernel, {}),
        (rbf_kernel, {"gamma": 0.5}),
        (polynomial_kernel, {"degree": 3, "gamma": 0.5, "coef0": 1.0}),
        (sigmoid_kernel, {"gamma": 0.1, "coef0": 0.0}),
    ],
)
def test_dual_decision_function_reproduces_svc(kernel, params):
    X, y = make_moons(80, noise=0.2, random_state=0)
    name = kernel.__name__.removesuffix("_kernel").replace("polynomial", "poly")
    svc = SVC(kernel=name, C=1.0, **params).fit(X, y)
    f = decision_function(
        svc.support_vectors_,
        svc.dual_coef_,
        svc.intercept_[0],
        X,
        lambda A, B: kernel(A, B, **params),
    )
    np.testing.assert_allclose(f, svc.decision_function(X), atol=1e-8)
    assert len(svc.support_vectors_) < len(X)  # only the support vectors enter f(x)


def test_linear_svc_solution_minimises_the_primal():
    X, y01 = make_blobs(60, centers=2, cluster_std=1.5, random_state=3)
    y = 2 * y01 - 1
    svc = SVC(kernel="linear", C=0.5, tol=1e-8).fit(X, y)
    w, b = svc.coef_[0], svc.intercept_[0]
    best = primal_objective(w, b, X, y, 0.5)
    rng = np.random.default_rng(0)
    for _ in range(50):  # the primal is convex: any nearby point is no better
        dw, db = rng.normal(scale=1e-2, size=2), rng.normal(scale=1e-2)
        assert primal_objective(w + dw, b + db, X, y, 0.5) >= best - 1e-6
    # Strong duality: w = sum_i alpha_i y_i x_i over the support vectors.
    np.testing.assert_allclose(svc.dual_coef_[0] @ svc.support_vectors_, w, atol=1e-8)
    # Support vectors are exactly the points with margin y f(x) <= 1 (up to the solver tolerance).
    margins = y * (X @ w + b)
    assert (margins[svc.support_] <= 1 + 1e-3).all()
    assert (np.delete(margins, svc.support_) >= 1 - 1e-3).all()


def test_primal_hand_case():
    X = np.array([[2.0, 0.0], [-2.0, 0.0], [0.5, 0.0]])
    y = np.array([1, -1, -1])
    # w = (1, 0), b = 0: margins 2, 2, -0.5 -> hinge 0, 0, 1.5; 1/2 ||w||² = 0.5.
    assert primal_objective(np.array([1.0, 0.0]), 0.0, X, y, C=2.0) == pytest.approx(0.5 + 2 * 1.5)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: rbf_kernel(np.zeros((2, 3)), np.zeros((2, 2))), "features"),
        (lambda: linear_kernel(np.zeros(3)), "2-D"),
        (lambda: linear_kernel(np.zeros((2, 3)), np.zeros(3)), "2-D"),
        (lambda: rbf_kernel(np.zeros((2, 2)), gamma=0), "gamma"),
        (lambda: polynomial_kernel(np.zeros((2, 2)), degree=0), "degree"),
        (lambda: sigmoid_kernel(np.array([[np.inf]])), r"^X and Y must be finite$"),
        (lambda: rbf_kernel(np.zeros((1, 1)), np.array([[np.nan]])), r"^X and Y must be finite$"),
        (
            lambda: primal_objective(np.zeros(1), 0, np.zeros((2, 1)), np.array([0, 1]), 1.0),
            r"^y must be a vector of -1 / \+1 labels, one per row of X$",
        ),
        (lambda: primal_objective(np.zeros(2), 0, np.zeros((2, 1)), np.array([1, -1]), 1.0), "w"),
        (lambda: primal_objective(np.zeros(1), 0, np.zeros((2, 1)), np.array([1, -1]), 0.0), "C"),
        (
            lambda: decision_function(
                np.zeros((2, 1)), np.zeros(3), 0.0, np.zeros((1, 1)), linear_kernel
            ),
            "dual_coef",
        ),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_float32_inputs_are_computed_in_float64():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(5, 3)).astype(np.float32)
    exact = rbf_kernel(X.astype(np.float64), Y.astype(np.float64))
    np.testing.assert_allclose(rbf_kernel(X, Y), exact, rtol=1e-12)
    np.testing.assert_allclose(rbf_kernel(X.astype(np.float64), Y), exact, rtol=1e-12)
    w, y = np.array([0.1, 0.2, 0.3], dtype=np.float32), np.array([1, -1, 1, -1])
    exact = primal_objective(w.astype(np.float64), 0.5, X, y, 1.0)
    assert primal_objective(w, 0.5, X, y, 1.0) == pytest.approx(exact, rel=1e-12)


def test_default_gamma_and_coef0_are_pairwise_ones_not_svcs():
    # The page: the kernels default to sklearn.metrics.pairwise's gamma = 1 / n_features and
    # coef0 = 1; SVC defaults to gamma = "scale" = 1 / (n_features X.var()) and coef0 = 0.
    X, y = make_moons(60, noise=0.2, random_state=1)
    X = 3.0 * X  # a variance far from 1, so the two gammas differ
    np.testing.assert_allclose(polynomial_kernel(X), pairwise.polynomial_kernel(X))
    np.testing.assert_allclose(sigmoid_kernel(X), pairwise.sigmoid_kernel(X))
    svc = SVC(kernel="poly").fit(X, y)

    def f(**params):
        def kernel(A, B):
            return polynomial_kernel(A, B, **params)

        return decision_function(svc.support_vectors_, svc.dual_coef_, svc.intercept_[0], X, kernel)

    scale = 1 / (X.shape[1] * X.var())
    np.testing.assert_allclose(f(gamma=scale, coef0=0.0), svc.decision_function(X), atol=1e-8)
    assert not np.allclose(f(), svc.decision_function(X), atol=1e-3)
