"""Why activations must be nonlinear: linear stacks collapse; ReLU units bend lines."""

# --8<-- [start:imports]
from collections.abc import Callable

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check_layers]
def _check_layers(weights: list, biases: list) -> tuple[list, list]:
    """Weights W_l of shape (out, in) and biases b_l of shape (out,), chained in order."""
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError("weights and biases must be non-empty lists of the same length")
    ws = [np.asarray(w, dtype=np.float64) for w in weights]
    bs = [np.asarray(b, dtype=np.float64) for b in biases]
    for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
        if w.ndim != 2 or b.shape != (w.shape[0],):
            raise ValueError(f"weights[{i}] must be (out, in) and biases[{i}] (out,)")
        if i > 0 and w.shape[1] != ws[i - 1].shape[0]:
            raise ValueError(
                f"weights[{i}] expects {w.shape[1]} inputs, layer {i - 1} gives "
                f"{ws[i - 1].shape[0]}"
            )
    return ws, bs


# --8<-- [end:check_layers]


# --8<-- [start:mlp_forward]
def mlp_forward(
    x: np.ndarray, weights: list, biases: list, activation: Callable | None = None
) -> np.ndarray:
    """x (N, in) through the layers; activation between layers (None: no activation)."""
    ws, bs = _check_layers(weights, biases)
    h = np.asarray(x, dtype=np.float64)
    if h.ndim != 2 or h.shape[1] != ws[0].shape[1]:
        raise ValueError(f"x must have shape (N, {ws[0].shape[1]}), got {h.shape}")
    for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
        h = h @ w.T + b
        if activation is not None and i < len(ws) - 1:
            h = activation(h)
    return h


# --8<-- [end:mlp_forward]


# --8<-- [start:collapse_linear]
def collapse_linear(weights: list, biases: list) -> tuple[np.ndarray, np.ndarray]:
    """The single (W, b) equal to a stack of linear layers with no activation."""
    ws, bs = _check_layers(weights, biases)
    w_total, b_total = ws[0], bs[0]
    for w, b in zip(ws[1:], bs[1:], strict=True):
        # W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)
        w_total, b_total = w @ w_total, w @ b_total + b
    return w_total, b_total


# --8<-- [end:collapse_linear]


# --8<-- [start:relu_interpolant]
def relu_interpolant(knots: np.ndarray, values: np.ndarray) -> tuple[list, list]:
    """One hidden ReLU layer that draws the polyline through (knots, values) on [k_0, k_n]."""
    k = np.asarray(knots, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if k.ndim != 1 or k.shape != v.shape or k.size < 2:
        raise ValueError("knots and values must be 1-D arrays of the same length >= 2")
    if np.any(np.diff(k) <= 0):
        raise ValueError("knots must be strictly increasing")
    slopes = np.diff(v) / np.diff(k)  # slope of each segment
    # f(x) = v_0 + sum_i c_i relu(x - k_i): each unit changes the slope by c_i at k_i.
    c = np.diff(slopes, prepend=0.0)
    w1, b1 = np.ones((k.size - 1, 1)), -k[:-1]
    w2, b2 = c[None, :], v[:1]
    return [w1, w2], [b1, b2]


# --8<-- [end:relu_interpolant]


# --8<-- [start:dead_relu]
def dead_relu_units(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Mask of ReLU units whose pre-activation is <= 0 for every row of x (zero gradient)."""
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    bias = np.asarray(bias, dtype=np.float64)
    if x.ndim != 2 or weight.ndim != 2 or weight.shape[1] != x.shape[1]:
        raise ValueError(f"x (N, d) and weight (units, d) disagree: {x.shape}, {weight.shape}")
    if bias.shape != (weight.shape[0],):
        raise ValueError(f"bias must have shape ({weight.shape[0]},), got {bias.shape}")
    z = x @ weight.T + bias
    return np.all(z <= 0, axis=0)


# --8<-- [end:dead_relu]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    layers = [rng.normal(size=(5, 3)), rng.normal(size=(4, 5)), rng.normal(size=(2, 4))]
    shifts = [rng.normal(size=5), rng.normal(size=4), rng.normal(size=2)]
    inputs = rng.normal(size=(10, 3))
    w_one, b_one = collapse_linear(layers, shifts)
    assert np.allclose(mlp_forward(inputs, layers, shifts), inputs @ w_one.T + b_one)
    grid = np.linspace(0, 2 * np.pi, 9)
    net_w, net_b = relu_interpolant(grid, np.sin(grid))
    relu = lambda h: np.maximum(h, 0)  # noqa: E731
    assert np.allclose(mlp_forward(grid[:, None], net_w, net_b, relu)[:, 0], np.sin(grid))
    assert dead_relu_units(inputs, np.ones((1, 3)), np.array([-100.0])).tolist() == [True]
    print("collapsed W shape:", w_one.shape)
