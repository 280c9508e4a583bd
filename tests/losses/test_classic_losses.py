"""Log, hinge, Huber and smooth L1 losses against scikit-learn, PyTorch and hand values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from losses.classic_losses import (
    hinge_loss,
    hinge_subgradient,
    huber_grad,
    huber_loss,
    log_loss,
    smooth_l1_loss,
)

residuals = arrays(np.float64, st.integers(1, 8), elements=st.floats(-5, 5))


def test_hand_values():
    assert log_loss(np.array([1, 0]), np.array([0.8, 0.4])) == pytest.approx(
        -(np.log(0.8) + np.log(0.6)) / 2
    )
    with np.errstate(divide="raise"):  # a true class with probability 0: inf, no warning
        assert log_loss(np.array([1]), np.array([0.0])) == np.inf
    assert log_loss(np.array([0, 1]), np.array([0.0, 1.0])) == 0
    assert hinge_loss(np.array([1, -1]), np.array([0.2, -3.0])) == pytest.approx(0.4)
    # Huber with delta = 2: d = 1 -> 0.5; d = 3 -> 2 * (3 - 1) = 4.
    assert huber_loss(np.array([1.0, -3.0]), np.zeros(2), delta=2.0) == pytest.approx(2.25)
    assert smooth_l1_loss(np.array([0.5, 2.0]), np.zeros(2)) == pytest.approx((0.125 + 1.5) / 2)


def test_log_loss_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn is the reference")
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, size=50), rng.uniform(0.01, 0.99, size=50)
    assert log_loss(y, p) == pytest.approx(metrics.log_loss(y, p))


def test_hinge_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn is the reference")
    rng = np.random.default_rng(1)
    y, s = rng.choice([-1, 1], size=50), rng.normal(scale=2, size=50)
    assert hinge_loss(y, s) == pytest.approx(metrics.hinge_loss(y, s))


def test_hinge_subgradient():
    y, s = np.array([1, 1, -1, -1, 1]), np.array([0.5, 2.0, 0.5, -2.0, 1.0])
    np.testing.assert_allclose(hinge_subgradient(y, s), np.array([-1, 0, 1, 0, 0]) / 5)
    # Away from the kink it is the gradient: compare with a numerical derivative.
    s2, h = np.array([0.3, 1.7, -0.2, -1.4]), 1e-6
    y2 = np.array([1, 1, -1, -1])
    numeric = [
        (hinge_loss(y2, s2 + h * e) - hinge_loss(y2, s2 - h * e)) / (2 * h) for e in np.eye(4)
    ]
    np.testing.assert_allclose(hinge_subgradient(y2, s2), numeric, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(residuals, st.floats(0.1, 3))
def test_smooth_l1_is_huber_divided_by_beta(d, width):
    target = np.zeros_like(d)
    assert smooth_l1_loss(d, target, beta=width) == pytest.approx(
        huber_loss(d, target, delta=width) / width
    )
    # Huber lies between the two pieces it joins: never above d^2 / 2 or delta |d|.
    per = huber_loss(d, target, "none", width)
    assert np.all(per <= 0.5 * d**2 + 1e-12)
    assert np.all(per <= width * np.abs(d) + 1e-12)


def test_huber_delta_one_is_smooth_l1_and_beta_zero_is_l1():
    d = np.linspace(-3, 3, 61)
    t = np.zeros_like(d)
    np.testing.assert_allclose(huber_loss(d, t, "none"), smooth_l1_loss(d, t, "none"))
    np.testing.assert_allclose(smooth_l1_loss(d, t, "none", beta=0.0), np.abs(d))
    assert huber_loss(d, t, "sum") == pytest.approx(huber_loss(d, t, "none").sum())


def test_huber_gradient():
    d, h = np.array([-3.0, -0.4, 0.2, 0.9, 2.5]), 1e-6
    t = np.zeros_like(d)
    numeric = [
        (huber_loss(d + h * e, t, delta=0.8) - huber_loss(d - h * e, t, delta=0.8)) / (2 * h)
        for e in np.eye(5)
    ]
    np.testing.assert_allclose(huber_grad(d, t, delta=0.8), numeric, atol=1e-8)
    assert np.max(np.abs(huber_grad(d * 100, t, delta=0.8))) == pytest.approx(0.8 / 5)
    np.testing.assert_allclose(huber_grad(d, t), np.clip(d, -1, 1) / 5)  # delta = 1 by default


def test_against_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation")
    fn = torch.nn.functional
    rng = np.random.default_rng(2)
    x, t = rng.normal(scale=2, size=40), rng.normal(size=40)
    tx, tt = torch.tensor(x, requires_grad=True), torch.tensor(t)
    for width in (0.5, 1.0, 2.0):
        ref = fn.huber_loss(tx, tt, delta=width)
        assert huber_loss(x, t, delta=width) == pytest.approx(ref.item(), rel=1e-12)
        tx.grad = None
        ref.backward()
        np.testing.assert_allclose(huber_grad(x, t, delta=width), tx.grad.numpy(), atol=1e-15)
        sl1 = fn.smooth_l1_loss(tx, tt, beta=width).item()
        assert smooth_l1_loss(x, t, beta=width) == pytest.approx(sl1, rel=1e-12)
        # PyTorch documents this relation: smooth L1 (beta) = Huber (delta = beta) / beta.
        assert sl1 == pytest.approx(ref.item() / width, rel=1e-12)
    assert smooth_l1_loss(x, t, beta=0.0) == pytest.approx(fn.l1_loss(tx, tt).item())


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: log_loss(np.array([2]), np.array([0.5])), "^y_true must contain only 0 and 1$"),
        (lambda: log_loss(np.array([1]), np.array([1.5])), r"^y_prob must lie in \[0, 1\]$"),
        (lambda: log_loss(np.array([1, 0]), np.array([0.5])), "^y_true and y_prob must have"),
        (lambda: hinge_loss(np.array([0, 1]), np.array([0.5, 0.5])), "^y_true must contain only"),
        (lambda: hinge_loss(np.array([1]), np.array([np.nan])), "^y_true and scores must be"),
        (lambda: huber_loss(np.zeros(2), np.zeros(2), delta=0.0), "^delta must be > 0"),
        (lambda: smooth_l1_loss(np.zeros(2), np.zeros(2), beta=-1.0), "^beta must be >= 0"),
        (lambda: huber_loss(np.zeros(2), np.zeros(2), reduction="avg"), "^reduction must be"),
        (lambda: huber_loss(np.zeros(0), np.zeros(0)), "^input and target must have"),
        (lambda: smooth_l1_loss(np.zeros(2), np.zeros(3)), "^input and target must have"),
        (lambda: huber_grad(np.zeros(2), np.zeros(3)), "^input and target must have"),
        (lambda: huber_grad(np.zeros(2), np.zeros(2), delta=0.0), "^delta must be > 0, got 0.0$"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_type():
    with pytest.raises(TypeError, match=r"^input and target must be arrays of real numbers$"):
        huber_loss(np.array(["a"]), np.array([1.0]))


def test_surrogates_bound_the_zero_one_loss():
    # The page says hinge and log2-scaled logistic loss pass through (0, 1) and lie above 0-1.
    for m in np.linspace(-3, 3, 61):
        zero_one = float(m <= 0)
        assert hinge_loss(np.array([1]), np.array([m])) >= zero_one
        logistic = log_loss(np.array([1]), np.array([1 / (1 + np.exp(-m))])) / np.log(2)
        assert logistic >= zero_one - 1e-12
    assert hinge_loss(np.array([1]), np.array([0.0])) == 1
    assert log_loss(np.array([1]), np.array([0.5])) / np.log(2) == pytest.approx(1)


def test_support_vectors_include_the_samples_on_the_margin():
    # The page: support vectors are the samples with y f <= 1, those exactly on the margin
    # included (on separable data they are all there), and every other sample has y f > 1.
    svm = pytest.importorskip("sklearn.svm", reason="scikit-learn's SVC is the reference")
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(size=(20, 2)) + 3, rng.normal(size=(20, 2)) - 3])
    y = np.repeat([1, -1], 20)
    model = svm.SVC(kernel="linear", C=1e6, tol=1e-8).fit(x, y)
    margins = y * model.decision_function(x)
    on_margin = np.zeros(len(y), dtype=bool)
    on_margin[model.support_] = True
    np.testing.assert_allclose(margins[on_margin], 1.0, atol=1e-4)
    assert np.all(margins[~on_margin] > 1.0)
    assert hinge_loss(y, model.decision_function(x)) < 1e-4  # yet zero hinge loss


@pytest.mark.parametrize("q", [0.1, 0.3, 0.75])
def test_expected_log_loss_is_minimised_by_the_true_probability_hinge_by_its_sign(q):
    # The page's 追问: log loss is a proper scoring rule (it rewards calibrated probabilities);
    # the expected hinge loss is minimised at f = sign(2q - 1), which says nothing about q.
    p = np.linspace(0.01, 0.99, 99)
    expected_log = [
        q * log_loss(np.array([1]), np.array([pi]))
        + (1 - q) * log_loss(np.array([0]), np.array([pi]))
        for pi in p
    ]
    assert p[np.argmin(expected_log)] == pytest.approx(q)
    f = np.linspace(-2, 2, 401)
    expected_hinge = [
        q * hinge_loss(np.array([1]), np.array([fi]))
        + (1 - q) * hinge_loss(np.array([-1]), np.array([fi]))
        for fi in f
    ]
    assert f[np.argmin(expected_hinge)] == pytest.approx(np.sign(2 * q - 1))
