"""Entropy, KL and cross-entropy against hand values, scipy and PyTorch; gradients a - y."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from losses.cross_entropy import (
    cross_entropy,
    entropy,
    kl_divergence,
    label_smoothing_ce_whiteboard,
    label_smoothing_cross_entropy,
    label_smoothing_cross_entropy_grad,
    linear_softmax_grads,
    sigmoid_cross_entropy,
    sigmoid_cross_entropy_grad,
    smoothed_targets,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)

from tests.gradcheck import numerical_gradient


def distributions(k: int):
    """Probability vectors of length k, some entries exactly zero."""
    weights = arrays(np.float64, k, elements=st.one_of(st.just(0.0), st.floats(1e-3, 10)))
    return weights.filter(lambda w: w.sum() > 0).map(lambda w: w / w.sum())


def test_hand_values():
    assert entropy(np.array([0.25] * 4)) == pytest.approx(math.log(4))
    assert entropy(np.array([1.0, 0.0, 0.0])) == 0
    p, q = np.array([0.5, 0.5]), np.array([0.25, 0.75])
    assert kl_divergence(p, q) == pytest.approx(
        0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    )
    assert kl_divergence(q, p) == pytest.approx(
        0.25 * math.log(0.25 / 0.5) + 0.75 * math.log(0.75 / 0.5)
    )
    assert cross_entropy(p, q) == pytest.approx(-0.5 * math.log(0.25) - 0.5 * math.log(0.75))
    # One-hot p: cross-entropy is -log of the probability given to the true class.
    assert cross_entropy(np.array([0, 1, 0]), np.array([0.2, 0.7, 0.1])) == pytest.approx(
        -math.log(0.7)
    )


def test_zero_probabilities():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.5, 0.0, 0.5])
    assert kl_divergence(p, q) == np.inf  # p puts mass where q has none
    assert kl_divergence(q[[0, 2, 1]], p[[0, 2, 1]]) == np.inf
    assert np.isfinite(kl_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5])))
    assert cross_entropy(p, q) == np.inf
    # 0 * log 0 = 0 and p * log 0 = -inf without a RuntimeWarning (log 0, 0 * inf)
    with np.errstate(all="raise"):
        assert entropy(np.array([1.0, 0.0, 0.0])) == 0
        assert cross_entropy(p, q) == np.inf
        assert cross_entropy(p, p) == pytest.approx(math.log(2))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6).flatmap(lambda k: st.tuples(distributions(k), distributions(k))))
def test_gibbs_inequality_and_decomposition(pq):
    p, q = pq
    kl = kl_divergence(p, q)
    assert kl >= -1e-12
    assert kl_divergence(p, p) == pytest.approx(0, abs=1e-12)
    if np.isfinite(kl):
        assert cross_entropy(p, q) == pytest.approx(entropy(p) + kl, abs=1e-9)
        assert cross_entropy(p, q) >= entropy(p) - 1e-12
    if not np.allclose(p, q, atol=1e-9):
        assert kl > 0


def test_batched_along_last_axis():
    p = np.array([[0.5, 0.5], [0.9, 0.1]])
    q = np.array([[0.25, 0.75], [0.5, 0.5]])
    np.testing.assert_allclose(
        kl_divergence(p, q), [kl_divergence(p[0], q[0]), kl_divergence(p[1], q[1])]
    )
    np.testing.assert_allclose(
        cross_entropy(p, q), [cross_entropy(p[0], q[0]), cross_entropy(p[1], q[1])]
    )
    np.testing.assert_allclose(entropy(p), [entropy(p[0]), entropy(p[1])])


def test_against_scipy():
    stats = pytest.importorskip("scipy.stats", reason="scipy is an independent reference")
    special = pytest.importorskip("scipy.special", reason="scipy is an independent reference")
    rng = np.random.default_rng(0)
    p, q = rng.dirichlet(np.ones(5), size=4), rng.dirichlet(np.ones(5), size=4)
    p[0, 2] = 0
    p[0] /= p[0].sum()
    np.testing.assert_allclose(entropy(p), stats.entropy(p, axis=1))
    np.testing.assert_allclose(kl_divergence(p, q), stats.entropy(p, q, axis=1))
    np.testing.assert_allclose(kl_divergence(p, q), special.rel_entr(p, q).sum(axis=1))


@pytest.mark.parametrize(
    ("p", "q"),
    [
        (np.array([0.5, 0.6]), np.array([0.5, 0.5])),  # does not sum to 1
        (np.array([1.5, -0.5]), np.array([0.5, 0.5])),  # negative
        (np.array([0.5, 0.5]), np.array([np.nan, 1.0])),
        (np.array([0.5, 0.5]), np.array([0.2, 0.3, 0.5])),  # shapes
        (np.array([]), np.array([])),
    ],
)
def test_bad_distributions(p, q):
    with pytest.raises(ValueError, match=r"\bp\b|\bq\b"):
        kl_divergence(p, q)


def test_distribution_errors_name_the_argument():
    good, bad = np.array([0.5, 0.5]), np.array([0.5, 0.6])
    with pytest.raises(ValueError, match=r"^p must sum to 1 along the last axis$"):
        entropy(bad)
    with pytest.raises(ValueError, match=r"^p must sum to 1 along the last axis$"):
        cross_entropy(bad, good)
    with pytest.raises(ValueError, match=r"^q must sum to 1 along the last axis$"):
        cross_entropy(good, bad)
    with pytest.raises(
        ValueError, match=r"^p and q must have the same shape, got \(2,\) and \(1,\)$"
    ):
        cross_entropy(good, np.array([1.0]))
    with pytest.raises(ValueError, match=r"^p must have a non-empty last axis, got shape \(\)$"):
        entropy(np.float64(1.0))
    with pytest.raises(ValueError, match=r"^p must have a non-empty last axis, got shape \(0,\)$"):
        entropy(np.array([]))
    with pytest.raises(
        TypeError, match=r"^p must be an array of real numbers, got dtype complex128$"
    ):
        entropy(np.array([0.5 + 0j, 0.5]))


def test_softmax_cross_entropy_hand_and_stability():
    z = np.array([[0.0, 0.0], [1000.0, 0.0]])
    # Row 0: -log(1/2); row 1: the true class 1 has log-probability -1000.
    assert softmax_cross_entropy(z, np.array([0, 1])) == pytest.approx((math.log(2) + 1000) / 2)
    grad = softmax_cross_entropy_grad(z, np.array([0, 1]))
    np.testing.assert_allclose(grad, [[-0.25, 0.25], [0.5, -0.5]])


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(2, 5), st.integers(0, 2**32 - 1))
def test_softmax_gradient_is_a_minus_y(n, k, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=3, size=(n, k))
    y = rng.integers(0, k, size=n)
    analytic = softmax_cross_entropy_grad(z, y)
    np.testing.assert_allclose(
        analytic, numerical_gradient(lambda: softmax_cross_entropy(z, y), z), atol=1e-7
    )
    a = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)  # softmax, directly
    np.testing.assert_allclose(analytic * n, a - np.eye(k)[y], atol=1e-12)


def test_sigmoid_gradient_is_a_minus_y():
    z = np.array([-30.0, -2.0, 0.0, 0.5, 40.0])
    y = np.array([1.0, 0.0, 1.0, 0.3, 0.0])  # soft targets too
    np.testing.assert_allclose(
        sigmoid_cross_entropy_grad(z, y),
        numerical_gradient(lambda: sigmoid_cross_entropy(z, y), z),
        atol=1e-8,
    )
    np.testing.assert_allclose(sigmoid_cross_entropy_grad(z, y) * 5, 1 / (1 + np.exp(-z)) - y)
    # -log sigmoid(-1000) = 1000: finite where log(sigmoid) would be log(0).
    assert sigmoid_cross_entropy(np.array([-1000.0]), np.array([1.0])) == pytest.approx(1000)


def test_kl_and_cross_entropy_gradients_differ_only_when_the_target_moves():
    # The page's 追问: with a fixed target p (a frozen teacher's soft labels) KL(p || q) and
    # H(p, q) have the same gradient in the student's logits; when the distribution in the
    # first slot depends on the parameters (the VAE term KL(q || prior)) they do not.
    rng = np.random.default_rng(5)
    z = rng.normal(size=4)
    teacher = np.exp(rng.normal(size=4))
    teacher /= teacher.sum()

    def q():
        e = np.exp(z - z.max())
        return e / e.sum()

    grad_kl = numerical_gradient(lambda: kl_divergence(teacher, q()), z)
    grad_ce = numerical_gradient(lambda: cross_entropy(teacher, q()), z)
    np.testing.assert_allclose(grad_kl, grad_ce, atol=1e-8)
    np.testing.assert_allclose(grad_ce, q() - teacher, atol=1e-8)
    grad_kl = numerical_gradient(lambda: kl_divergence(q(), teacher), z)
    grad_ce = numerical_gradient(lambda: cross_entropy(q(), teacher), z)
    assert np.abs(grad_kl - grad_ce).max() > 1e-2  # the entropy of q now has a gradient too


def test_linear_layer_gradient_is_x_times_a_minus_y():
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(6, 4)), rng.normal(size=(3, 4)), rng.normal(size=3)
    y = rng.integers(0, 3, size=6)
    dw, db = linear_softmax_grads(x, w, b, y)
    np.testing.assert_allclose(
        dw, numerical_gradient(lambda: softmax_cross_entropy(x @ w.T + b, y), w), atol=1e-7
    )
    np.testing.assert_allclose(
        db, numerical_gradient(lambda: softmax_cross_entropy(x @ w.T + b, y), b), atol=1e-7
    )


def test_bad_logits_and_labels():
    z = np.zeros((2, 3))
    with pytest.raises(ValueError, match="labels"):
        softmax_cross_entropy(z, np.array([0, 3]))
    with pytest.raises(ValueError, match=r"^labels must have shape \(2,\) and values in \[0, 3\)$"):
        softmax_cross_entropy(z, np.array([0]))
    with pytest.raises(ValueError, match="labels"):
        softmax_cross_entropy(z, np.array([-1, 0]))  # would silently pick the last class
    with pytest.raises(ValueError, match="logits"):
        softmax_cross_entropy(np.zeros((0, 3)), np.array([], dtype=int))
    with pytest.raises(TypeError, match="labels"):
        softmax_cross_entropy(z, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="logits"):
        softmax_cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match=r"^logits must be finite$"):
        softmax_cross_entropy(np.array([[np.nan, 0.0]]), np.array([0]))
    with pytest.raises(ValueError, match=r"^targets must lie in \[0, 1\]$"):
        sigmoid_cross_entropy(np.zeros(2), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match=r"^logits must be finite$"):
        sigmoid_cross_entropy(np.array([np.inf]), np.array([1.0]))
    real = r"^logits and targets must be arrays of real numbers$"
    with pytest.raises(TypeError, match=real):
        sigmoid_cross_entropy(np.array([1j]), np.array([1.0]))
    with pytest.raises(TypeError, match=real):
        sigmoid_cross_entropy(np.array([0.0]), np.array(["1"]))
    with pytest.raises(ValueError, match="logits"):
        sigmoid_cross_entropy(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="weight"):
        linear_softmax_grads(np.zeros((2, 3)), np.zeros((4, 2)), np.zeros(4), np.array([0, 1]))
    with pytest.raises(ValueError, match="weight"):
        linear_softmax_grads(np.zeros(3), np.zeros((4, 3)), np.zeros(4), np.array([0]))


def test_against_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch autograd is the reference")
    fn = torch.nn.functional
    rng = np.random.default_rng(5)
    z, y = rng.normal(scale=4, size=(8, 5)), rng.integers(0, 5, size=8)
    tz = torch.tensor(z, requires_grad=True)
    loss = fn.cross_entropy(tz, torch.tensor(y))
    loss.backward()
    assert softmax_cross_entropy(z, y) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(softmax_cross_entropy_grad(z, y), tz.grad.numpy(), atol=1e-15)

    zb, yb = rng.normal(scale=10, size=12), rng.uniform(size=12)
    tzb = torch.tensor(zb, requires_grad=True)
    lossb = fn.binary_cross_entropy_with_logits(tzb, torch.tensor(yb))
    lossb.backward()
    assert sigmoid_cross_entropy(zb, yb) == pytest.approx(lossb.item(), rel=1e-12)
    np.testing.assert_allclose(sigmoid_cross_entropy_grad(zb, yb), tzb.grad.numpy(), atol=1e-15)

    x, w, b = rng.normal(size=(8, 3)), rng.normal(size=(5, 3)), rng.normal(size=5)
    tw, tb = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    fn.cross_entropy(torch.tensor(x) @ tw.T + tb, torch.tensor(y)).backward()
    dw, db = linear_softmax_grads(x, w, b, y)
    np.testing.assert_allclose(dw, tw.grad.numpy(), atol=1e-14)
    np.testing.assert_allclose(db, tb.grad.numpy(), atol=1e-14)

    p, q = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))
    # torch's kl_div takes log q as input and p as target and computes KL(p || q).
    ref = fn.kl_div(torch.tensor(np.log(q)), torch.tensor(p), reduction="sum")
    assert kl_divergence(p, q) == pytest.approx(ref.item())


# ---- label smoothing ----------------------------------------------------------------------


def test_smoothed_targets_give_eps_over_k_to_every_class():
    q = smoothed_targets(np.array([2, 0]), 4, 0.2)
    np.testing.assert_allclose(q, [[0.05, 0.05, 0.85, 0.05], [0.85, 0.05, 0.05, 0.05]])
    np.testing.assert_allclose(q.sum(axis=1), 1.0)


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(1, 6),
    k=st.integers(2, 7),
    eps=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**16),
)
def test_label_smoothing_matches_torch_and_whiteboard(n, k, eps, seed):
    torch = pytest.importorskip(
        "torch", reason="F.cross_entropy(label_smoothing=...) is the reference"
    )
    rng = np.random.default_rng(seed)
    logits, labels = rng.normal(scale=3, size=(n, k)), rng.integers(0, k, n)
    zt = torch.tensor(logits, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(zt, torch.tensor(labels), label_smoothing=eps)
    ref.backward()
    assert label_smoothing_cross_entropy(logits, labels, eps) == pytest.approx(
        ref.item(), rel=1e-12
    )
    assert label_smoothing_ce_whiteboard(logits, labels, eps) == pytest.approx(
        ref.item(), rel=1e-12
    )
    np.testing.assert_allclose(
        label_smoothing_cross_entropy_grad(logits, labels, eps), zt.grad.numpy(), atol=1e-12
    )


def test_label_smoothing_whiteboard_matches_full_version_without_torch():
    rng = np.random.default_rng(5)
    for eps in (0.0, 0.1, 0.5, 1.0):
        logits, labels = rng.normal(size=(5, 4)), rng.integers(0, 4, 5)
        assert label_smoothing_ce_whiteboard(logits, labels, eps) == pytest.approx(
            label_smoothing_cross_entropy(logits, labels, eps), rel=1e-12
        )
    # defaults: eps = 0.1 on the whiteboard, no smoothing (plain cross-entropy) in the full one
    assert label_smoothing_ce_whiteboard(logits, labels) == pytest.approx(
        label_smoothing_cross_entropy(logits, labels, 0.1), rel=1e-12
    )
    assert label_smoothing_cross_entropy(logits, labels) == softmax_cross_entropy(logits, labels)
    np.testing.assert_array_equal(
        label_smoothing_cross_entropy_grad(logits, labels),
        softmax_cross_entropy_grad(logits, labels),
    )
    # each row is shifted by its own maximum: rows of very different scales stay finite
    wide = np.array([[1000.0, 999.0], [0.0, -1.0]])
    assert label_smoothing_ce_whiteboard(wide, np.array([1, 0])) == pytest.approx(
        label_smoothing_cross_entropy(wide, np.array([1, 0]), 0.1), rel=1e-12
    )


def test_label_smoothing_is_a_mix_of_ce_and_uniform_ce_and_its_gradient_is_numerical():
    rng = np.random.default_rng(2)
    logits, labels = rng.normal(size=(4, 5)), rng.integers(0, 5, 4)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    # L = (1 - eps) · CE + eps · mean_k(-log p_k)
    mix = 0.9 * softmax_cross_entropy(logits, labels) + 0.1 * float(-log_p.mean())
    assert label_smoothing_cross_entropy(logits, labels, 0.1) == pytest.approx(mix)
    assert label_smoothing_cross_entropy(logits, labels, 0.0) == pytest.approx(
        softmax_cross_entropy(logits, labels)
    )
    z = logits.copy()
    num = numerical_gradient(lambda: label_smoothing_cross_entropy(z, labels, 0.1), z)
    np.testing.assert_allclose(
        label_smoothing_cross_entropy_grad(logits, labels, 0.1), num, atol=1e-8
    )


def test_label_smoothing_optimum_has_a_finite_logit_gap():
    # Minimum where softmax(z) = q: gap z_y - z_other = log((1 - eps + eps/K) / (eps/K)).
    k, eps = 10, 0.1
    q = smoothed_targets(np.array([3]), k, eps)
    z_star = np.log(q)
    np.testing.assert_allclose(
        label_smoothing_cross_entropy_grad(z_star, np.array([3]), eps), 0, atol=1e-15
    )
    # Gradient descent from zero reaches that gap; without smoothing the gap keeps growing.
    gaps = {}
    for e in (0.0, eps):
        z = np.zeros((1, k))
        for _ in range(3000):
            z -= 5.0 * label_smoothing_cross_entropy_grad(z, np.array([3]), e)
        gaps[e] = z[0, 3] - np.delete(z[0], 3).max()
    assert gaps[eps] == pytest.approx(math.log((1 - eps + eps / k) / (eps / k)), rel=1e-6)
    assert gaps[0.0] > gaps[eps] + 3


def test_label_smoothing_bad_input():
    logits, labels = np.zeros((2, 3)), np.array([0, 2])
    with pytest.raises(ValueError, match="label_smoothing"):
        label_smoothing_cross_entropy(logits, labels, 1.5)
    with pytest.raises(ValueError, match="label_smoothing"):
        label_smoothing_cross_entropy_grad(logits, labels, -0.1)
    with pytest.raises(TypeError, match="labels"):
        label_smoothing_cross_entropy(logits, np.array([0.0, 1.0]), 0.1)
    with pytest.raises(ValueError, match="labels"):
        label_smoothing_cross_entropy(logits, np.array([0, 3]), 0.1)
