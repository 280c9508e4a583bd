"""The numpy MLP against numerical gradients, scipy, hand-computed cases and PyTorch."""

import re

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from mnist import mlp
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


def test_whiteboard_shifts_every_row_by_its_own_max():
    # Logits of one row are ~1e5 times larger than the others': exp would overflow for it, or
    # underflow to 0 for all the others, unless each row is shifted by its own maximum.
    params, x, labels = tiny_problem(0)
    x[0] *= 1e5
    loss, grads = loss_and_grads(params, x, labels)
    wb_loss, wb_grads = loss_and_grads_whiteboard(*params, x, labels)
    assert np.isfinite(loss)
    assert wb_loss == pytest.approx(loss, rel=1e-12)
    for ours, full in zip(wb_grads, grads, strict=True):
        np.testing.assert_allclose(ours, full, rtol=1e-12, atol=1e-15)


def test_relu_passes_no_gradient_at_exactly_zero():
    # A blank input with zero first-layer biases puts every first-layer unit at z = 0, and a
    # zero bias puts second-layer unit 0 there too: ReLU'(0) = 0 in both, as in PyTorch.
    params, x, labels = tiny_problem(0)
    x[0] = 0
    params[1][:] = 0
    params[3][:] = [0, 0.5, 0.5, 0.5]
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
    assert grad.dtype == np.float32  # dividing by N keeps float32 gradients float32


def test_he_init_statistics():
    params = init_mlp((1000, 800, 10), seed=0)
    assert all(p.dtype == np.float32 for p in params)
    assert params[0].shape == (1000, 800)
    assert params[1].shape == (800,)
    assert params[0].std() == pytest.approx(np.sqrt(2 / 1000), rel=0.01)
    assert params[2].std() == pytest.approx(np.sqrt(2 / 800), rel=0.05)
    assert abs(params[0].mean()) < 1e-3
    assert not params[1].any()


def test_init_accepts_one_layer_and_layers_of_width_one():
    assert [p.shape for p in init_mlp((3, 2))] == [(3, 2), (2,)]  # softmax regression
    assert [p.shape for p in init_mlp((2, 1, 2))] == [(2, 1), (1,), (1, 2), (2,)]


def test_init_seed_defaults_to_zero():
    default = init_mlp((5, 4))
    assert all(np.array_equal(a, b) for a, b in zip(default, init_mlp((5, 4), seed=0), strict=True))
    assert not np.array_equal(default[0], init_mlp((5, 4), seed=1)[0])


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


def test_adam_default_learning_rate_is_1e_3():
    p = np.array([1.0, 1.0])
    Adam([p]).step([np.array([5.0, -0.01])])
    np.testing.assert_allclose(p, [1 - 1e-3, 1 + 1e-3])


def test_adam_accepts_betas_of_zero():
    # beta1 = beta2 = 0: m = g and v = g^2, so every step moves by lr * sign(g).
    p = np.array([1.0, -1.0])
    optimizer = Adam([p], lr=0.1, betas=(0.0, 0.0), eps=1e-12)
    optimizer.step([np.array([2.0, -3.0])])
    optimizer.step([np.array([4.0, -1.0])])
    np.testing.assert_allclose(p, [0.8, -0.8])


@pytest.mark.parametrize(
    "options",
    [
        {"lr": 0.0},
        {"betas": (1.0, 0.999)},
        {"betas": (-0.1, 0.999)},
        {"betas": (0.9, 1.0)},
        {"betas": (0.9, -0.1)},
        {"eps": 0.0},
    ],
)
def test_adam_rejects_bad_hyperparameters(options):
    with pytest.raises(ValueError, match=re.escape("need lr > 0, betas in [0, 1), eps > 0")):
        Adam([np.zeros(2)], **options)


@pytest.mark.parametrize("count", [1, 3])
def test_adam_step_needs_one_gradient_per_parameter_and_changes_nothing_otherwise(count):
    params = [np.zeros(2), np.zeros(3)]
    optimizer = Adam(params)
    with pytest.raises(ValueError, match=rf"^grads: expected 2 arrays, got {count}$"):
        optimizer.step([np.ones(2), np.ones(3), np.ones(1)][:count])
    assert optimizer.t == 0
    assert all(not p.any() for p in params)


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


def small_data(n: int, n_classes: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 5), dtype=np.float32), rng.integers(0, n_classes, n)


def recorded_learning_rates(monkeypatch, *args, **kwargs) -> list[float]:
    """The learning rate of every optimizer step of train_mlp(*args, **kwargs)."""
    rates = []

    class RecordingAdam(Adam):
        def step(self, grads):
            rates.append(self.lr)
            super().step(grads)

    monkeypatch.setattr(mlp, "Adam", RecordingAdam)
    train_mlp(*args, **kwargs)
    return rates


def test_learning_rate_follows_a_cosine_from_lr_to_zero(monkeypatch):
    x, y = small_data(10)
    rates = recorded_learning_rates(monkeypatch, x, y, hidden=(4,), epochs=2, batch_size=3, lr=0.01)
    # 10 examples in batches of 3: 4 steps per epoch (the last one with 1 example), 8 in all.
    np.testing.assert_allclose(rates, 0.01 * 0.5 * (1 + np.cos(np.pi * np.arange(8) / 8)))


def test_default_training_is_5_epochs_of_batches_of_128_at_lr_1e_3(monkeypatch):
    x, y = small_data(129)
    rates = recorded_learning_rates(monkeypatch, x, y, hidden=(4,))
    assert len(rates) == 5 * 2  # 129 examples: a batch of 128 and a batch of 1 per epoch
    assert rates[0] == pytest.approx(1e-3)


def test_training_starts_from_init_mlp_with_the_seed():
    x, y = small_data(8)
    params, _ = train_mlp(x, y, hidden=(4,), epochs=1, batch_size=8, seed=7)
    # A single Adam step moves every weight by at most lr = 1e-3.
    start = init_mlp((5, 4, 10), seed=7)
    assert max(np.abs(p - q).max() for p, q in zip(params, start, strict=True)) < 1.001e-3


def test_parameters_take_the_dtype_of_x():
    x, y = small_data(8)
    params, _ = train_mlp(x.astype(np.float64), y, hidden=(4,), epochs=1)
    assert all(p.dtype == np.float64 for p in params)


def test_two_classes_and_batches_of_one_are_allowed():
    x, y = small_data(6, n_classes=2)
    params, history = train_mlp(x, y, n_classes=2, hidden=(4,), epochs=1, batch_size=1)
    assert params[-1].shape == (2,)
    assert len(history) == 1


def test_on_epoch_end_gets_the_parameters_after_every_epoch():
    x, y = small_data(40)
    accuracies = []

    def record(params):
        accuracies.append((predict(params, x) == y).mean())

    params, _ = train_mlp(x, y, hidden=(8,), epochs=3, batch_size=8, on_epoch_end=record)
    assert len(accuracies) == 3
    assert accuracies[-1] == (predict(params, x) == y).mean()


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
    empty = predict(params, np.zeros((0, 784), dtype=np.float32))
    assert empty.shape == (0,)
    assert empty.dtype == predict(params, np.zeros((2, 784), dtype=np.float32)).dtype  # ints


def test_forward_applies_relu_to_every_hidden_layer_but_not_the_logits():
    params = init_mlp((6, 5, 5, 5, 3), seed=0, dtype=np.float64)  # three hidden layers
    x = np.random.default_rng(0).standard_normal((8, 6))
    h = x
    for layer in range(3):
        h = np.maximum(h @ params[2 * layer] + params[2 * layer + 1], 0)
    expected = h @ params[6] + params[7]
    assert (expected < 0).any()  # logits are not clipped at 0
    np.testing.assert_allclose(forward(params, x)[0], expected, rtol=1e-12)


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
    with pytest.raises(ValueError, match="N > 0"):
        train_mlp(np.zeros((0, 4), dtype=np.float32), np.zeros(0, dtype=np.int64))
    with pytest.raises(ValueError, match=r"labels must be integers in 0\.\.2$"):
        train_mlp(np.zeros((2, 4), dtype=np.float32), np.array([0, 3]), n_classes=3)
    with pytest.raises(ValueError, match="lr > 0"):
        train_mlp(np.zeros((2, 4), dtype=np.float32), np.array([0, 1]), lr=0.0)
    with pytest.raises(ValueError, match="labels"):
        train_mlp(np.zeros((2, 4), dtype=np.float32), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="n_classes"):
        train_mlp(np.zeros((2, 4), dtype=np.float32), np.array([0, 0]), n_classes=1)
    with pytest.raises(ValueError, match="lr"):
        Adam([np.zeros(2)], lr=0.0)
