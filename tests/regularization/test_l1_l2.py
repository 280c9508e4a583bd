"""L1/L2 steps and solvers against hand cases, brute force, scikit-learn and torch.optim.SGD."""

import itertools

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
    # l1 = 2 doubles the pull towards 0 (lr * l1 = 0.2), not halves it.
    np.testing.assert_allclose(
        sgd_l1_step(w, g, 0.1, 2.0), [2 - 0.05 - 0.2, -1 - 0.05 + 0.2, -0.05]
    )


def test_steps_compute_in_float64_whatever_the_input_dtype():
    rng = np.random.default_rng(2)
    w, g = rng.normal(size=8).astype(np.float32), rng.normal(size=8).astype(np.float32)
    w64, g64 = w.astype(np.float64), g.astype(np.float64)
    # float32 weights (as from a network) are not stepped in float32 precision.
    np.testing.assert_array_equal(sgd_l2_step(w, g64, 0.1, 0.01), sgd_l2_step(w64, g64, 0.1, 0.01))
    np.testing.assert_array_equal(sgd_l2_step(w64, g, 0.1, 0.01), sgd_l2_step(w64, g64, 0.1, 0.01))
    np.testing.assert_array_equal(sgd_l1_step(w, g64, 0.1, 0.3), sgd_l1_step(w64, g64, 0.1, 0.3))
    np.testing.assert_array_equal(sgd_l1_step(w64, g, 0.1, 0.3), sgd_l1_step(w64, g64, 0.1, 0.3))
    np.testing.assert_array_equal(soft_threshold(w, 0.1), soft_threshold(w64, 0.1))


def test_steps_reject_a_gradient_of_another_shape():
    for step in (sgd_l1_step, sgd_l2_step):
        with pytest.raises(ValueError, match=r"^grad must have the shape of w \(3,\), got \(2,\)$"):
            step(np.zeros(3), np.zeros(2), 0.1, 0.1)


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
    with pytest.raises(ValueError, match=r"^tau must be a finite number >= 0, got -1\.0$"):
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


def test_lasso_on_small_scale_and_degenerate_features():
    # One tiny feature: curvature L = 2.5e-4, so the step must be 1 / L, not a fixed 1 (which
    # would still be far away after 5000 steps) nor 2 / L (which oscillates between 0 and 2 w).
    x, y = np.array([[0.01], [0.02]]), np.array([1.0, 2.0])
    # w = S(x^T y / n, alpha) / (x^T x / n) = (0.025 - 0.005) / 0.00025
    assert lasso_ista(x, y, 0.005) == pytest.approx([80.0], rel=1e-9)
    # Two features on very different scales: the step follows the largest curvature (50).
    x, y = np.array([[1.0, 0.0], [0.0, 10.0]]), np.array([2.0, 30.0])
    np.testing.assert_allclose(lasso_ista(x, y, 0.1), [0.9 / 0.5, 149.9 / 50], rtol=1e-7)
    # All-zero features: no curvature, w = 0 (and no division by 0).
    assert lasso_ista(np.zeros((3, 2)), np.ones(3), 0.1).tolist() == [0.0, 0.0]


def test_lasso_stopping_rules():
    x, y, _ = make_sparse_regression()
    tight = lasso_ista(x, y, 0.3)
    loose = lasso_ista(x, y, 0.3, tol=1e-3)  # stops as soon as a step moves w by <= 1e-3
    assert 0 < np.max(np.abs(loose - tight)) < 0.05
    # Ill-conditioned (curvatures 0.5 and 5e-5): not converged, it stops after n_iter = 5000.
    x, y = np.array([[1.0, 0.0], [0.0, 0.01]]), np.array([1.0, 1.0])
    w = lasso_ista(x, y, 1e-4)
    np.testing.assert_array_equal(w, lasso_ista(x, y, 1e-4, n_iter=5000))
    assert w[1] < 0.5 * (0.005 - 1e-4) / 5e-5  # half its optimum S(0.005, 1e-4) / 5e-5 = 98


def test_large_alpha_gives_all_zero_lasso():
    x, y, _ = make_sparse_regression()
    alpha_max = np.max(np.abs(x.T @ y)) / len(x)  # KKT: w = 0 is optimal iff alpha >= this
    assert count_zeros(lasso_ista(x, y, alpha_max * 1.001)) == x.shape[1]
    assert count_zeros(lasso_ista(x, y, alpha_max * 0.9)) < x.shape[1]


def test_solvers_reject_bad_input():
    x, y, _ = make_sparse_regression(n=10, d=3)
    with pytest.raises(ValueError, match="alpha"):
        lasso_ista(x, y, -1.0)
    for solver in (lasso_ista, ridge_closed_form):
        with pytest.raises(ValueError, match=r"^alpha must be a finite number >= 0, got -1\.0$"):
            solver(x, y, -1.0)
    with pytest.raises(ValueError, match="y must have shape"):
        ridge_closed_form(x, y[:-1], 1.0)
    with pytest.raises(ValueError, match=r"^y must have shape \(10,\), got \(9,\)$"):
        ridge_closed_form(x, y[:-1], 1.0)
    with pytest.raises(ValueError, match="x must have shape"):
        lasso_ista(x[0], y, 1.0)
    with pytest.raises(ValueError, match="x must have shape"):
        ridge_closed_form(np.zeros((0, 3)), np.zeros(0), 1.0)  # no samples
    with pytest.raises(ValueError, match="NaN"):
        ridge_closed_form(np.full((10, 3), np.nan), y, 1.0)
    with pytest.raises(ValueError, match=r"^x and y must not contain NaN or inf$"):
        ridge_closed_form(x, np.full(10, np.inf), 1.0)


def test_solvers_accept_one_sample_one_feature_and_indicator_features():
    # w = x y / (x^2 + alpha) = 2 * 4 / (4 + 1)
    assert ridge_closed_form(np.array([[2.0]]), np.array([4.0]), 1.0) == pytest.approx([1.6])
    # Boolean indicator features count as 0/1, not as logical and/or in X^T X.
    x = np.array([[True, True], [True, False], [False, True]])
    y = np.array([1.0, 2.0, 3.0])
    expected = ridge_closed_form(x.astype(float), y, 1.0)
    np.testing.assert_allclose(ridge_closed_form(x, y, 1.0), expected)
    np.testing.assert_allclose(lasso_ista(x, y, 0.1), lasso_ista(x.astype(float), y, 0.1))


def test_sparse_regression_data():
    x, y, w_true = make_sparse_regression()  # the page's example: 100 x 20, 3 informative
    assert x.shape == (100, 20)
    assert np.count_nonzero(w_true) == 3
    again = make_sparse_regression(n=100, d=20, n_informative=3, noise=0.5, seed=0)
    for a, b in zip((x, y, w_true), again, strict=True):
        np.testing.assert_array_equal(a, b)  # seeded: the same data every time
    # Coefficients: random signs, magnitudes uniform in [2, 4].
    _, _, w = make_sparse_regression(n=5, d=50, n_informative=50)
    assert (w > 0).any()
    assert (w < 0).any()
    assert 2.0 <= np.abs(w).min() < 2.5 < 3.5 < np.abs(w).max() <= 4.0
    # Noise: y - X w_true is N(0, 0.5^2) per sample.
    x, y, w_true = make_sparse_regression(n=2000, d=2, n_informative=1)
    assert np.std(y - x @ w_true) == pytest.approx(0.5, rel=0.05)
    # No informative coefficient is allowed (pure noise); more than d is not.
    assert not make_sparse_regression(n_informative=0)[2].any()
    with pytest.raises(ValueError, match=r"^n_informative must be in \[0, d=20\], got 21$"):
        make_sparse_regression(n_informative=21)


def test_l1_paths_first_step_and_defaults():
    # f(w) = (w - 0.3)^2 / 2 + 2 |w| from w = 2: both methods take the same first step,
    # 2 - 0.1 * (2 - 0.3) - 0.1 * 2 = 1.63 (soft-thresholding 1.83 by lr * l1 = 0.2).
    sub, prox = l1_paths(a=0.3, l1=2.0, lr=0.1, steps=1, w0=2.0)
    np.testing.assert_allclose(sub, [2.0, 1.63])
    np.testing.assert_allclose(prox, [2.0, 1.63])
    # The defaults are the page's example: a = 0.3, l1 = 1, lr = 0.1, 60 steps from w = 2.
    for got, want in zip(l1_paths(), l1_paths(0.3, 1.0, 0.1, 60, 2.0), strict=True):
        np.testing.assert_array_equal(got, want)


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


def test_geometry_with_identity_h_is_a_projection_in_every_quadrant():
    # H = I: the L1 optimum is soft-thresholding of w* down to the ball (|3 - t| + |2 - t| = 2,
    # t = 1.5), the L2 optimum is w* scaled to the radius.
    for signs in itertools.product([1.0, -1.0], repeat=2):
        w_star = np.array(signs) * [3.0, 2.0]
        w_l1, w_l2 = constrained_minimisers(np.eye(2), w_star, 2.0)
        np.testing.assert_allclose(w_l1, np.array(signs) * [1.5, 0.5], atol=1e-12)
        np.testing.assert_allclose(w_l2, w_star * 2.0 / np.linalg.norm(w_star), rtol=1e-9)
    _, w_l2 = constrained_minimisers(np.eye(2), np.array([3.0, 2.0]), 0.5)  # multiplier 6.2
    np.testing.assert_allclose(w_l2, np.array([3.0, 2.0]) * 0.5 / np.sqrt(13), rtol=1e-9)


def test_geometry_rejects_inactive_constraint():
    with pytest.raises(ValueError, match="outside"):
        constrained_minimisers(GEOMETRY_H, np.array([0.1, 0.1]), 1.0)
    outside = "^w_star must lie outside the L1 ball"
    with pytest.raises(ValueError, match=outside):  # on the boundary: still inactive
        constrained_minimisers(GEOMETRY_H, np.array([0.5, -0.5]), 1.0)


@pytest.mark.parametrize(
    ("h", "w_star", "match"),
    [
        (np.eye(3), np.ones(2), r"^h must have shape \(2, 2\) and w_star shape \(2,\)$"),
        (np.eye(2), np.ones(3), r"^h must have shape \(2, 2\) and w_star shape \(2,\)$"),
        (np.diag([1.0, -1.0]), np.ones(2) * 2, "^h must be symmetric positive definite$"),
        (np.diag([1.0, 0.0]), np.ones(2) * 2, "^h must be symmetric positive definite$"),
    ],
)
def test_geometry_rejects_bad_h_and_w_star(h, w_star, match):
    with pytest.raises(ValueError, match=match):
        constrained_minimisers(h, w_star, 1.0)


def test_plots_build():
    assert len(plot_geometry().axes) == 2
    assert len(plot_l1_paths().axes) == 1
