"""BatchNorm against hand-computed cases, a per-channel loop, numerical gradients and PyTorch."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from normalization.batchnorm import (
    batch_norm,
    batch_norm_backward,
    batch_norm_backward_whiteboard,
    batch_norm_forward_whiteboard,
    fold_batch_norm,
)

from tests.gradcheck import numerical_gradient
from tests.page_math import page_formulas, run_equations

EPS = 1e-5


def batch_norm_by_loop(x, gamma, beta, eps=EPS):
    """Training-mode BN written channel by channel with the textbook formulas."""
    y = np.empty_like(x)
    for c in range(x.shape[1]):
        values = x[:, c].ravel()
        m = values.size
        mu = sum(values) / m
        var = sum((v - mu) ** 2 for v in values) / m
        y[:, c] = gamma[c] * (x[:, c] - mu) / np.sqrt(var + eps) + beta[c]
    return y


def test_none_stands_for_the_defaults():
    # None: PyTorch's initial state (running mean 0, variance 1), weight 1, bias 0.
    rng = np.random.default_rng(0)
    x, dy = rng.normal(size=(4, 3, 2, 2)), rng.normal(size=(4, 3, 2, 2))
    zeros, ones = np.zeros(3), np.ones(3)
    for training in (False, True):
        got = batch_norm(x, None, None, training=training)
        want = batch_norm(x, zeros, ones, ones, zeros, training=training)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
    for a, b in zip(batch_norm_backward(dy, x), batch_norm_backward(dy, x, ones), strict=True):
        np.testing.assert_array_equal(a, b)
    w, mean, var = rng.normal(size=(3, 5)), rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    for got, want in (
        (fold_batch_norm(w, None, mean, var), fold_batch_norm(w, zeros, mean, var, ones, zeros)),
        (fold_batch_norm(w, mean, None, None), fold_batch_norm(w, mean, zeros, ones)),
    ):
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)


def test_momentum_zero_keeps_the_running_statistics():
    x = np.random.default_rng(1).normal(size=(5, 2))
    mean, var = np.array([0.5, -1.0]), np.array([2.0, 0.25])
    _, new_mean, new_var = batch_norm(x, mean, var, training=True, momentum=0.0)
    np.testing.assert_array_equal(new_mean, mean)
    np.testing.assert_array_equal(new_var, var)


def test_hand_case_one_channel():
    x = np.array([[1.0], [2.0], [3.0], [4.0]])
    y, r_mean, r_var = batch_norm(x, np.zeros(1), np.ones(1), training=True)
    # mean 2.5, biased variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
    np.testing.assert_allclose(y[:, 0], np.array([-1.5, -0.5, 0.5, 1.5]) / np.sqrt(1.25 + EPS))
    # running: 0.9 * 0 + 0.1 * 2.5; 0.9 * 1 + 0.1 * (unbiased 5 / 3)
    np.testing.assert_allclose(r_mean, [0.25])
    np.testing.assert_allclose(r_var, [0.9 + 0.5 / 3])


def test_wrong_formulas_from_the_notes_differ():
    x = np.array([[1.0], [2.0], [3.0], [4.0]])
    y, _, _ = batch_norm(x, np.zeros(1), np.ones(1), training=True)
    plus_mu = (x + 2.5) / (np.sqrt(1.25) + EPS)  # (x + mu) / (sqrt(var) + eps)
    no_one_over_m = (x - 10.0) / np.sqrt(1.25 + EPS)  # mu = sum(x) without 1/m
    assert not np.allclose(y, plus_mu)
    assert not np.allclose(y, no_one_over_m)
    assert np.isclose(y.mean(), 0)
    assert np.isclose(y.var(), 1.25 / (1.25 + EPS))


def test_eval_mode_uses_running_statistics_and_keeps_them():
    x = np.array([[0.0, 10.0], [2.0, 30.0]])
    mean, var = np.array([1.0, 20.0]), np.array([4.0, 100.0])
    y, r_mean, r_var = batch_norm(x, mean, var, np.array([2.0, 1.0]), np.array([0.0, 5.0]))
    np.testing.assert_allclose(y, [[-1.0, 4.0], [1.0, 6.0]], atol=1e-5)
    np.testing.assert_array_equal(r_mean, mean)
    np.testing.assert_array_equal(r_var, var)


def test_running_stats_converge_to_the_data_statistics():
    rng = np.random.default_rng(0)
    r_mean, r_var = np.zeros(3), np.ones(3)
    true_mean, true_std = np.array([-2.0, 0.0, 5.0]), np.array([0.5, 1.0, 3.0])
    for _ in range(200):
        x = rng.normal(true_mean, true_std, size=(64, 3))
        _, r_mean, r_var = batch_norm(x, r_mean, r_var, training=True)
    assert np.all(np.abs(r_mean - true_mean) < 0.1 * true_std)
    np.testing.assert_allclose(r_var, true_std**2, rtol=0.15)


def test_gamma_beta_can_undo_the_normalisation():
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, 2.0, size=(8, 4, 3, 3))
    axes = (0, 2, 3)
    gamma = np.sqrt(x.var(axis=axes) + EPS)
    beta = x.mean(axis=axes)
    y, _, _ = batch_norm(x, np.zeros(4), np.ones(4), gamma, beta, training=True)
    np.testing.assert_allclose(y, x)


def test_bias_before_batch_norm_is_cancelled():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(5, 3, 2, 2))
    b = np.array([10.0, -3.0, 0.5]).reshape(1, 3, 1, 1)
    y1, _, _ = batch_norm(x, np.zeros(3), np.ones(3), training=True)
    y2, _, _ = batch_norm(x + b, np.zeros(3), np.ones(3), training=True)
    np.testing.assert_allclose(y1, y2, atol=1e-12)


def test_statistics_are_per_channel_over_n_h_w():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 3, 5, 6)) * np.array([1.0, 10.0, 100.0]).reshape(1, 3, 1, 1)
    y, r_mean, _ = batch_norm(x, np.zeros(3), np.ones(3), momentum=1.0, training=True)
    assert r_mean.shape == (3,)
    np.testing.assert_allclose(r_mean, [x[:, c].mean() for c in range(3)])
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-4)


@pytest.mark.parametrize("shape", [(5, 3), (4, 2, 3), (3, 2, 2, 2)])
def test_backward_matches_numerical_gradient(shape):
    rng = np.random.default_rng(4)
    x = rng.normal(size=shape)
    dy = rng.normal(size=shape)  # L = sum(dy * y) has dL/dy = dy
    gamma = rng.normal(size=shape[1])
    beta = rng.normal(size=shape[1])

    def loss():
        y, _, _ = batch_norm(x, None, None, gamma, beta, training=True)
        return float((dy * y).sum())

    dx, dgamma, dbeta = batch_norm_backward(dy, x, gamma)
    np.testing.assert_allclose(dx, numerical_gradient(loss, x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dgamma, numerical_gradient(loss, gamma), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dbeta, numerical_gradient(loss, beta), rtol=1e-5, atol=1e-7)


def test_input_gradient_is_orthogonal_to_ones_and_x_hat():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(16, 4))
    eps = 1e-12  # with eps > 0, sum(x_hat ** 2) = m * var / (var + eps) is slightly below m
    dx, _, _ = batch_norm_backward(rng.normal(size=x.shape), x, rng.normal(size=4), eps=eps)
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    np.testing.assert_allclose(dx.sum(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose((dx * x_hat).sum(axis=0), 0, atol=1e-10)


def test_gradient_norm_identity():
    """||dx||^2 = gamma^2 / s^2 (||g||^2 - (sum g)^2 / m - (sum g x_hat)^2 / m), as on the page."""
    rng = np.random.default_rng(10)
    m, eps, gamma = 12, 1e-12, 1.7
    x, g = rng.normal(size=(m, 1)), rng.normal(size=(m, 1))
    dx, _, _ = batch_norm_backward(g, x, np.array([gamma]), eps=eps)
    s2 = x.var() + eps
    x_hat = (x - x.mean()) / np.sqrt(s2)
    expected = gamma**2 / s2 * ((g**2).sum() - g.sum() ** 2 / m - (g * x_hat).sum() ** 2 / m)
    assert (dx**2).sum() == pytest.approx(expected, rel=1e-9)


def test_scale_invariance_of_output_and_gradient():
    rng = np.random.default_rng(6)
    x, dy = rng.normal(size=(10, 3)), rng.normal(size=(10, 3))
    eps = 1e-12  # eps breaks exact invariance; make it negligible
    y1, _, _ = batch_norm(x, None, None, training=True, eps=eps)
    y2, _, _ = batch_norm(100 * x, None, None, training=True, eps=eps)
    np.testing.assert_allclose(y1, y2, atol=1e-9)
    dx1, _, _ = batch_norm_backward(dy, x, eps=eps)
    dx2, _, _ = batch_norm_backward(dy, 100 * x, eps=eps)
    np.testing.assert_allclose(dx2, dx1 / 100, atol=1e-9)


def test_fold_into_linear_layer():
    rng = np.random.default_rng(7)
    w, b = rng.normal(size=(3, 5)), rng.normal(size=3)
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    x = rng.normal(size=(6, 5))
    expected, _, _ = batch_norm(x @ w.T + b, mean, var, gamma, beta)
    w2, b2 = fold_batch_norm(w, b, mean, var, gamma, beta)
    np.testing.assert_allclose(x @ w2.T + b2, expected)


@settings(max_examples=50, deadline=None)
@given(
    n=st.integers(2, 5),
    c=st.integers(1, 4),
    spatial=st.lists(st.integers(1, 3), max_size=2),
    seed=st.integers(0, 2**32 - 1),
)
def test_matches_per_channel_loop(n, c, spatial, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c, *spatial)) * rng.uniform(0.1, 10) + rng.uniform(-5, 5)
    gamma, beta = rng.normal(size=c), rng.normal(size=c)
    y, _, _ = batch_norm(x, np.zeros(c), np.ones(c), gamma, beta, training=True)
    np.testing.assert_allclose(y, batch_norm_by_loop(x, gamma, beta), rtol=1e-9, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 8), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_whiteboard_forward_and_backward_match(m, d, seed):
    rng = np.random.default_rng(seed)
    x, g = rng.normal(size=(m, d)) * 3 + 1, rng.normal(size=(m, d))
    gamma, beta = rng.normal(size=d), rng.normal(size=d)
    y, cache = batch_norm_forward_whiteboard(x, gamma, beta)
    np.testing.assert_allclose(y, batch_norm(x, None, None, gamma, beta, training=True)[0])
    for ours, full in zip(
        batch_norm_backward_whiteboard(g, cache), batch_norm_backward(g, x, gamma), strict=True
    ):
        np.testing.assert_allclose(ours, full, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": np.zeros(4)}, r"^x must have shape \(N, C, \*\), got ndim=1$"),
        ({"running_mean": np.zeros(2)}, r"^running_mean must have shape \(3,\), got \(2,\)$"),
        ({"running_var": np.ones((3, 1))}, r"^running_var must have shape \(3,\), got \(3, 1\)$"),
        ({"weight": np.ones(4)}, r"^weight must have shape \(3,\), got \(4,\)$"),
        ({"bias": np.ones(2)}, r"^bias must have shape \(3,\), got \(2,\)$"),
        ({"momentum": 1.5}, r"^momentum must be in \[0, 1\], got 1.5$"),
        ({"eps": 0.0}, r"^eps must be > 0, got 0.0$"),
        (
            {"x": np.zeros((1, 3)), "training": True},
            r"^x must have more than 1 value per channel in training, got 1$",
        ),
    ],
)
def test_bad_input_raises(kwargs, match):
    args = {"x": np.zeros((2, 3)), "running_mean": np.zeros(3), "running_var": np.ones(3)}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        batch_norm(**args)


def test_backward_bad_input_raises():
    with pytest.raises(ValueError, match=r"^dy must have the shape of x \(3, 3\), got \(2, 3\)$"):
        batch_norm_backward(np.zeros((2, 3)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"^weight must have shape \(3,\), got \(2,\)$"):
        batch_norm_backward(np.zeros((2, 3)), np.zeros((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"^w must have shape \(out, in\), got \(3,\)$"):
        fold_batch_norm(np.zeros(3), np.zeros(3), np.zeros(3), np.ones(3))


@pytest.mark.parametrize("name", ["b", "running_mean", "running_var", "weight", "bias"])
def test_fold_names_the_argument_of_the_wrong_shape(name):
    args = {"w": np.ones((3, 2)), "b": np.zeros(3), "running_mean": np.zeros(3)}
    args |= {"running_var": np.ones(3), name: np.ones(4)}
    with pytest.raises(ValueError, match=rf"^{name} must have shape \(3,\), got \(4,\)$"):
        fold_batch_norm(**args)


def test_float32_arrays_from_pytorch_are_computed_in_float64():
    # A float32 state_dict (running stats, weight, bias) and float32 activations give exactly the
    # float64 result: every input is converted first, nothing is rounded to float32 on the way.
    rng = np.random.default_rng(12)
    x32, dy32 = rng.normal(size=(2, 4, 3, 2, 2)).astype(np.float32)
    # running mean, running var, weight, bias
    stats32 = [v.astype(np.float32) for v in (rng.normal(size=3), rng.uniform(0.5, 2, 3))]
    stats32 += list(rng.normal(size=(2, 3)).astype(np.float32))
    stats64 = [v.astype(np.float64) for v in stats32]
    for training in (False, True):
        got = batch_norm(x32, *stats32, training=training)
        want = batch_norm(x32.astype(np.float64), *stats64, training=training)
        for a, b in zip(got, want, strict=True):
            assert a.dtype == np.float64
            np.testing.assert_array_equal(a, b)
    got = batch_norm_backward(dy32, x32, stats32[2])
    want = batch_norm_backward(dy32.astype(np.float64), x32.astype(np.float64), stats64[2])
    for a, b in zip(got, want, strict=True):
        assert a.dtype == np.float64
        np.testing.assert_array_equal(a, b)


def test_the_page_formulas_are_the_forward_pass():
    # mu_B, sigma_B^2, x_hat, y as the page states them (read from its LaTeX), per channel of a
    # conv input: the m = N H W values of one channel.
    [formula] = page_formulas("normalization/batchnorm.md", "## BatchNorm 的前向计算公式是什么？")
    rng = np.random.default_rng(11)
    x = rng.normal(3.0, 0.01, size=(2, 3, 2, 2))  # small variance: eps inside the root matters
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    y, _, _ = batch_norm(x, None, None, gamma, beta, training=True)
    for c in range(3):
        values = x[:, c].ravel()
        out = run_equations(
            formula, x_i=values, m=values.size, epsilon=EPS, gamma=gamma[c], beta=beta[c]
        )
        np.testing.assert_allclose(y[:, c].ravel(), out["y_i"], rtol=1e-10, atol=1e-12)


# ------------------------------------------------ PyTorch reference (each test skips alone)


@pytest.mark.parametrize("momentum", [0.1, 0.3])
def test_matches_torch_batchnorm2d_train_then_eval(torch, momentum):
    rng = np.random.default_rng(8)
    layer = torch.nn.BatchNorm2d(3, momentum=momentum).double()
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma))
        layer.bias.copy_(torch.from_numpy(beta))
    r_mean, r_var = np.zeros(3), np.ones(3)
    layer.train()
    for _ in range(4):  # several steps: the EMA and the unbiased running variance
        x = rng.normal(2.0, 3.0, size=(4, 3, 2, 5))
        expected = layer(torch.from_numpy(x)).detach().numpy()
        y, r_mean, r_var = batch_norm(x, r_mean, r_var, gamma, beta, True, momentum)
        np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(r_mean, layer.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(r_var, layer.running_var.numpy(), rtol=1e-12)
    layer.eval()
    x = rng.normal(size=(2, 3, 2, 5))
    y, _, _ = batch_norm(x, r_mean, r_var, gamma, beta, training=False)
    np.testing.assert_allclose(y, layer(torch.from_numpy(x)).detach().numpy(), rtol=1e-10)


def test_matches_torch_batchnorm1d_and_autograd(torch):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(6, 4, 3))
    dy = rng.normal(size=x.shape)
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    layer = torch.nn.BatchNorm1d(4).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma))
        layer.bias.copy_(torch.from_numpy(beta))
    xt = torch.from_numpy(x).requires_grad_()
    out = layer(xt)
    out.backward(torch.from_numpy(dy))
    y, _, _ = batch_norm(x, np.zeros(4), np.ones(4), gamma, beta, training=True)
    dx, dgamma, dbeta = batch_norm_backward(dy, x, gamma)
    np.testing.assert_allclose(y, out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(dgamma, layer.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(dbeta, layer.bias.grad.numpy(), rtol=1e-10)


def test_keras_stores_the_biased_variance():
    # The page: PyTorch's running variance takes the unbiased m/(m-1) σ², Keras's the biased σ².
    os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is first imported
    keras = pytest.importorskip("keras", reason="Keras is the reference for its own convention")
    x = np.array([[1.0], [2.0], [3.0], [4.0]], dtype=np.float32)
    layer = keras.layers.BatchNormalization(momentum=0.0)  # moving value = batch statistic
    layer(x, training=True)
    assert keras.ops.convert_to_numpy(layer.moving_variance)[0] == pytest.approx(1.25)
    _, _, var = batch_norm(x.astype(np.float64), None, None, training=True, momentum=1.0)
    assert var[0] == pytest.approx(5 / 3)
