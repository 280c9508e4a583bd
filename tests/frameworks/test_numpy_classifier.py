"""The numpy classifiers: analytic gradients against numerical ones, loss against scikit-learn."""

import numpy as np
import pytest
from frameworks.numpy_classifier import (
    init_params,
    loss_and_grads,
    make_spiral,
    predict,
    softmax_ce,
    softmax_cross_entropy,
    softmax_loss,
    train,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss

from tests.gradcheck import numerical_gradient


@pytest.mark.parametrize("sizes", [[2, 3], [2, 7, 3], [4, 5, 2]])
@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_gradients_match_numerical(sizes, reg):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(13, sizes[0]))
    y = rng.integers(0, sizes[-1], size=13)
    params = init_params(sizes, seed=1)
    for k in params:  # nonzero biases, so that their gradient is tested at a generic point
        params[k] += rng.normal(scale=0.1, size=params[k].shape)
    _, grads = loss_and_grads(params, X, y, reg)
    for k in params:
        num = numerical_gradient(lambda: loss_and_grads(params, X, y, reg)[0], params[k])
        np.testing.assert_allclose(grads[k], num, rtol=1e-5, atol=1e-7)


def test_loss_matches_sklearn_log_loss():
    rng = np.random.default_rng(2)
    scores = rng.normal(scale=3, size=(20, 4))
    y = rng.integers(0, 4, size=20)
    loss, _ = softmax_cross_entropy(scores, y)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(log_loss(y, probs, labels=range(4)), rel=1e-10)


def test_loss_is_stable_for_huge_scores():
    scores = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    loss, grad = softmax_cross_entropy(scores, np.array([0, 0]))
    assert loss == pytest.approx(500.0)  # (0 + 1000) / 2
    assert np.isfinite(grad).all()


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(2, 5), st.floats(0.1, 30.0), st.integers(0, 2**16))
def test_whiteboard_matches_full_version(n, k, scale, seed):
    rng = np.random.default_rng(seed)
    scores, y = scale * rng.standard_normal((n, k)), rng.integers(0, k, n)
    loss, dscores = softmax_ce(scores, y)
    full_loss, full_dscores = softmax_cross_entropy(scores, y)
    assert np.isclose(loss, full_loss, rtol=1e-10)
    np.testing.assert_allclose(dscores, full_dscores, rtol=1e-10, atol=1e-15)


def test_whiteboard_log_of_an_underflowed_probability_is_inf():
    # The page: the whiteboard takes log(p); the full version's log-softmax stays finite.
    scores, y = np.array([[0.0, 800.0]]), np.array([0])
    with np.errstate(divide="ignore"):
        assert softmax_ce(scores, y)[0] == np.inf
    assert softmax_cross_entropy(scores, y)[0] == pytest.approx(800.0)


def test_initial_loss_is_log_k_for_zero_weights():
    X, y = make_spiral(n_per_class=20, n_classes=5)
    W, b = np.zeros((2, 5)), np.zeros(5)
    loss, _, _ = softmax_loss(W, b, X, y, reg=0.0)
    assert loss == pytest.approx(np.log(5))


def test_training_separates_the_spiral_only_with_a_hidden_layer():
    X, y = make_spiral()
    linear, _ = train(init_params([2, 3]), X, y, steps=300)
    net, history = train(init_params([2, 100, 3]), X, y, steps=1000)
    assert (predict(linear, X) == y).mean() < 0.7
    assert (predict(net, X) == y).mean() > 0.95
    assert history[-1] < 0.5 * history[0]


def test_spiral_shapes_and_labels():
    X, y = make_spiral(n_per_class=10, n_classes=4)
    assert X.shape == (40, 2)
    assert np.bincount(y).tolist() == [10] * 4
    assert np.all(np.linalg.norm(X, axis=1) <= 1 + 1e-12)


def test_bad_input():
    X, y = make_spiral(n_per_class=5)
    params = init_params([2, 3])
    with pytest.raises(ValueError, match="y must hold class indices"):
        loss_and_grads(params, X, y + 3, 0.0)
    with pytest.raises(ValueError, match="X must be"):
        loss_and_grads(params, X, y[:-1], 0.0)
    with pytest.raises(ValueError, match="sizes must be"):
        init_params([2])
    with pytest.raises(ValueError, match="lr must be"):
        train(params, X, y, lr=0.0)
    with pytest.raises(ValueError, match="n_per_class"):
        make_spiral(n_classes=1)


def test_both_versions_subtract_the_max_of_each_row():
    # One row's max (1000) would push the other row's exp to 0/0; each row's own max does not.
    scores, y = np.array([[1000.0, 0.0], [0.0, 1.0]]), np.array([0, 1])
    loss, dscores = softmax_ce(scores, y)
    full_loss, full_dscores = softmax_cross_entropy(scores, y)
    assert loss == pytest.approx(full_loss)
    assert loss == pytest.approx(np.log1p(np.exp(-1.0)) / 2)
    np.testing.assert_allclose(dscores, full_dscores)


def test_predict_adds_the_output_bias():
    params = init_params([2, 4, 3])
    params["W2"][:] = 0.0
    params["b2"] = np.array([0.0, 5.0, -5.0])
    assert predict(params, make_spiral(n_per_class=5)[0]).tolist() == [1] * 15


def test_train_defaults_and_single_step():
    X, y = make_spiral(n_per_class=10)
    params = init_params([2, 3])
    trained, history = train(params, X, y)
    assert history.shape == (1000,)
    same, same_history = train(params, X, y, lr=1.0, reg=1e-3, steps=1000)
    np.testing.assert_array_equal(history, same_history)
    np.testing.assert_array_equal(trained["W1"], same["W1"])
    _, one = train(params, X, y, steps=1)
    assert one.tolist() == [loss_and_grads(params, X, y, 1e-3)[0]]
    with pytest.raises(ValueError, match="steps >= 1"):
        train(params, X, y, steps=0)


def spiral_angle_noise(X, y):
    """Angle of each point minus its arm's 4k + 4r, wrapped to [-pi, pi); the origin dropped."""
    r = np.linalg.norm(X, axis=1)
    keep = r > 0
    angle = np.arctan2(X[:, 0], X[:, 1])  # X = (r sin theta, r cos theta)
    offset = angle - 4.0 * y - 4.0 * r
    return (offset[keep] + np.pi) % (2 * np.pi) - np.pi


def test_spiral_arms_are_4k_plus_4r_and_noise_is_their_angle_spread():
    X, y = make_spiral(n_per_class=50, n_classes=4, noise=0.0)
    np.testing.assert_allclose(spiral_angle_noise(X, y), 0.0, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), np.tile(np.linspace(0, 1, 50), 4))
    X, y = make_spiral()  # defaults: 3 arms of 100 points, angle noise 0.2
    assert X.shape == (300, 2)
    assert np.bincount(y).tolist() == [100] * 3
    noise = spiral_angle_noise(X, y)
    assert abs(noise.mean()) < 0.05
    assert 0.17 < noise.std() < 0.23


def test_spiral_is_reproducible_by_seed():
    np.testing.assert_array_equal(make_spiral()[0], make_spiral(seed=0)[0])
    np.testing.assert_array_equal(make_spiral(seed=3)[0], make_spiral(seed=3)[0])
    assert not np.allclose(make_spiral(seed=3)[0], make_spiral(seed=4)[0])


def test_spiral_smallest_sizes():
    X, y = make_spiral(n_per_class=1, n_classes=2)
    assert X.shape == (2, 2)
    assert y.tolist() == [0, 1]
    for kwargs in ({"n_per_class": 0}, {"n_classes": 1}):
        with pytest.raises(ValueError, match=r"^n_per_class must be >= 1 and n_classes >= 2$"):
            make_spiral(**kwargs)


def test_label_equal_to_the_number_of_classes_is_rejected():
    X, y = make_spiral(n_per_class=5)
    params = init_params([2, 3])
    for bad in (3, -1):
        y_bad = y.copy()
        y_bad[0] = bad
        with pytest.raises(ValueError, match=r"^y must hold class indices in \[0, 3\)"):
            loss_and_grads(params, X, y_bad, 0.0)


def test_init_params_is_he_scaled_and_seeded():
    params = init_params([200, 300, 50])
    assert params["W1"].std() == pytest.approx(np.sqrt(2 / 200), rel=0.02)
    assert params["W2"].std() == pytest.approx(np.sqrt(2 / 300), rel=0.02)
    assert not params["b1"].any()
    assert not params["b2"].any()
    np.testing.assert_array_equal(init_params([2, 3])["W1"], init_params([2, 3], seed=0)["W1"])
    np.testing.assert_array_equal(
        init_params([2, 3], seed=5)["W1"], init_params([2, 3], seed=5)["W1"]
    )
