"""LayerNorm, InstanceNorm and GroupNorm in numpy, with PyTorch's conventions.

Each function differs only in the axes it averages over; compare with BatchNorm
(snippets/normalization/batchnorm.py), which averages over N, H, W for each channel.
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:normalize]
def _normalize(x: np.ndarray, axes: tuple[int, ...], eps: float) -> np.ndarray:
    """(x - mean) / sqrt(var + eps), mean and biased var taken over `axes`."""
    if eps <= 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def _affine(
    x_hat: np.ndarray,
    weight: np.ndarray | None,
    bias: np.ndarray | None,
    shape: tuple[int, ...],
    view: tuple[int, ...],
) -> np.ndarray:
    """gamma * x_hat + beta, both of `shape` (None: 1 and 0), reshaped by `view`."""
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and np.shape(v) != shape:
            raise ValueError(f"{name} must have shape {shape}, got {np.shape(v)}")
    gamma = np.ones(shape) if weight is None else np.asarray(weight, dtype=np.float64)
    beta = np.zeros(shape) if bias is None else np.asarray(bias, dtype=np.float64)
    return x_hat * gamma.reshape(view) + beta.reshape(view)


# --8<-- [end:normalize]


# --8<-- [start:layer_norm]
def layer_norm(
    x: np.ndarray,
    normalized_shape: tuple[int, ...],
    weight: np.ndarray | None = None,
    bias: np.ndarray | None = None,
    eps: float = 1e-5,
) -> np.ndarray:
    """LayerNorm: per sample, over the trailing axes `normalized_shape` (e.g. (D,) or (C, H, W))."""
    x = np.asarray(x, dtype=np.float64)
    shape = tuple(normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or x.shape[x.ndim - k :] != shape:
        raise ValueError(f"normalized_shape {shape} must match the last axes of x {x.shape}")
    axes = tuple(range(x.ndim - k, x.ndim))  # (D,) -> (-1,); (C, H, W) -> (1, 2, 3)
    # gamma and beta are element-wise: one value per element of normalized_shape.
    return _affine(_normalize(x, axes, eps), weight, bias, shape, shape)


# --8<-- [end:layer_norm]


# --8<-- [start:instance_norm]
def instance_norm(
    x: np.ndarray,
    weight: np.ndarray | None = None,
    bias: np.ndarray | None = None,
    eps: float = 1e-5,
) -> np.ndarray:
    """InstanceNorm of x (N, C, *spatial): per sample and per channel, over H, W."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 3:
        raise ValueError(f"x must have shape (N, C, *spatial), got ndim={x.ndim}")
    axes = tuple(range(2, x.ndim))  # H, W only
    view = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    return _affine(_normalize(x, axes, eps), weight, bias, (x.shape[1],), view)


# --8<-- [end:instance_norm]


# --8<-- [start:group_norm]
def group_norm(
    x: np.ndarray,
    num_groups: int,
    weight: np.ndarray | None = None,
    bias: np.ndarray | None = None,
    eps: float = 1e-5,
) -> np.ndarray:
    """GroupNorm of x (N, C, *): per sample, over each group of C/G channels and H, W."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (N, C, *), got ndim={x.ndim}")
    n, c = x.shape[:2]
    if not isinstance(num_groups, int | np.integer) or num_groups < 1 or c % num_groups:
        raise ValueError(f"num_groups must be a positive divisor of C={c}, got {num_groups}")
    grouped = x.reshape(n, num_groups, c // num_groups, *x.shape[2:])  # (N, G, C/G, *)
    axes = tuple(range(2, grouped.ndim))  # C/G channels and H, W: (C/G) x H x W values
    x_hat = _normalize(grouped, axes, eps).reshape(x.shape)
    view = (1, c) + (1,) * (x.ndim - 2)
    return _affine(x_hat, weight, bias, (c,), view)  # gamma, beta: one per channel


# --8<-- [end:group_norm]


# --8<-- [start:sets]
def normalization_sets(kind: str, n: int, c: int, num_groups: int = 1) -> np.ndarray:
    """Label of the statistics set of each (sample, channel) plane, shape (N, C)."""
    sample, channel = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    if kind == "batch":
        return channel  # one set per channel, across all samples
    if kind == "layer":
        return sample  # one set per sample, across all channels
    if kind == "instance":
        return sample * c + channel  # one set per (sample, channel)
    if kind == "group":
        if num_groups < 1 or c % num_groups:
            raise ValueError(f"num_groups must be a positive divisor of C={c}, got {num_groups}")
        return sample * num_groups + channel // (c // num_groups)
    raise ValueError(f"kind must be 'batch', 'layer', 'instance' or 'group', got {kind!r}")


# --8<-- [end:sets]


def plot_normalization_axes(n: int = 4, c: int = 6, num_groups: int = 3, hw: int = 3):
    """Four panels (BN, LN, IN, GN): which (N, C) planes of H x W values share statistics."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    panels = [
        ("batch", "BatchNorm", "每个通道：N × H × W 个值"),
        ("layer", "LayerNorm", "每个样本：C × H × W 个值"),
        ("instance", "InstanceNorm", "每个样本的每个通道：H × W 个值"),
        ("group", f"GroupNorm（G = {num_groups}）", "每个样本的每组：(C/G) × H × W 个值"),
    ]
    fig, axs = plt.subplots(1, 4, figsize=(13, 3.9))
    for ax, (kind, title, subtitle) in zip(axs, panels, strict=True):
        labels = normalization_sets(kind, n, c, num_groups)
        highlight = labels[0, 0]
        for i in range(n):
            for j in range(c):
                filled = labels[i, j] == highlight
                ax.add_patch(
                    Rectangle((j, i), 1, 1, facecolor="C0" if filled else "none", alpha=0.55)
                )
                for t in range(1, hw):  # the H x W pixels inside each plane
                    ax.plot([j + t / hw] * 2, [i, i + 1], color="0.6", lw=0.4)
                    ax.plot([j, j + 1], [i + t / hw] * 2, color="0.6", lw=0.4)
        for label in np.unique(labels):  # thick outline around each statistics set
            rows, cols = np.nonzero(labels == label)
            ax.add_patch(
                Rectangle(
                    (cols.min(), rows.min()),
                    cols.max() - cols.min() + 1,
                    rows.max() - rows.min() + 1,
                    fill=False,
                    edgecolor="C3",
                    lw=1.8,
                )
            )
        ax.set_xlim(-0.05, c + 0.05)
        ax.set_ylim(n + 0.05, -0.05)
        ax.set_aspect("equal")
        ax.set_xticks(np.arange(c) + 0.5, [str(k) for k in range(c)])
        ax.set_yticks(np.arange(n) + 0.5, [str(k) for k in range(n)])
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.set_xlabel("通道 C")
        ax.set_ylabel("样本 N")
        ax.set_title(f"{title}\n{subtitle}", fontsize=10)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    demo = rng.normal(size=(2, 6, 3, 3))
    gn = group_norm(demo, 3)
    # Each group of 2 channels (x 3 x 3 pixels) of each sample has mean 0 and variance ~1.
    per_group = gn.reshape(2, 3, -1)
    assert np.allclose(per_group.mean(axis=-1), 0)
    assert np.allclose(per_group.var(axis=-1), 1, atol=1e-3)
    assert np.allclose(group_norm(demo, 1), layer_norm(demo, demo.shape[1:]))
    assert np.allclose(group_norm(demo, 6), instance_norm(demo))
    assert normalization_sets("group", 2, 6, 3).tolist() == [[0, 0, 1, 1, 2, 2], [3, 3, 4, 4, 5, 5]]
    print("GroupNorm(G=1) == LayerNorm and GroupNorm(G=C) == InstanceNorm")
