"""L1/L2 steps and solvers against hand cases, brute force, scikit-learn and torch.optim.SGD."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from regularization.l1_l2 import (
    GEOMETRY_H,
    GEOMETRY_W_STAR,
    constrained_minimisers,
    count_zeros,
    l1_paths,
    lasso_ista,
    make_sparse_regression,
    plot_geometry,
    plot_l1_paths,
    ridge_closed_form,
    sgd_l1_step,
    sgd_l2_step,
    soft_threshold,
)
from sklearn.linear_model import Lasso, Ridge


def test_weight_decay_step_equals_gradient_of_penalised_loss():
    rng = np.random.default_rng(0)
    w, g = rng.normal(size=5), rng.normal(size=5)
    lr, wd = 0.1, 0.01
    # gradient of L + wd/2 ||w||^2 is g + wd * w
    np.testing.assert_allclose(sgd_l2_step(w, g, lr, wd), w - lr * (g + wd * w))


def test_sgd_weight_decay_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for SGD weight_decay")
    rng = np.random.default_rng(1)
    a = rng.normal(size=(8, 3))
    b = rng.normal(size=8)
    w0 = rng.normal(size=3)
    lr, wd = 0.05, 0.1
    wt = torch.tensor(w0, requires_grad=True)
    opt = torch.optim.SGD([wt], lr=lr, weight_decay=wd)
    at, bt = torch.tensor(a), torch.tensor(b)
    w = w0.copy()
    for _ in range(10):
        opt.zero_grad()
        loss = 0.5 * ((at @ wt - bt) ** 2).mean()
        loss.backward()
        opt.step()
        w = sgd_l2_step(w, a.T @ (a @ w - b) / len(a), lr, wd)
    np.testing.assert_allclose(w, wt.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_l1_step_hand_case():
    w = np.array([2.0, -1.0, 0.0])
    g = np.array([0.5, 0.5, 0.5])
    np.testing.assert_allclose(
        sgd_l1_step(w, g, 0.1, 1.0), [2 - 0.05 - 0.1, -1 - 0.05 + 0.1, -0.05]
    )


@settings(max_examples=100, deadline=None)
@given(
    v=st.floats(-10, 10, allow_nan=False),
    tau=st.floats(0, 5, allow_nan=False),
)
def test_soft_threshold_is_the_proximal_minimiser(v, tau):
    # brute force: minimise (w - v)^2 / 2 + tau |w| on a fine grid around v
    grid = np.linspace(v - tau - 1, v + tau + 1, 20001)
    grid = np.append(grid, 0.0)
    obj = 0.5 * (grid - v) ** 2 + tau * np.abs(grid)
    w = soft_threshold(np.array([v]), tau)[0]
    assert 0.5 * (w - v) ** 2 + tau * abs(w) <= obj.min() + 1e-12
    if abs(v) <= tau:
        assert w == 0.0


def test_soft_threshold_rejects_negative_tau():
    with pytest.raises(ValueError, match="tau"):
        soft_threshold(np.ones(2), -1.0)


def test_lasso_matches_sklearn():
    x, y, _ = make_sparse_regression()
    for alpha in [0.05, 0.3, 1.0]:
        ours = lasso_ista(x, y, alpha)
        ref = Lasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(x, y).coef_
        np.testing.assert_allclose(ours, ref, atol=1e-6)
        assert np.array_equal(ours == 0.0, np.abs(ref) == 0.0)


def test_ridge_matches_sklearn():
    x, y, _ = make_sparse_regression()
    for alpha in [0.1, 10.0]:
        ref = Ridge(alpha=alpha, fit_intercept=False, solver="cholesky").fit(x, y).coef_
        np.testing.assert_allclose(ridge_closed_form(x, y, alpha), ref, rtol=1e-10, atol=1e-12)


def test_l1_gives_exact_zeros_and_l2_does_not():
    x, y, w_true = make_sparse_regression()
    for alpha in [0.3, 1.0]:
        w_lasso = lasso_ista(x, y, alpha)
        assert count_zeros(w_lasso) >= 15
        assert np.all(w_lasso[w_true != 0] != 0)  # the informative ones survive
    for alpha in [1.0, 10.0, 100.0]:
        assert count_zeros(ridge_closed_form(x, y, alpha)) == 0


def test_large_alpha_gives_all_zero_lasso():
    x, y, _ = make_sparse_regression()
    alpha_max = np.max(np.abs(x.T @ y)) / len(x)  # KKT: w = 0 is optimal iff alpha >= this
    assert count_zeros(lasso_ista(x, y, alpha_max * 1.001)) == x.shape[1]
    assert count_zeros(lasso_ista(x, y, alpha_max * 0.9)) < x.shape[1]


def test_solvers_reject_bad_input():
    x, y, _ = make_sparse_regression(n=10, d=3)
    with pytest.raises(ValueError, match="alpha"):
        lasso_ista(x, y, -1.0)
    with pytest.raises(ValueError, match="y must have shape"):
        ridge_closed_form(x, y[:-1], 1.0)
    with pytest.raises(ValueError, match="x must have shape"):
        lasso_ista(x[0], y, 1.0)
    with pytest.raises(ValueError, match="NaN"):
        ridge_closed_form(np.full((10, 3), np.nan), y, 1.0)


def test_subgradient_oscillates_prox_reaches_zero():
    sub, prox = l1_paths(a=0.3, l1=1.0, lr=0.1, steps=60)
    assert prox[-1] == 0.0
    assert np.all(sub[-20:] != 0.0)
    assert np.any(sub[-20:] > 0)
    assert np.any(sub[-20:] < 0)
    assert np.max(np.abs(sub[-20:])) <= 0.1 * 1.0 + 0.1 * 0.3 + 1e-12  # within about lr * l1


def test_geometry_corner_and_off_axis():
    w_l1, w_l2 = constrained_minimisers(GEOMETRY_H, GEOMETRY_W_STAR, 1.0)
    np.testing.assert_allclose(w_l1, [1.0, 0.0])
    assert np.all(np.abs(w_l2) > 0.1)
    assert np.linalg.norm(w_l2) == pytest.approx(1.0, abs=1e-9)
    # brute force over both boundaries
    t = np.linspace(0, 2 * np.pi, 200001)
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)
    d = circle - GEOMETRY_W_STAR
    loss = 0.5 * np.einsum("ni,ij,nj->n", d, GEOMETRY_H, d)
    np.testing.assert_allclose(w_l2, circle[loss.argmin()], atol=1e-4)
    diamond = circle / np.abs(circle).sum(axis=1, keepdims=True)
    d = diamond - GEOMETRY_W_STAR
    loss = 0.5 * np.einsum("ni,ij,nj->n", d, GEOMETRY_H, d)
    np.testing.assert_allclose(w_l1, diamond[loss.argmin()], atol=1e-4)


def test_geometry_rejects_inactive_constraint():
    with pytest.raises(ValueError, match="outside"):
        constrained_minimisers(GEOMETRY_H, np.array([0.1, 0.1]), 1.0)


def test_plots_build():
    assert len(plot_geometry().axes) == 2
    assert len(plot_l1_paths().axes) == 1
