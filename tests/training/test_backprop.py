"""Hand-written backprop against numerical gradients and PyTorch autograd."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from training.backprop import (
    backward,
    chain_rule_example,
    forward,
    init_params,
    loss_fn,
    numerical_gradient,
    sigmoid,
    training_memory_floats,
)


def central_difference(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def test_sigmoid_values_and_derivative_identity():
    x = np.array([-800.0, -1.0, 0.0, 2.0, 800.0])
    y = sigmoid(x)
    np.testing.assert_allclose(y, [0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-2.0)), 1.0])
    # σ'(x) = σ(x)(1 - σ(x)), checked by finite differences
    for xi in (-3.0, -0.5, 0.0, 1.7):
        s = sigmoid(xi)
        assert central_difference(sigmoid, xi) == pytest.approx(s * (1 - s), rel=1e-7)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_numerical_gradient(seed):
    rng = np.random.default_rng(seed)
    params = init_params(4, 5, 3, seed=seed)
    x, y = rng.normal(size=(7, 4)), rng.uniform(size=(7, 3))
    grads = backward(params, forward(params, x)[1], y)

    # an independent finite-difference loop, not the snippet's numerical_gradient
    for key, p in params.items():
        num = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + 1e-6
            up = loss_fn(forward(params, x)[0], y)
            p[idx] = old - 1e-6
            down = loss_fn(forward(params, x)[0], y)
            p[idx] = old
            num[idx] = (up - down) / 2e-6
        np.testing.assert_allclose(grads[key], num, rtol=1e-5, atol=1e-9)


def test_numerical_gradient_of_a_known_function():
    p = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(numerical_gradient(lambda: float(np.sum(p**3)), p), 3 * p**2)
    np.testing.assert_array_equal(p, [1.0, -2.0, 0.5])  # restored after perturbing


def test_float32_gradient_check_works_with_a_larger_eps():
    # The page: in float32 a gradient check needs eps around 1e-3 (relative error below 1e-4
    # on the page's 3-4-2 net); the float64 choice eps = 1e-6 drowns in rounding (over 1%).
    rng = np.random.default_rng(0)
    params = init_params(3, 4, 2)
    x, y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    exact = backward(params, forward(params, x)[1], y)
    p32 = {name: value.astype(np.float32) for name, value in params.items()}
    x32, y32 = x.astype(np.float32), y.astype(np.float32)

    def worst_error(eps):
        errors = []
        for name in p32:
            num = numerical_gradient(lambda: loss_fn(forward(p32, x32)[0], y32), p32[name], eps)
            errors.append(np.linalg.norm(num - exact[name]) / np.linalg.norm(exact[name]))
        return max(errors)

    assert worst_error(1e-3) < 1e-4
    assert worst_error(1e-6) > 1e-2


def test_backward_matches_torch_autograd():
    torch = pytest.importorskip("torch", reason="PyTorch is the autograd reference")
    rng = np.random.default_rng(3)
    params = init_params(3, 6, 2, seed=3)
    x, y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    grads = backward(params, forward(params, x)[1], y)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    h = torch.sigmoid(torch.tensor(x) @ tp["W1"] + tp["b1"])
    out = torch.sigmoid(h @ tp["W2"] + tp["b2"])
    loss = 0.5 * ((out - torch.tensor(y)) ** 2).sum() / len(y)
    loss.backward()
    for k in params:
        np.testing.assert_allclose(grads[k], tp[k].grad.numpy(), rtol=1e-10, atol=1e-14)


def test_chain_rule_hand_value():
    # x = 1, all weights 1, biases 0: y = σ(1), z = σ(y), dt/dw1 = z(1-z) y(1-y)
    y = 1 / (1 + np.exp(-1.0))
    z = 1 / (1 + np.exp(-y))
    t, g = chain_rule_example(1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0)
    assert t == pytest.approx(z)
    assert g == pytest.approx(z * (1 - z) * y * (1 - y))


finite = st.floats(-3, 3, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(finite, finite, finite, finite, finite, finite, finite)
def test_chain_rule_matches_finite_difference(x, w1, b1, w2, b2, w3, b3):
    _, g = chain_rule_example(x, w1, b1, w2, b2, w3, b3)
    num = central_difference(lambda w: chain_rule_example(x, w, b1, w2, b2, w3, b3)[0], w1)
    assert g == pytest.approx(num, rel=1e-5, abs=1e-9)


def test_memory_counts_match_torch_optimizer_state():
    torch = pytest.importorskip("torch", reason="PyTorch's optimizer state is the reference")
    model = torch.nn.Linear(10, 3)
    n_params = sum(p.numel() for p in model.parameters())
    for name, make in [
        ("adam", torch.optim.Adam),
        ("momentum", lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)),
        ("sgd", lambda ps: torch.optim.SGD(ps, lr=0.1)),
        ("rmsprop", torch.optim.RMSprop),
        ("adagrad", torch.optim.Adagrad),
    ]:
        opt = make(model.parameters())
        model(torch.randn(4, 10)).sum().backward()
        opt.step()
        state = sum(
            v.numel()
            for s in opt.state.values()
            for k, v in s.items()
            if torch.is_tensor(v) and k != "step"
        )
        assert training_memory_floats(n_params, 0, name)["optimizer_state"] == state, name


def test_sigmoid_of_a_boolean_mask():
    np.testing.assert_allclose(sigmoid(np.array([True, False])), [1 / (1 + np.exp(-1.0)), 0.5])


def test_init_params_by_hand():
    rng = np.random.default_rng(0)  # the default seed; weights N(0, 0.5^2), biases 0
    w1, w2 = rng.normal(0.0, 0.5, (2, 3)), rng.normal(0.0, 0.5, (3, 1))
    params = init_params(2, 3, 1)
    np.testing.assert_array_equal(params["W1"], w1)
    np.testing.assert_array_equal(params["W2"], w2)
    np.testing.assert_array_equal(params["b1"], np.zeros(3))
    np.testing.assert_array_equal(params["b2"], np.zeros(1))


def test_chain_rule_with_biases():
    y = 1 / (1 + np.exp(-(2.0 * 1.0 + 0.5)))
    z = 1 / (1 + np.exp(-(-1.5 * y - 0.3)))
    t, _ = chain_rule_example(1.0, 2.0, 0.5, -1.5, -0.3, 0.7, 2.0)
    assert t == pytest.approx(0.7 * z + 2.0)


def test_memory_counts_by_hand():
    assert training_memory_floats(10, 5) == {  # adam by default: two states per parameter
        "weights": 10,
        "gradients": 10,
        "optimizer_state": 20,
        "activations": 5,
    }
    assert training_memory_floats(0, 0, "sgd") == dict.fromkeys(
        ["weights", "gradients", "optimizer_state", "activations"], 0
    )
    for n_params, activations in [(-1, 5), (5, -1)]:
        with pytest.raises(
            ValueError, match=r"^n_params and activation_floats must be non-negative$"
        ):
            training_memory_floats(n_params, activations)


def test_messages_name_the_argument():
    params = init_params(2, 3, 1)
    with pytest.raises(ValueError, match=r"^x must be 2-D"):
        forward(params, np.ones(2))
    with pytest.raises(ValueError, match=r"^x must have 2 columns, got 3$"):
        forward(params, np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"^y must be 2-D"):
        backward(params, forward(params, np.ones((4, 2)))[1], np.ones(4))
    for sizes, name in [((0, 3, 1), "n_in"), ((2, 0, 1), "n_hidden"), ((2, 3, 0), "n_out")]:
        with pytest.raises(ValueError, match=f"^{name} must be a positive int, got 0$"):
            init_params(*sizes)


def test_forward_cache_holds_the_activations():
    params = init_params(2, 3, 1)
    y_hat, cache = forward(params, np.ones((4, 2)))
    assert cache["h"].shape == (4, 3)
    assert cache["y_hat"] is y_hat


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: forward(init_params(2, 3, 1), np.ones(2)), "x"),
        (lambda: forward(init_params(2, 3, 1), np.ones((1, 3))), "x"),
        (lambda: forward(init_params(2, 3, 1), np.array([[np.nan, 1.0]])), "x"),
        (
            lambda: backward(
                init_params(2, 3, 1),
                forward(init_params(2, 3, 1), np.ones((4, 2)))[1],
                np.ones((4, 2)),
            ),
            "y",
        ),
        (lambda: init_params(0, 3, 1), "n_in"),
        (lambda: numerical_gradient(lambda: 0.0, np.ones(2), eps=0.0), "eps"),
        (lambda: training_memory_floats(10, 5, "lbfgs"), "optimizer"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()
