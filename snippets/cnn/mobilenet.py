"""MobileNet building blocks in numpy: depthwise separable conv, inverted residual, h-swish.

x is (N, C, H, W); depthwise weight (C, K, K); pointwise weight (C_out, C_in). BN omitted.
"""

# --8<-- [start:imports]
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# --8<-- [end:imports]


# --8<-- [start:depthwise_separable]
def depthwise_conv2d(x: np.ndarray, weight: np.ndarray, stride: int = 1) -> np.ndarray:
    """One K x K filter per channel, 'same' zero padding (K odd); no mixing across channels."""
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    if x.ndim != 4 or weight.ndim != 3 or weight.shape[0] != x.shape[1]:
        raise ValueError(f"need x (N, C, H, W) and weight (C, K, K), got {x.shape}, {weight.shape}")
    k = weight.shape[1]
    if weight.shape[2] != k or k % 2 == 0 or stride < 1:
        raise ValueError(f"weight must be (C, K, K) with K odd and stride >= 1, got {weight.shape}")
    p = k // 2
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    win = sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("nchwij,cij->nchw", win, weight)


def pointwise_conv2d(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """1 x 1 convolution: mixes channels at every pixel, weight (C_out, C_in)."""
    if np.ndim(weight) != 2 or np.shape(weight)[1] != np.shape(x)[1]:
        raise ValueError(f"weight must be (C_out, {np.shape(x)[1]}), got {np.shape(weight)}")
    return np.einsum("nchw,oc->nohw", x, weight)


def depthwise_separable_conv2d(
    x: np.ndarray, dw_weight: np.ndarray, pw_weight: np.ndarray, stride: int = 1
) -> np.ndarray:
    """MobileNet V1 unit without BN/ReLU: depthwise K x K, then pointwise 1 x 1."""
    return pointwise_conv2d(depthwise_conv2d(x, dw_weight, stride), pw_weight)


# --8<-- [end:depthwise_separable]


# --8<-- [start:cost]
def standard_conv_macs(c_in: int, c_out: int, k: int, h: int, w: int) -> int:
    """Multiply-adds of a K x K conv on an output map of h x w: K^2 * M * N * h * w."""
    return k * k * c_in * c_out * h * w


def separable_conv_macs(c_in: int, c_out: int, k: int, h: int, w: int) -> int:
    """Depthwise K^2 * M * h * w plus pointwise M * N * h * w."""
    return k * k * c_in * h * w + c_in * c_out * h * w


# --8<-- [end:cost]


# --8<-- [start:intensity]
def arithmetic_intensity(macs: int, *tensor_sizes: int, bytes_per_value: int = 4) -> float:
    """Multiply-adds per byte moved, if every tensor is read or written once (ideal caching)."""
    return macs / (bytes_per_value * sum(tensor_sizes))


# --8<-- [end:intensity]


# --8<-- [start:activations]
def relu6(x: np.ndarray) -> np.ndarray:
    """min(max(x, 0), 6)."""
    return np.clip(x, 0.0, 6.0)


def hard_sigmoid(x: np.ndarray) -> np.ndarray:
    """ReLU6(x + 3) / 6: a piecewise-linear sigmoid."""
    return relu6(np.asarray(x, dtype=np.float64) + 3.0) / 6.0


def hard_swish(x: np.ndarray) -> np.ndarray:
    """h-swish(x) = x * ReLU6(x + 3) / 6 (MobileNet V3)."""
    return np.asarray(x, dtype=np.float64) * hard_sigmoid(x)


# --8<-- [end:activations]


# --8<-- [start:inverted_residual]
def inverted_residual(
    x: np.ndarray,
    expand: np.ndarray,
    dw: np.ndarray,
    project: np.ndarray,
    stride: int = 1,
) -> np.ndarray:
    """MobileNet V2 block: 1x1 expand + ReLU6, 3x3 depthwise + ReLU6, 1x1 linear projection."""
    h = relu6(pointwise_conv2d(x, expand))  # C -> tC (wide)
    h = relu6(depthwise_conv2d(h, dw, stride))  # spatial filtering in the wide space
    out = pointwise_conv2d(h, project)  # tC -> C': linear bottleneck, no ReLU
    if stride == 1 and out.shape == np.shape(x):
        out = out + x  # shortcut between the narrow bottlenecks
    return out


# --8<-- [end:inverted_residual]


# --8<-- [start:relu_manifold]
def spiral(n_points: int = 400) -> np.ndarray:
    """A 2-D spiral, the low-dimensional 'manifold of interest' of the MobileNet V2 paper."""
    t = np.linspace(0.5, 4 * np.pi, n_points)
    return np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (4 * np.pi)


def relu_roundtrip(points: np.ndarray, n_dims: int, seed: int = 0) -> np.ndarray:
    """Embed 2-D points with a random T (n x 2), apply ReLU, map back with the pseudo-inverse."""
    if n_dims < 1:
        raise ValueError(f"n_dims must be >= 1, got {n_dims}")
    t = np.random.default_rng(seed).standard_normal((n_dims, points.shape[1]))
    return np.maximum(points @ t.T, 0.0) @ np.linalg.pinv(t.T)


def _best_scale(y: np.ndarray, x: np.ndarray) -> float:
    """The scalar a minimising ||a y - x|| (ReLU halves the signal on average)."""
    return float((y * x).sum() / max((y * y).sum(), 1e-300))


def roundtrip_error(n_dims: int, n_seeds: int = 20) -> float:
    """Median over random T of the spiral's relative round-trip error, up to overall scale."""
    x = spiral()
    errors = []
    for seed in range(n_seeds):
        y = relu_roundtrip(x, n_dims, seed)
        errors.append(np.linalg.norm(_best_scale(y, x) * y - x) / np.linalg.norm(x))
    return float(np.median(errors))


# --8<-- [end:relu_manifold]


def plot_relu_manifold(dims: tuple[int, ...] = (2, 3, 5, 15, 30)):
    """The spiral after a ReLU in n dimensions and back: low n loses most of it."""
    import matplotlib.pyplot as plt

    x = spiral()
    fig, axes = plt.subplots(1, len(dims) + 1, figsize=(2.1 * (len(dims) + 1), 2.4))
    axes[0].plot(x[:, 0], x[:, 1], color="C0")
    axes[0].set_title("输入")
    for ax, n in zip(axes[1:], dims, strict=True):
        y = relu_roundtrip(x, n)
        y = _best_scale(y, x) * y
        ax.plot(y[:, 0], y[:, 1], color="C1")
        ax.set_title(f"n = {n}")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal")
        ax.set_xlim(-1.1, 1.1)
        ax.set_ylim(-1.1, 1.1)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    demo_x = rng.standard_normal((1, 8, 6, 6))
    y = depthwise_separable_conv2d(demo_x, rng.standard_normal((8, 3, 3)), np.ones((16, 8)))
    assert y.shape == (1, 16, 6, 6)
    ratio = separable_conv_macs(64, 128, 3, 56, 56) / standard_conv_macs(64, 128, 3, 56, 56)
    assert np.isclose(ratio, 1 / 128 + 1 / 9)
    assert hard_swish(np.array([-4.0, 0.0, 4.0])).tolist() == [0.0, 0.0, 4.0]
    z = inverted_residual(demo_x, np.ones((48, 8)), np.ones((48, 3, 3)), np.zeros((8, 48)))
    assert np.allclose(z, demo_x)  # zero projection: the block is the identity
    assert roundtrip_error(2) > 0.6 > 0.4 > roundtrip_error(30)
    print("separable / standard multiply-adds:", ratio)
