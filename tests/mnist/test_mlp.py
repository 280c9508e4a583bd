"""The numpy MLP against numerical gradients, scipy, hand-computed cases and PyTorch."""

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from mnist.idx import load_subset
from mnist.mlp import (
    Adam,
    forward,
    init_mlp,
    log_softmax,
    loss_and_grads,
    loss_and_grads_whiteboard,
    predict,
    preprocess,
    softmax_cross_entropy,
    train_mlp,
)
from threadpoolctl import threadpool_limits

from tests.gradcheck import numerical_gradient


@pytest.fixture(autouse=True)
def one_blas_thread():
    """Small matrices gain nothing from threads, and lose a lot when the cores are shared."""
    with threadpool_limits(limits=1):
        yield


def tiny_problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    params = init_mlp((6, 5, 4, 3), seed=seed, dtype=np.float64)
    params = [p + 0.1 * rng.standard_normal(p.shape) for p in params]  # non-zero biases too
    x = rng.standard_normal((8, 6))
    labels = rng.integers(0, 3, size=8)
    return params, x, labels


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backprop_matches_numerical_gradient(seed: int):
    params, x, labels = tiny_problem(seed)
    # Central differences are exact up to O(h^2) only away from the ReLU kink.
    h = x
    for layer in range(len(params) // 2 - 1):
        z = h @ params[2 * layer] + params[2 * layer + 1]
        assert np.abs(z).min() > 1e-4
        h = np.maximum(z, 0)
    _, grads = loss_and_grads(params, x, labels)
    numeric_grads = [
        numerical_gradient(lambda: loss_and_grads(params, x, labels)[0], p) for p in params
    ]
    for analytic, numeric in zip(grads, numeric_grads, strict=True):
        assert analytic.shape == numeric.shape
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_whiteboard_matches_loss_and_grads(seed: int):
    params, x, labels = tiny_problem(seed)
    loss, grads = loss_and_grads(params, x, labels)
    wb_loss, wb_grads = loss_and_grads_whiteboard(*params, x, labels)
    assert wb_loss == pytest.approx(loss, rel=1e-12)
    for ours, full in zip(wb_grads, grads, strict=True):
        np.testing.assert_allclose(ours, full, rtol=1e-12, atol=1e-15)


def test_cross_entropy_gradient_is_p_minus_y_over_n():
    logits = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    labels = np.array([0, 2])
    loss, grad = softmax_cross_entropy(logits, labels)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.eye(3)[labels]
    np.testing.assert_allclose(grad, (p - y) / 2)
    assert loss == pytest.approx(-(np.log(p[0, 0]) + np.log(1 / 3)) / 2)
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-15)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (3, 5), elements=st.floats(-1e4, 1e4)))
def test_log_softmax_matches_scipy_and_never_overflows(logits):
    got = log_softmax(logits)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, scipy.special.log_softmax(logits, axis=1), atol=1e-9)
    np.testing.assert_allclose(np.exp(got).sum(axis=1), 1)


def test_log_softmax_extreme_logits_in_float32():
    logits = np.array([[1000.0, 0.0, -1000.0]], dtype=np.float32)
    got = log_softmax(logits)
    assert got.dtype == np.float32
    assert got[0, 0] == 0
    assert got[0, 1] == -1000
    assert got[0, 2] == -2000
    loss, grad = softmax_cross_entropy(logits, np.array([2]))
    assert loss == pytest.approx(2000)
    assert np.isfinite(grad).all()


def test_he_init_statistics():
    params = init_mlp((1000, 800, 10), seed=0)
    assert all(p.dtype == np.float32 for p in params)
    assert params[0].shape == (1000, 800)
    assert params[1].shape == (800,)
    assert params[0].std() == pytest.approx(np.sqrt(2 / 1000), rel=0.01)
    assert params[2].std() == pytest.approx(np.sqrt(2 / 800), rel=0.05)
    assert abs(params[0].mean()) < 1e-3
    assert not params[1].any()


def test_he_init_keeps_relu_activations_from_shrinking_or_growing():
    # E[h^2] stays about E[x^2] through 20 ReLU layers with std sqrt(2 / fan_in) ...
    x = np.random.default_rng(1).standard_normal((2000, 256))
    sizes = [256] * 21
    params = init_mlp(sizes, seed=0, dtype=np.float64)
    h = x
    for layer in range(20):
        h = np.maximum(h @ params[2 * layer] + params[2 * layer + 1], 0)
    assert 0.3 < np.mean(h**2) / np.mean(x**2) < 3
    # ... while std sqrt(1 / fan_in) halves it at every layer: 2^-20 after 20 layers.
    h = x
    for layer in range(20):
        h = np.maximum(h @ (params[2 * layer] / np.sqrt(2)), 0)
    assert np.mean(h**2) / np.mean(x**2) < 1e-4


def test_adam_first_step_moves_by_lr_times_sign():
    # After one step m_hat = g and v_hat = g^2: the update is lr * g / (|g| + eps).
    p = np.array([1.0, -2.0, 3.0])
    g = np.array([0.5, -1e-3, 40.0])
    optimizer = Adam([p], lr=0.1, eps=1e-12)
    optimizer.step([g])
    np.testing.assert_allclose(p, [0.9, -1.9, 2.9])


def test_adam_by_hand_two_steps():
    p = np.array([0.0])
    optimizer = Adam([p], lr=1.0, betas=(0.5, 0.5), eps=0.0 + 1e-300)
    optimizer.step([np.array([1.0])])
    optimizer.step([np.array([3.0])])
    # m = 0.5 * 0.5 + 0.5 * 3 = 1.75, v = 0.5 * 0.5 + 0.5 * 9 = 4.75, both over 1 - 0.25
    m_hat, v_hat = 1.75 / 0.75, 4.75 / 0.75
    assert p[0] == pytest.approx(-1.0 - m_hat / np.sqrt(v_hat))


def test_adam_converges_on_a_quadratic():
    p = np.array([3.0, -4.0])
    optimizer = Adam([p], lr=0.05)
    for _ in range(2000):
        optimizer.step([2 * (p - np.array([1.0, 2.0]))])
    np.testing.assert_allclose(p, [1.0, 2.0], atol=1e-3)


def test_matches_pytorch_loss_gradients_and_adam():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for autograd and Adam")
    params, x, labels = tiny_problem(3)
    tensors = [torch.tensor(p, requires_grad=True) for p in params]

    def torch_loss():
        h = torch.tensor(x)
        for layer in range(len(tensors) // 2):
            h = h @ tensors[2 * layer] + tensors[2 * layer + 1]
            if layer < len(tensors) // 2 - 1:
                h = torch.relu(h)
        return torch.nn.functional.cross_entropy(h, torch.tensor(labels))

    reference = torch.optim.Adam(tensors, lr=0.01)
    mine = Adam(params, lr=0.01)
    for _ in range(5):
        reference.zero_grad()
        expected = torch_loss()
        expected.backward()
        loss, grads = loss_and_grads(params, x, labels)
        assert loss == pytest.approx(expected.item(), rel=1e-12)
        for g, t in zip(grads, tensors, strict=True):
            np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-10, atol=1e-14)
        reference.step()
        mine.step(grads)
        for p, t in zip(params, tensors, strict=True):
            np.testing.assert_allclose(p, t.detach().numpy(), rtol=1e-10, atol=1e-14)


def test_training_on_the_real_subset_learns_and_is_reproducible():
    images, labels = load_subset()
    x = preprocess(images)
    x_train, y_train, x_test, y_test = x[:2000], labels[:2000], x[4000:], labels[4000:]
    params, history = train_mlp(x_train, y_train, hidden=(64,), epochs=4, batch_size=32, seed=0)
    again, history_again = train_mlp(x_train, y_train, hidden=(64,), epochs=4, batch_size=32)
    assert history == history_again
    assert all(np.array_equal(a, b) for a, b in zip(params, again, strict=True))
    assert all(p.dtype == np.float32 for p in params)
    assert history[-1] < history[0] / 3
    assert (predict(params, x_test) == y_test).mean() > 0.8  # chance level is 0.1


def test_output_layer_has_ten_classes_even_if_the_subset_lacks_some():
    images, labels = load_subset()
    keep = labels[:600] != 9  # a training subset with no 9s
    x, y = preprocess(images[:600][keep]), labels[:600][keep]
    assert y.max() == 8
    params, _ = train_mlp(x, y, hidden=(8,), epochs=1, batch_size=64)
    assert params[-1].shape == (10,)
    assert forward(params, x[:3])[0].shape == (3, 10)
    params, _ = train_mlp(x, y % 3, n_classes=3, hidden=(8,), epochs=1, batch_size=64)
    assert params[-1].shape == (3,)


def test_forward_shapes_and_predict_edge_cases():
    params = init_mlp((784, 16, 10))
    logits, inputs = forward(params, np.zeros((3, 784), dtype=np.float32))
    assert logits.shape == (3, 10)
    assert [h.shape for h in inputs] == [(3, 784), (3, 16)]
    assert predict(params, np.zeros((0, 784), dtype=np.float32)).shape == (0,)


def test_preprocess_scales_to_unit_interval():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    x = preprocess(images)
    assert x.dtype == np.float32
    assert x.shape == (1, 4)
    np.testing.assert_allclose(x, [[0, 1, 0.2, 0.4]])


def test_bad_input_raises():
    with pytest.raises(ValueError, match="sizes"):
        init_mlp((784,))
    with pytest.raises(ValueError, match="sizes"):
        init_mlp((784, 0, 10))
    with pytest.raises(ValueError, match="images"):
        preprocess(np.zeros((2, 28, 28), dtype=np.float32))
    with pytest.raises(ValueError, match="labels"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="x must be"):
        train_mlp(np.zeros((3, 4), dtype=np.float32), np.array([0, 1]))
    with pytest.raises(ValueError, match="epochs"):
        train_mlp(np.zeros((2, 4), dtype=np.float32), np.array([0, 1]), epochs=0)
    with pytest.raises(ValueError, match="labels"):
        train_mlp(np.zeros((2, 4), dtype=np.float32), np.array([0, 3]), n_classes=3)
    with pytest.raises(ValueError, match="labels"):
        train_mlp(np.zeros((2, 4), dtype=np.float32), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="n_classes"):
        train_mlp(np.zeros((2, 4), dtype=np.float32), np.array([0, 0]), n_classes=1)
    with pytest.raises(ValueError, match="lr"):
        Adam([np.zeros(2)], lr=0.0)
