"""Common activation functions and their derivatives in numpy, numerically stable."""

# --8<-- [start:imports]
import math

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _check(x: np.ndarray, name: str = "x") -> np.ndarray:
    """x as a float64 array; anything that is not real numbers is a TypeError."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64)  # pragma: no mutate (astype(None) is float64 as well)


# --8<-- [end:check]


# --8<-- [start:sigmoid]
def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), never overflowing: exp is only taken of -|x|."""
    x = _check(x)
    e = np.exp(-np.abs(x))  # in (0, 1]
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """sigma'(x) = sigma(x) * (1 - sigma(x)), at most 1/4."""
    s = sigmoid(x)
    return s * (1.0 - s)


# --8<-- [end:sigmoid]


# --8<-- [start:tanh]
def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, 2 * sigma(2x) - 1, zero-centred in (-1, 1)."""
    return np.tanh(_check(x))


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """tanh'(x) = 1 - tanh(x)^2, at most 1."""
    t = tanh(x)
    return 1.0 - t * t


# --8<-- [end:tanh]


# --8<-- [start:relu]
def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0)."""
    return np.maximum(_check(x), 0.0)


def relu_grad(x: np.ndarray) -> np.ndarray:
    """1 for x > 0, else 0 (at x = 0 the value 0, as PyTorch uses)."""
    return (_check(x) > 0).astype(np.float64)


def leaky_relu(x: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    """x for x >= 0, negative_slope * x otherwise."""
    x = _check(x)
    return np.where(x >= 0, x, negative_slope * x)


def leaky_relu_grad(x: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    """1 for x > 0, negative_slope otherwise: never exactly 0 unless the slope is."""
    return np.where(_check(x) > 0, 1.0, negative_slope)


# --8<-- [end:relu]


# --8<-- [start:elu]
def elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """x for x > 0, alpha * (exp(x) - 1) otherwise (tends to -alpha)."""
    x = _check(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_grad(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """1 for x > 0, alpha * exp(x) otherwise."""
    x = _check(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


# --8<-- [end:elu]


# --8<-- [start:gelu]
GELU_C = np.sqrt(2.0 / np.pi)
_erf = np.vectorize(math.erf, otypes=[np.float64])  # numpy has no erf; math.erf is exact


def gelu(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    """x Φ(x) = x/2 (1 + erf(x/√2)), or its tanh approximation; as torch.nn.functional.gelu."""
    x = _check(x)
    if approximate == "none":
        return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))
    if approximate == "tanh":
        return 0.5 * x * (1.0 + np.tanh(GELU_C * (x + 0.044715 * x**3)))
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def gelu_grad(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    """Φ(x) + x φ(x) for the exact GELU; product and chain rule for the tanh form."""
    x = _check(x)
    if approximate == "none":
        return 0.5 * (1.0 + _erf(x / np.sqrt(2.0))) + x * np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi)
    if approximate == "tanh":
        t = np.tanh(GELU_C * (x + 0.044715 * x**3))
        du_dx = GELU_C * (1.0 + 3 * 0.044715 * x**2)
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du_dx
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


# --8<-- [end:gelu]


# --8<-- [start:swish]
def swish(x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """x * sigma(beta * x); beta = 1 is SiLU."""
    x = _check(x)
    return x * sigmoid(beta * x)


def swish_grad(x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """sigma(bx) + b x sigma(bx) (1 - sigma(bx))."""
    x = _check(x)
    s = sigmoid(beta * x)
    return s + beta * x * s * (1.0 - s)


# --8<-- [end:swish]


# --8<-- [start:mobile]
def relu6(x: np.ndarray) -> np.ndarray:
    """min(max(x, 0), 6): ReLU capped at 6 (MobileNet)."""
    return np.clip(_check(x), 0.0, 6.0)


def hardsigmoid(x: np.ndarray) -> np.ndarray:
    """ReLU6(x + 3) / 6: a piecewise-linear sigmoid, 0 below -3 and 1 above 3."""
    return relu6(_check(x) + 3.0) / 6.0


def hardswish(x: np.ndarray) -> np.ndarray:
    """x · ReLU6(x + 3) / 6 (MobileNetV3): swish with the sigmoid made piecewise linear."""
    x = _check(x)
    return x * hardsigmoid(x)


def hardswish_grad(x: np.ndarray) -> np.ndarray:
    """0 for x <= -3, (2x + 3) / 6 in between, 1 for x >= 3 (PyTorch's values at the kinks)."""
    x = _check(x)
    return np.where(x <= -3.0, 0.0, np.where(x < 3.0, (2.0 * x + 3.0) / 6.0, 1.0))


# --8<-- [end:mobile]


# --8<-- [start:softmax]
def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(x_i) / sum_j exp(x_j) along axis; the row maximum is subtracted first."""
    x = _check(x)
    shifted = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    e = np.exp(shifted)  # largest entry is exp(0) = 1: no overflow
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax(x) = x - max - log(sum exp(x - max)): finite even for huge logits."""
    x = _check(x)
    shifted = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax_jacobian(x: np.ndarray) -> np.ndarray:
    """d softmax_i / d x_j = s_i (delta_ij - s_j), for x of shape (..., K) -> (..., K, K)."""
    x = _check(x)
    if x.ndim == 0:
        raise ValueError("x must have at least one axis (the K classes), got a scalar")
    s = softmax(x, axis=-1)
    return s[..., :, None] * np.eye(x.shape[-1]) - s[..., :, None] * s[..., None, :]


# --8<-- [end:softmax]


# Name -> (function, derivative), for the figure and the tests.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "ReLU": (relu, relu_grad),
    "Leaky ReLU (0.1)": (
        lambda x: leaky_relu(x, 0.1),
        lambda x: leaky_relu_grad(x, 0.1),
    ),
    "ELU": (elu, elu_grad),
    "GELU": (gelu, gelu_grad),
    "Swish / SiLU": (swish, swish_grad),
}


# --8<-- [start:plot]
def plot_activations():
    """One panel per activation: the function (solid) and its derivative (dashed)."""
    import matplotlib.pyplot as plt

    x = np.linspace(-5, 5, 401)
    fig, axes = plt.subplots(2, 4, figsize=(12, 5.6), sharex=True)
    for ax, (name, (f, df)) in zip(axes.flat, ACTIVATIONS.items(), strict=False):
        ax.plot(x, f(x), label="f(x)")
        ax.plot(x, df(x), "--", label="f'(x)")
        ax.axhline(0, lw=0.5, color="0.6")
        ax.axvline(0, lw=0.5, color="0.6")
        ax.set_title(name)
        ax.set_ylim(-1.5, 2.5)
    last = axes.flat[-1]
    for name in ("sigmoid", "tanh", "ReLU"):
        last.plot(x, ACTIVATIONS[name][1](x), label=f"{name}'")
    last.set_title("导数对比")
    last.set_ylim(-0.2, 1.2)
    last.legend(fontsize=8)
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    z = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    assert np.all(np.isfinite(sigmoid(z)))
    assert sigmoid(np.array(0.0)) == 0.5
    assert np.isclose(sigmoid_grad(np.array(0.0)), 0.25)
    assert relu_grad(np.array([-1.0, 0.0, 2.0])).tolist() == [0.0, 0.0, 1.0]
    p = softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    assert np.allclose(p, [[0.5, 0.5], [0.25, 0.75]])
    assert np.allclose(log_softmax(np.array([1000.0, 0.0])), [0.0, -1000.0])
    jac = softmax_jacobian(np.array([0.0, 0.0]))
    assert np.allclose(jac, [[0.25, -0.25], [-0.25, 0.25]])
    for name, (f, df) in ACTIVATIONS.items():
        h = 1e-6
        x = np.array([-2.0, -0.5, 0.7, 3.0])
        assert np.allclose(df(x), (f(x + h) - f(x - h)) / (2 * h), atol=1e-6), name
    print("sigmoid:", sigmoid(z))
