"""Activations and derivatives against hand values, numerical gradients and PyTorch."""

import math

import numpy as np
import pytest
from activations.functions import (
    ACTIVATIONS,
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    hardsigmoid,
    hardswish,
    hardswish_grad,
    leaky_relu,
    leaky_relu_grad,
    log_softmax,
    relu,
    relu6,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_jacobian,
    swish,
    swish_grad,
    tanh,
    tanh_grad,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

finite = st.floats(-30, 30, allow_nan=False)


def numerical_derivative(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    return (f(x + h) - f(x - h)) / (2 * h)


def test_hand_values():
    assert sigmoid(np.array(0.0)) == 0.5
    assert sigmoid(np.array(np.log(3.0))) == pytest.approx(0.75)
    assert sigmoid_grad(np.array(0.0)) == 0.25
    assert tanh_grad(np.array(0.0)) == 1.0
    assert relu(np.array([-2.0, 0.0, 3.0])).tolist() == [0.0, 0.0, 3.0]
    assert leaky_relu(np.array([-2.0, 3.0]), 0.1).tolist() == [-0.2, 3.0]
    assert elu(np.array(-np.inf)) == -1.0
    assert gelu(np.array(0.0)) == 0.0
    assert swish(np.array(0.0)) == 0.0
    assert swish_grad(np.array(0.0)) == 0.5  # sigma(0) + 0
    assert softmax(np.array([0.0, np.log(3.0)])).tolist() == pytest.approx([0.25, 0.75])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_matches_numerical_gradient(name):
    f, df = ACTIVATIONS[name]
    # Avoid the kinks of ReLU / Leaky ReLU at 0 (there the derivative is a convention).
    x = np.concatenate([np.linspace(-6, -0.01, 50), np.linspace(0.01, 6, 50)])
    np.testing.assert_allclose(df(x), numerical_derivative(f, x), atol=1e-6)


def test_kink_conventions_match_pytorch():
    # At x = 0 PyTorch uses 0 for ReLU and the negative slope for Leaky ReLU.
    assert relu_grad(np.array(0.0)) == 0.0
    assert leaky_relu_grad(np.array(0.0), 0.2) == 0.2
    assert elu_grad(np.array(0.0), alpha=2.0) == 2.0


def test_sigmoid_and_tanh_identities():
    x = np.linspace(-10, 10, 101)
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), atol=1e-15)
    np.testing.assert_allclose(tanh(x), 2 * sigmoid(2 * x) - 1, atol=1e-12)
    np.testing.assert_allclose(sigmoid_grad(x), sigmoid(x) * sigmoid(-x), atol=1e-15)
    assert sigmoid_grad(x).max() <= 0.25


def test_sigmoid_is_stable_for_huge_inputs():
    x = np.array([-1e4, -745.0, 745.0, 1e4])
    with np.errstate(over="raise", invalid="raise"):  # overflow would raise
        s = sigmoid(x)
    assert s.tolist() == [0.0, pytest.approx(0.0), 1.0, 1.0]
    # The naive formula overflows in exp(-x) for x = -1e4.
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        _ = 1 / (1 + np.exp(-x))


def test_softmax_and_log_softmax_are_stable():
    x = np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s, ls = softmax(x), log_softmax(x)
    e = math.exp(-1)
    np.testing.assert_allclose(s[0], [1 / (1 + e), e / (1 + e), 0.0], atol=1e-15)
    np.testing.assert_allclose(s[1], [1 / 3] * 3)
    np.testing.assert_allclose(ls[0, :2], [-math.log1p(e), -1 - math.log1p(e)])
    assert ls[0, 2] == pytest.approx(-2000 - math.log1p(e))  # finite, where log(s) is -inf


def test_softmax_axis_and_empty():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(softmax(x, axis=0).sum(axis=0), 1)
    np.testing.assert_allclose(softmax(x.T, axis=0), softmax(x, axis=1).T)
    assert softmax(np.zeros((0, 3))).shape == (0, 3)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(1, 6), elements=finite), finite)
def test_softmax_invariant_to_shift(x, c):
    s = softmax(x)
    assert s.sum() == pytest.approx(1)
    np.testing.assert_allclose(softmax(x + c), s, atol=1e-12)
    np.testing.assert_allclose(np.exp(log_softmax(x)), s, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(1, 5), elements=st.floats(-5, 5)))
def test_softmax_jacobian_matches_numerical(x):
    h = 1e-6
    numeric = np.stack(
        [(softmax(x + h * e) - softmax(x - h * e)) / (2 * h) for e in np.eye(x.size)], axis=1
    )
    jac = softmax_jacobian(x)
    np.testing.assert_allclose(jac, numeric, atol=1e-7)
    np.testing.assert_allclose(jac.sum(axis=0), 0, atol=1e-12)  # outputs always sum to 1


def test_softmax_jacobian_batched():
    x = np.random.default_rng(0).normal(size=(4, 3))
    batched = softmax_jacobian(x)
    assert batched.shape == (4, 3, 3)
    for row, jac in zip(x, batched, strict=True):
        np.testing.assert_allclose(jac, softmax_jacobian(row))


@pytest.mark.parametrize("f", [sigmoid, relu, softmax, gelu, tanh])
def test_bad_input(f):
    with pytest.raises(TypeError, match="x"):
        f(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="x"):
        f(np.array([1 + 2j]))


def test_jacobian_rejects_scalar():
    with pytest.raises(ValueError, match=r"^x must have at least one axis \(the K classes\)"):
        softmax_jacobian(np.array(1.0))


def test_bad_input_message_names_x_and_dtype():
    with pytest.raises(TypeError, match=r"^x must be an array of real numbers, got dtype <U1"):
        sigmoid(np.array(["a"]))


def test_leaky_relu_default_slope_is_0_01():
    assert leaky_relu(np.array([-2.0, 3.0])).tolist() == [-0.02, 3.0]
    assert leaky_relu_grad(np.array([-2.0, 3.0])).tolist() == [0.01, 1.0]


def test_softmax_over_an_empty_axis_is_empty():
    # initial=-inf: the max over zero classes is -inf instead of a ValueError.
    assert softmax(np.zeros((2, 0))).shape == (2, 0)
    with np.errstate(divide="ignore"):  # the sum over no classes is 0, its log -inf
        assert log_softmax(np.zeros((2, 0))).shape == (2, 0)


def test_nan_propagates():
    assert np.isnan(sigmoid(np.array(np.nan)))
    assert np.isnan(softmax(np.array([0.0, np.nan]))).all()


def test_gelu_tanh_is_close_to_exact_gelu():
    x = np.linspace(-6, 6, 1201)
    exact = x * 0.5 * (1 + np.array([math.erf(v / math.sqrt(2)) for v in x]))
    assert np.max(np.abs(gelu(x, approximate="tanh") - exact)) < 1e-3
    np.testing.assert_allclose(gelu(x), exact, atol=1e-15)  # the default is the exact form


def test_against_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation")
    fn = torch.nn.functional
    # Includes the kinks 0, ±3, 6: the derivative there is PyTorch's convention.
    x = np.concatenate([np.linspace(-8, 8, 161), [-0.0, 1e-3, -1e-3, -3.0, 3.0, 6.0]])
    pairs = {
        "sigmoid": (sigmoid, torch.sigmoid),
        "tanh": (tanh, torch.tanh),
        "relu": (relu, fn.relu),
        "leaky": (lambda v: leaky_relu(v, 0.1), lambda t: fn.leaky_relu(t, 0.1)),
        "elu": (lambda v: elu(v, 1.5), lambda t: fn.elu(t, 1.5)),
        "gelu": (gelu, fn.gelu),  # torch's default approximate="none" is the erf form
        "gelu_tanh": (lambda v: gelu(v, "tanh"), lambda t: fn.gelu(t, approximate="tanh")),
        "hardswish": (hardswish, fn.hardswish),
        "relu6": (relu6, fn.relu6),
        "hardsigmoid": (hardsigmoid, fn.hardsigmoid),
        "silu": (swish, fn.silu),
    }
    grads = {
        "sigmoid": sigmoid_grad,
        "tanh": tanh_grad,
        "relu": relu_grad,
        "leaky": lambda v: leaky_relu_grad(v, 0.1),
        "elu": lambda v: elu_grad(v, 1.5),
        "gelu": gelu_grad,
        "gelu_tanh": lambda v: gelu_grad(v, "tanh"),
        "hardswish": hardswish_grad,
        "relu6": lambda v: ((v > 0) & (v < 6)).astype(float),
        "hardsigmoid": lambda v: ((v > -3) & (v < 3)) / 6.0,
        "silu": swish_grad,
    }
    for name, (ours, theirs) in pairs.items():
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        out = theirs(t)
        out.sum().backward()
        np.testing.assert_allclose(ours(x), out.detach().numpy(), atol=1e-12, err_msg=name)
        np.testing.assert_allclose(grads[name](x), t.grad.numpy(), atol=1e-12, err_msg=name)
    z = np.random.default_rng(1).normal(size=(3, 5)) * 10
    tz = torch.tensor(z)
    np.testing.assert_allclose(softmax(z), torch.softmax(tz, dim=-1).numpy(), atol=1e-14)
    np.testing.assert_allclose(log_softmax(z), torch.log_softmax(tz, dim=-1).numpy(), atol=1e-12)
    jac = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, dim=-1), tz[0])
    np.testing.assert_allclose(softmax_jacobian(z[0]), jac.numpy(), atol=1e-14)


def test_minimum_of_gelu_and_swish():
    # The page's table quotes these minima (about -0.17 and -0.28).
    x = np.linspace(-4, 0, 40001)
    assert gelu(x).min() == pytest.approx(-0.17, abs=0.005)
    assert swish(x).min() == pytest.approx(-0.278, abs=0.001)
    assert x[np.argmin(swish(x))] == pytest.approx(-1.278, abs=1e-3)


def test_gelu_slope_on_the_positive_axis():
    # training/initialization.md: GELU' is not 1 for x > 0 (about 1.08 at x = 1, peak about
    # 1.13 at x = sqrt 2), while ReLU, Leaky ReLU and ELU have slope exactly 1 there.
    def exact(v):
        return 0.5 * (1 + math.erf(v / math.sqrt(2))) + v * math.exp(-v * v / 2) / math.sqrt(
            2 * math.pi
        )

    assert exact(1.0) == pytest.approx(1.08, abs=0.005)
    assert exact(math.sqrt(2)) == pytest.approx(1.13, abs=0.005)
    x = np.linspace(0.01, 6, 6000)
    slope = np.array([exact(v) for v in x])
    assert x[np.argmax(slope)] == pytest.approx(math.sqrt(2), abs=1e-3)
    assert exact(0.0) == 0.5
    assert slope.min() < 1 < slope.max()  # below 1 near 0, above 1 after about x = 0.75
    assert gelu_grad(np.array(1.0)) == pytest.approx(1.08, abs=0.005)  # the tanh form agrees
    assert gelu_grad(x).max() == pytest.approx(1.13, abs=0.005)
    for grad in (relu_grad, lambda v: leaky_relu_grad(v, 0.1), lambda v: elu_grad(v, 1.5)):
        np.testing.assert_array_equal(grad(x), 1.0)


def test_gelu_exact_vs_tanh_gap_and_bad_approximate():
    x = np.linspace(-10, 10, 200_001)
    gap = np.abs(gelu(x) - gelu(x, approximate="tanh"))
    assert 4.7e-4 < gap.max() < 4.8e-4
    assert abs(x[np.argmax(gap)]) == pytest.approx(2.7, abs=0.01)
    num = (gelu(x[:50] + 1e-6) - gelu(x[:50] - 1e-6)) / 2e-6
    np.testing.assert_allclose(gelu_grad(x[:50]), num, atol=1e-8)
    with pytest.raises(ValueError, match="approximate"):
        gelu(x, approximate="sigmoid")
    with pytest.raises(ValueError, match="approximate"):
        gelu_grad(x, approximate="erf")


def test_relu6_and_hard_swish_hand_values():
    x = np.array([-5.0, -3.0, -1.0, 0.0, 1.0, 3.0, 5.0, 7.0])
    assert relu6(x).tolist() == [0, 0, 0, 0, 1, 3, 5, 6]
    np.testing.assert_allclose(hardswish(x), [0, 0, -1 / 3, 0, 2 / 3, 3, 5, 7])
    np.testing.assert_allclose(hardsigmoid(x), [0, 0, 1 / 3, 0.5, 2 / 3, 1, 1, 1])
    # hard-swish vs swish: equal far from 0, at most about 0.14 apart (at x = ±3).
    grid = np.linspace(-8, 8, 160_001)
    diff = np.abs(hardswish(grid) - swish(grid))
    assert diff.max() == pytest.approx(0.142, abs=0.001)
    assert abs(grid[np.argmax(diff)]) == pytest.approx(3.0, abs=1e-3)
    inner = grid[(np.abs(grid) > 0.01) & (np.abs(np.abs(grid) - 3) > 0.01)]
    num = (hardswish(inner + 1e-7) - hardswish(inner - 1e-7)) / 2e-7
    np.testing.assert_allclose(hardswish_grad(inner), num, atol=1e-6)
    with pytest.raises(TypeError, match="x"):
        hardswish(np.array(["a"]))
