"""Linear stacks collapse to one linear map; ReLU units interpolate; dead-unit detection."""

import itertools

import numpy as np
import pytest
from activations.nonlinearity import (
    collapse_linear,
    dead_relu_units,
    mlp_forward,
    relu_interpolant,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def relu(h: np.ndarray) -> np.ndarray:
    return np.maximum(h, 0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=2, max_size=6), st.integers(0, 2**32 - 1))
def test_stacked_linear_layers_equal_one_linear_layer(widths, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(o, i)) for i, o in itertools.pairwise(widths)]
    biases = [rng.normal(size=o) for o in widths[1:]]
    x = rng.normal(size=(7, widths[0]))
    w, b = collapse_linear(weights, biases)
    assert w.shape == (widths[-1], widths[0])
    np.testing.assert_allclose(mlp_forward(x, weights, biases), x @ w.T + b, atol=1e-9)


def test_collapse_by_hand():
    w1, b1 = np.array([[2.0]]), np.array([1.0])
    w2, b2 = np.array([[3.0]]), np.array([-1.0])
    # 3 (2x + 1) - 1 = 6x + 2
    w, b = collapse_linear([w1, w2], [b1, b2])
    assert w.tolist() == [[6.0]]
    assert b.tolist() == [2.0]


def test_linear_network_cannot_fit_xor_but_relu_can():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0.0, 1.0, 1.0, 0.0])
    # Best any affine map can do is least squares on [x, 1]: it predicts 0.5 everywhere.
    design = np.hstack([x, np.ones((4, 1))])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    np.testing.assert_allclose(design @ coef, 0.5, atol=1e-12)
    # Two ReLU units suffice: xor = relu(x1 + x2) - 2 relu(x1 + x2 - 1).
    weights = [np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([[1.0, -2.0]])]
    biases = [np.array([0.0, -1.0]), np.array([0.0])]
    np.testing.assert_allclose(mlp_forward(x, weights, biases, relu)[:, 0], y)


def test_relu_interpolant_passes_through_points_and_is_linear_between():
    knots = np.array([-1.0, 0.0, 0.5, 2.0])
    values = np.array([1.0, -1.0, 3.0, 0.0])
    w, b = relu_interpolant(knots, values)
    assert w[0].shape == (3, 1)
    x = np.linspace(-1, 2, 301)
    np.testing.assert_allclose(
        mlp_forward(x[:, None], w, b, relu)[:, 0], np.interp(x, knots, values)
    )


def test_more_relu_units_approximate_sin_better():
    errors = []
    x = np.linspace(0, 2 * np.pi, 2001)
    for units in (4, 16, 64):
        knots = np.linspace(0, 2 * np.pi, units + 1)
        w, b = relu_interpolant(knots, np.sin(knots))
        errors.append(np.max(np.abs(mlp_forward(x[:, None], w, b, relu)[:, 0] - np.sin(x))))
    assert errors[0] > errors[1] > errors[2]
    # Linear interpolation error <= h^2 / 8 * max|f''| with h = 2 pi / units, |sin''| <= 1.
    assert errors[2] <= (2 * np.pi / 64) ** 2 / 8


def test_dead_relu_units_have_zero_gradient():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3))
    weight = rng.normal(size=(4, 3))
    bias = np.array([0.0, -100.0, 0.0, -100.0])  # units 1 and 3 pushed far negative
    dead = dead_relu_units(x, weight, bias)
    assert dead.tolist() == [False, True, False, True]
    # Numerical gradient of sum(relu(x W^T + b)) w.r.t. W is zero for dead rows only.
    h, grad = 1e-6, np.zeros_like(weight)
    for i, j in np.ndindex(weight.shape):
        e = np.zeros_like(weight)
        e[i, j] = h
        up = relu(x @ (weight + e).T + bias).sum()
        down = relu(x @ (weight - e).T + bias).sum()
        grad[i, j] = (up - down) / (2 * h)
    assert np.all(grad[dead] == 0)
    assert np.all(np.abs(grad[~dead]).sum(axis=1) > 0)


@pytest.mark.parametrize(
    ("weights", "biases"),
    [
        ([], []),
        ([np.zeros((2, 3))], [np.zeros(3)]),  # bias length
        ([np.zeros((2, 3)), np.zeros((1, 4))], [np.zeros(2), np.zeros(1)]),  # chain mismatch
        ([np.zeros(3)], [np.zeros(3)]),  # not a matrix
    ],
)
def test_bad_layers(weights, biases):
    with pytest.raises(ValueError, match=r"weights|biases"):
        collapse_linear(weights, biases)


def test_bad_inputs():
    with pytest.raises(ValueError, match="x"):
        mlp_forward(np.zeros((2, 4)), [np.zeros((1, 3))], [np.zeros(1)])
    with pytest.raises(ValueError, match="knots"):
        relu_interpolant(np.array([0.0, 0.0]), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="knots"):
        relu_interpolant(np.array([0.0]), np.array([1.0]))
    with pytest.raises(ValueError, match="bias"):
        dead_relu_units(np.zeros((2, 3)), np.zeros((4, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="weight"):
        dead_relu_units(np.zeros((2, 3)), np.zeros((4, 2)), np.zeros(4))


def test_error_messages_name_the_layers():
    with pytest.raises(ValueError, match=r"^weights and biases must be non-empty lists of the"):
        collapse_linear([], [])
    weights = [np.zeros((2, 3)), np.zeros((4, 2)), np.zeros((1, 5))]
    biases = [np.zeros(2), np.zeros(4), np.zeros(1)]
    with pytest.raises(ValueError, match=r"^weights\[2\] expects 5 inputs, layer 1 gives 4$"):
        collapse_linear(weights, biases)


def test_integer_layers_are_converted_to_float():
    w, b = collapse_linear([[[2]], [[3]]], [[1], [-1]])
    assert w.dtype == b.dtype == np.float64
    w, b = collapse_linear([[[2]]], [[1]])  # a single layer is returned as it is
    assert w.dtype == b.dtype == np.float64


def test_relu_interpolant_with_two_knots_and_unsigned_inputs():
    w, b = relu_interpolant(np.array([0.0, 2.0]), np.array([1.0, 3.0]))  # one segment
    assert mlp_forward(np.array([[1.0]]), w, b, relu).tolist() == [[2.0]]
    # uint8 knots and values: -k and diff(v) must not wrap around.
    knots, values = np.array([0, 1, 2], dtype=np.uint8), np.array([0, 2, 1], dtype=np.uint8)
    w, b = relu_interpolant(knots, values)
    out = mlp_forward(np.array([[0.0], [1.0], [2.0]]), w, b, relu)[:, 0]
    assert out.tolist() == [0.0, 2.0, 1.0]


def test_relu_interpolant_error_messages():
    with pytest.raises(ValueError, match=r"^knots and values must be 1-D arrays of the same"):
        relu_interpolant(np.array([[0.0, 1.0]]), np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match=r"^knots must be strictly increasing$"):
        relu_interpolant(np.array([1.0, 0.0]), np.array([1.0, 2.0]))


def test_dead_relu_boundary_and_messages():
    x = np.ones((3, 2))
    # Pre-activation exactly 0 is dead (ReLU's gradient at 0 is 0); 0.5 is alive.
    dead = dead_relu_units(x, np.zeros((2, 2)), np.array([0.0, 0.5]))
    assert dead.tolist() == [True, False]
    with pytest.raises(ValueError, match="x"):
        dead_relu_units(np.zeros(3), np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"^bias must have shape \(4,\), got \(3,\)$"):
        dead_relu_units(np.zeros((2, 3)), np.zeros((4, 3)), np.zeros(3))
