"""Sigmoid focal loss vs hand values, cross-entropy, numerical gradients, torchvision's formula."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from losses.focal_loss import sigmoid_focal_loss, sigmoid_focal_loss_grad


def bce_with_logits(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """-y log sigma(z) - (1 - y) log(1 - sigma(z)), written with logaddexp."""
    return y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)


def test_hand_values():
    # z = 0: p = 0.5, -log p_t = log 2, (1 - p_t)^2 = 1/4; alpha_t = 0.25 (y = 1) or 0.75.
    z = np.zeros(2)
    y = np.array([1.0, 0.0])
    np.testing.assert_allclose(
        sigmoid_focal_loss(z, y), [0.25 * 0.25 * math.log(2), 0.75 * 0.25 * math.log(2)]
    )
    # p_t = 0.9: gamma = 2 scales cross-entropy by (1 - 0.9)^2 = 1/100.
    z9 = np.array([math.log(9.0)])
    ratio = sigmoid_focal_loss(z9, np.ones(1), alpha=None) / bce_with_logits(z9, np.ones(1))
    assert ratio[0] == pytest.approx(0.01)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 10), elements=st.floats(-40, 40)),
    st.integers(0, 2**32 - 1),
)
def test_gamma_zero_without_alpha_is_cross_entropy(z, seed):
    y = np.random.default_rng(seed).integers(0, 2, size=z.shape).astype(float)
    np.testing.assert_allclose(
        sigmoid_focal_loss(z, y, alpha=None, gamma=0.0), bce_with_logits(z, y), rtol=1e-12
    )
    # With alpha only, it is alpha-balanced cross-entropy.
    np.testing.assert_allclose(
        sigmoid_focal_loss(z, y, alpha=0.25, gamma=0.0),
        np.where(y == 1, 0.25, 0.75) * bce_with_logits(z, y),
        rtol=1e-12,
    )


def test_focal_never_exceeds_cross_entropy_and_decreases_with_gamma():
    z = np.linspace(-8, 8, 81)
    for y in (np.zeros_like(z), np.ones_like(z)):
        ce = bce_with_logits(z, y)
        previous = ce
        for gamma in (0.5, 1.0, 2.0, 5.0):
            fl = sigmoid_focal_loss(z, y, alpha=None, gamma=gamma)
            assert np.all(fl <= previous + 1e-15)
            previous = fl


@pytest.mark.parametrize("gamma", [2.0, 0.5])
def test_stable_for_huge_logits(gamma):
    # gamma < 1: m^(gamma - 1) is infinite where m = 1 - p_t = 0; no warning, gradient 0 there.
    z = np.array([-1000.0, 1000.0, -1000.0, 1000.0])
    y = np.array([1.0, 1.0, 0.0, 0.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        fl = sigmoid_focal_loss(z, y, alpha=None, gamma=gamma)
        grad = sigmoid_focal_loss_grad(z, y, alpha=None, gamma=gamma)
    # Confidently wrong: loss ~ |z| (the modulating factor is 1); confidently right: 0.
    np.testing.assert_allclose(fl, [1000.0, 0.0, 0.0, 1000.0])
    np.testing.assert_allclose(grad, [-1.0, 0.0, 0.0, 1.0])


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 3.5])
@pytest.mark.parametrize("alpha", [None, 0.25, 0.9])
def test_gradient_matches_numerical(alpha, gamma):
    rng = np.random.default_rng(int(gamma * 10))
    z = rng.normal(scale=4, size=30)
    y = np.concatenate([rng.integers(0, 2, size=20), rng.uniform(size=10)])  # soft too
    h = 1e-6
    numeric = (
        sigmoid_focal_loss(z + h, y, alpha, gamma) - sigmoid_focal_loss(z - h, y, alpha, gamma)
    ) / (2 * h)
    np.testing.assert_allclose(sigmoid_focal_loss_grad(z, y, alpha, gamma), numeric, atol=1e-8)


def test_gradient_defaults_are_the_loss_defaults():
    # alpha = 0.25, gamma = 2 in both functions (RetinaNet's and torchvision's defaults).
    z, y = np.array([-2.0, 0.5, 1.5]), np.array([1.0, 0.0, 1.0])
    h = 1e-6
    numeric = (sigmoid_focal_loss(z + h, y) - sigmoid_focal_loss(z - h, y)) / (2 * h)
    np.testing.assert_allclose(sigmoid_focal_loss_grad(z, y), numeric, atol=1e-8)


def test_alpha_one_or_zero_keeps_only_positives_or_negatives():
    z, y = np.array([0.3, -1.0, 2.0]), np.array([1.0, 0.0, 0.0])
    positives_only = sigmoid_focal_loss(z, y, alpha=1.0)
    negatives_only = sigmoid_focal_loss(z, y, alpha=0.0)
    np.testing.assert_allclose(positives_only + negatives_only, sigmoid_focal_loss(z, y, None))
    np.testing.assert_array_equal(positives_only[y == 0], 0.0)
    np.testing.assert_array_equal(negatives_only[y == 1], 0.0)


def test_gamma_zero_gradient_is_a_minus_y():
    z = np.linspace(-5, 5, 11)
    y = (z > 0.5).astype(float)
    np.testing.assert_allclose(
        sigmoid_focal_loss_grad(z, y, alpha=None, gamma=0.0), 1 / (1 + np.exp(-z)) - y
    )


def test_reductions():
    z, y = np.array([0.3, -1.0, 2.0]), np.array([1.0, 0.0, 0.0])
    per = sigmoid_focal_loss(z, y)
    assert sigmoid_focal_loss(z, y, reduction="sum") == pytest.approx(per.sum())
    assert sigmoid_focal_loss(z, y, reduction="mean") == pytest.approx(per.mean())
    assert sigmoid_focal_loss(np.zeros((0, 3)), np.zeros((0, 3))).shape == (0, 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"targets": np.array([0.0, 2.0])}, r"^targets must lie in \[0, 1\]$"),
        ({"targets": np.zeros(3)}, "same shape"),
        ({"inputs": np.array([np.nan, 0.0])}, r"^inputs \(logits\) must be finite$"),
        ({"alpha": 1.5}, "alpha"),
        ({"gamma": -1.0}, "gamma"),
        ({"reduction": "avg"}, "reduction"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"inputs": np.zeros(2), "targets": np.zeros(2)} | kwargs
    with pytest.raises(ValueError, match=match):
        sigmoid_focal_loss(**args)
    if "reduction" not in kwargs:  # the gradient checks its input the same way
        with pytest.raises(ValueError, match=match):
            sigmoid_focal_loss_grad(**args)


def test_bad_type():
    # Boolean logits are rejected (a logit is a real score); boolean targets are labels.
    message = r"^inputs and targets must be arrays of real numbers$"
    with pytest.raises(TypeError, match=message):
        sigmoid_focal_loss(np.array([True, False]), np.zeros(2))
    with pytest.raises(TypeError, match=message):
        sigmoid_focal_loss(np.zeros(2), np.array(["0", "1"]))
    bool_targets = sigmoid_focal_loss(np.zeros(2), np.array([True, False]))
    np.testing.assert_array_equal(bool_targets, sigmoid_focal_loss(np.zeros(2), np.eye(2)[0]))


def test_matches_torchvision_formula():
    torch = pytest.importorskip("torch", reason="PyTorch autograd is the reference")
    fn = torch.nn.functional

    def torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0):
        # The formula of torchvision.ops.sigmoid_focal_loss (torchvision is not installed).
        p = torch.sigmoid(inputs)
        ce_loss = fn.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce_loss * ((1 - p_t) ** gamma)
        if alpha >= 0:
            loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
        return loss

    rng = np.random.default_rng(7)
    z = rng.normal(scale=3, size=(4, 6))
    y = (rng.uniform(size=(4, 6)) < 0.3).astype(float)
    y[0] = rng.uniform(size=6)  # soft targets in one row
    for alpha, gamma in [(0.25, 2.0), (-1.0, 2.0), (0.5, 0.0), (0.75, 1.5)]:
        tz = torch.tensor(z, requires_grad=True)
        ref = torchvision_sigmoid_focal_loss(tz, torch.tensor(y), alpha, gamma)
        ref.sum().backward()
        ours_alpha = None if alpha < 0 else alpha
        np.testing.assert_allclose(
            sigmoid_focal_loss(z, y, ours_alpha, gamma), ref.detach().numpy(), rtol=1e-10
        )
        np.testing.assert_allclose(
            sigmoid_focal_loss_grad(z, y, ours_alpha, gamma), tz.grad.numpy(), atol=1e-12
        )
