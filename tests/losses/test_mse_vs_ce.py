"""MSE vs CE on a sigmoid: gradients and curvature against numerical derivatives."""

import numpy as np
import pytest
from losses.mse_vs_ce import (
    ce_grad,
    ce_loss,
    mse_curvature,
    mse_grad,
    mse_loss,
    train_neuron,
)

Z = np.linspace(-10, 10, 201)
H = 1e-5


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_gradients_match_numerical(y):
    for loss, grad in ((mse_loss, mse_grad), (ce_loss, ce_grad)):
        numeric = (loss(Z + H, y) - loss(Z - H, y)) / (2 * H)
        np.testing.assert_allclose(grad(Z, y), numeric, atol=1e-9)


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_curvature_matches_numerical(y):
    numeric = (mse_grad(Z + H, y) - mse_grad(Z - H, y)) / (2 * H)
    np.testing.assert_allclose(mse_curvature(Z, y), numeric, atol=1e-9)


def test_mse_is_concave_exactly_where_sigmoid_below_one_third():
    # For y = 1 the second derivative is a (1 - a)^2 (3a - 1): negative iff a < 1/3.
    a = 1 / (1 + np.exp(-Z))
    np.testing.assert_allclose(mse_curvature(Z, 1.0), a * (1 - a) ** 2 * (3 * a - 1), atol=1e-15)
    assert np.all((mse_curvature(Z, 1.0) < 0) == (a < 1 / 3))


def test_ce_is_convex_and_mse_is_not_along_w():
    # Data x = (1, -2, 0.5), labels (1, 0, 1); loss as a function of the single weight w.
    x, y = np.array([1.0, -2.0, 0.5]), np.array([1.0, 0.0, 1.0])
    w = np.linspace(-8, 8, 801)
    z = w[:, None] * x
    ce = ce_loss(z, y).mean(axis=1)
    mse = mse_loss(z, y).mean(axis=1)
    assert np.all(np.diff(ce, 2) > -1e-12)  # second differences of a convex function
    assert np.any(np.diff(mse, 2) < -1e-6)


def test_saturated_wrong_prediction():
    z = np.array(-8.0)
    a = 1 / (1 + np.exp(8.0))
    assert mse_grad(z, 1.0) == pytest.approx((a - 1) * a * (1 - a))
    assert abs(mse_grad(z, 1.0)) < 1e-3
    assert ce_grad(z, 1.0) == pytest.approx(a - 1)
    assert abs(ce_grad(z, 1.0)) > 0.99


def test_training_from_a_wrong_start():
    w_ce = train_neuron("ce", -6.0, x=1.0, y=1.0, lr=1.0, steps=20)
    w_mse = train_neuron("mse", -6.0, x=1.0, y=1.0, lr=1.0, steps=20)
    assert w_ce.shape == w_mse.shape == (20,)
    assert w_ce[-1] > 2  # a = sigmoid(w) > 0.88
    assert w_mse[-1] < -5.9  # barely moved
    assert np.all(np.diff(w_ce) > 0)
    assert np.all(np.diff(w_mse) > 0)
    assert train_neuron("ce", -6.0, x=1.0, y=1.0, lr=1.0, steps=0).shape == (0,)


def test_training_step_uses_the_chain_rule_through_x():
    # z = w x, so one step is w - lr * dL/dz * x; x = 2 tells w x from w / x and * x from / x.
    w0, x, lr = 0.5, 2.0, 0.3
    a = 1 / (1 + np.exp(-w0 * x))
    (w_ce,) = train_neuron("ce", w0, x=x, y=1.0, lr=lr, steps=1)
    (w_mse,) = train_neuron("mse", w0, x=x, y=1.0, lr=lr, steps=1)
    assert w_ce == pytest.approx(w0 - lr * (a - 1) * x)
    assert w_mse == pytest.approx(w0 - lr * (a - 1) * a * (1 - a) * x)


def test_float32_logits_are_computed_in_float64():
    z32 = np.array([0.1, -3.7], dtype=np.float32)
    z64 = z32.astype(np.float64)
    for fn in (mse_loss, mse_grad, ce_loss, ce_grad, mse_curvature):
        np.testing.assert_array_equal(fn(z32, 1.0), fn(z64, 1.0))


def test_bad_input():
    with pytest.raises(ValueError, match=r"^y must lie in \[0, 1\]$"):
        mse_loss(np.zeros(2), np.array([0.0, 1.5]))
    with pytest.raises(ValueError, match=r"^z must be finite$"):
        ce_grad(np.array([np.inf]), np.array([1.0]))
    with pytest.raises(ValueError, match="loss"):
        train_neuron("hinge", 0.0, 1.0, 1.0, 0.1, 3)
    with pytest.raises(ValueError, match="steps"):
        train_neuron("ce", 0.0, 1.0, 1.0, 0.1, -1)
