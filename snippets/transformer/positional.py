"""Positional information for attention in numpy: sinusoidal encoding, RoPE and ALiBi.

`apply_rope` uses the "rotate half" layout of GPT-NeoX and Hugging Face Llama: feature i is
paired with feature i + d/2. `apply_rope_interleaved` is the RoFormer / Meta Llama layout:
feature 2i is paired with 2i + 1. The two differ only by a fixed permutation of features.
"""

# --8<-- [start:imports]
import math

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard_sinusoidal]
def sinusoidal_pe_whiteboard(n, d):
    """正弦位置编码：PE[p, 2i] = sin(p ω_i)，PE[p, 2i+1] = cos(p ω_i)，ω_i = 10000^(-2i/d)。"""
    p = np.arange(n)[:, None]  # (n, 1)
    omega = 10000.0 ** (-np.arange(0, d, 2) / d)  # (d/2,)
    pe = np.zeros((n, d))
    pe[:, 0::2] = np.sin(p * omega)
    pe[:, 1::2] = np.cos(p * omega)
    return pe


# --8<-- [end:whiteboard_sinusoidal]


# --8<-- [start:whiteboard_rope]
def rope_whiteboard(x, m, base=10000.0):
    """RoPE（rotate half）：x (..., seq, d) 的第 i 维与第 i + d/2 维按位置 m 旋转角度 m θ_i。"""
    d = x.shape[-1]
    theta = base ** (-np.arange(0, d, 2) / d)  # (d/2,)
    angle = np.concatenate([m[:, None] * theta] * 2, axis=-1)  # (seq, d)
    x1, x2 = x[..., : d // 2], x[..., d // 2 :]
    rotated = np.concatenate([-x2, x1], axis=-1)  # rotate_half
    return x * np.cos(angle) + rotated * np.sin(angle)


# --8<-- [end:whiteboard_rope]


# --8<-- [start:check]
def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_rope_args(x, positions, base) -> tuple[np.ndarray, np.ndarray, float]:
    x, positions = np.asarray(x), np.asarray(positions)
    for name, arr in [("x", x), ("positions", positions)]:
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            raise TypeError(f"{name} must be a real number array, got dtype {arr.dtype}")
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must not contain NaN or inf")
    if x.ndim < 2 or x.shape[-1] % 2 or x.shape[-1] == 0:
        raise ValueError(f"x must have shape (..., seq, d) with d even and > 0, got {x.shape}")
    try:
        fits = np.broadcast_shapes(positions.shape, x.shape[:-1]) == x.shape[:-1]
    except ValueError:
        fits = False
    if not fits:  # positions may not add axes to x, e.g. (2, seq) for an x of (seq, d)
        raise ValueError(
            f"positions {positions.shape} must broadcast to x's (..., seq) = {x.shape[:-1]}"
        )
    if isinstance(base, bool) or not isinstance(base, int | float | np.integer | np.floating):
        raise TypeError(f"base must be a number, got {type(base).__name__}")
    if not (np.isfinite(base) and base > 0):
        raise ValueError(f"base must be a positive finite number, got {base}")
    return x, positions, float(base)


# --8<-- [end:check]


# --8<-- [start:sinusoidal]
def sinusoidal_encoding(n_positions: int, d_model: int) -> np.ndarray:
    """(n_positions, d_model): PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same)."""
    n_positions = _check_int(n_positions, "n_positions", 0)
    d_model = _check_int(d_model, "d_model", 2)
    if d_model % 2:
        raise ValueError(f"d_model must be even (sin and cos come in pairs), got {d_model}")
    position = np.arange(n_positions, dtype=np.float64)[:, None]  # (n, 1)
    inv_freq = 10000.0 ** (-np.arange(0, d_model, 2) / d_model)  # 1 / 10000^(2i/d), (d/2,)
    angle = position * inv_freq  # (n, d/2)
    pe = np.empty((n_positions, d_model))
    pe[:, 0::2] = np.sin(angle)  # even features
    pe[:, 1::2] = np.cos(angle)  # odd features
    return pe


# --8<-- [end:sinusoidal]


# --8<-- [start:rope]
def rotate_half(x: np.ndarray) -> np.ndarray:
    """concat(-x2, x1) where x1, x2 are the two halves of the last axis."""
    x1, x2 = np.split(x, 2, axis=-1)
    return np.concatenate([-x2, x1], axis=-1)


def rope_angles(positions: np.ndarray, d: int, base: float = 10000.0) -> np.ndarray:
    """positions (...) -> angles (..., d/2): position * base^(-2i/d), i = 0 .. d/2 - 1."""
    inv_freq = base ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    return np.asarray(positions, dtype=np.float64)[..., None] * inv_freq


def apply_rope(x, positions, base: float = 10000.0) -> np.ndarray:
    """RoPE in the rotate-half layout (GPT-NeoX, Hugging Face Llama); x (..., seq, d), d even.

    positions broadcasts to x.shape[:-1]: (seq,) for one sequence or (batch, seq) like
    position_ids; they may be fractional (position interpolation).
    """
    x, positions, base = _check_rope_args(x, positions, base)
    angle = rope_angles(positions, x.shape[-1], base)
    emb = np.concatenate([angle, angle], axis=-1)  # cos/sin repeated twice, (..., seq, d)
    return x * np.cos(emb) + rotate_half(x) * np.sin(emb)


# --8<-- [end:rope]


# --8<-- [start:interleaved]
def apply_rope_interleaved(x, positions, base: float = 10000.0) -> np.ndarray:
    """RoPE in the RoFormer layout: each pair (x_2i, x_2i+1) is a complex number rotated
    by e^{i · position · θ_i}, θ_i = base^(-2i/d) (as in Meta's original Llama code)."""
    x, positions, base = _check_rope_args(x, positions, base)
    pairs = x[..., 0::2] + 1j * x[..., 1::2]  # (..., seq, d/2) complex
    rotated = pairs * np.exp(1j * rope_angles(positions, x.shape[-1], base))
    out = np.empty((*rotated.shape[:-1], x.shape[-1]))
    out[..., 0::2], out[..., 1::2] = rotated.real, rotated.imag
    return out


def interleave_permutation(d: int) -> np.ndarray:
    """[0, d/2, 1, d/2 + 1, ...]: x[..., p] puts rotate-half pairs side by side (interleaved)."""
    d = _check_int(d, "d", 2)
    if d % 2:
        raise ValueError(f"d must be even, got {d}")
    half = np.arange(d // 2)
    return np.stack([half, half + d // 2], axis=-1).reshape(-1)


# --8<-- [end:interleaved]


# --8<-- [start:alibi]
def alibi_slopes(num_heads: int) -> np.ndarray:
    """Head slopes of ALiBi (Press et al.): 2^(-8/n), 2^(-16/n), ... for n a power of two;
    otherwise the slopes of the nearest smaller power of two, then every other slope of 2n."""
    num_heads = _check_int(num_heads, "num_heads", 1)
    closest = 2 ** math.floor(math.log2(num_heads))
    slopes = 2.0 ** (-8.0 * np.arange(1, closest + 1) / closest)
    if (
        closest < num_heads
    ):  # pragma: no mutate (with <=, a power of two appends the empty extra[0::2][:0])
        extra = 2.0 ** (-4.0 * np.arange(1, 2 * closest + 1) / closest)  # slopes for 2·closest
        slopes = np.concatenate([slopes, extra[0::2][: num_heads - closest]])
    return slopes


def alibi_bias(num_heads: int, seq_len: int) -> np.ndarray:
    """(num_heads, seq_len, seq_len) float mask for causal attention: -slope · (i - j) for
    key j <= query i, -inf for future keys. Add it to the scores (a float attn_mask)."""
    seq_len = _check_int(seq_len, "seq_len", 0)
    distance = np.arange(seq_len)[:, None] - np.arange(seq_len)[None, :]  # i - j
    bias = -alibi_slopes(num_heads)[:, None, None] * distance
    return np.where(distance >= 0, bias, -np.inf)


# --8<-- [end:alibi]


# --8<-- [start:plot]
def plot_sinusoidal(n_positions: int = 64, d_model: int = 128):
    """The sinusoidal encoding matrix: fast oscillation in the first features, slow later."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.4))
    image = ax.imshow(
        sinusoidal_encoding(n_positions, d_model),
        cmap="RdBu",
        vmin=-1,
        vmax=1,
        aspect="auto",
        interpolation="none",
    )
    ax.set_xlabel("特征维度（偶数列 sin，奇数列 cos）")
    ax.set_ylabel("位置 p")
    fig.colorbar(image, ax=ax, label="PE[p, j]")
    fig.tight_layout()
    return fig


def plot_rope_scores(d: int = 64, max_distance: int = 64, seed: int = 0):
    """<RoPE(q, m), RoPE(k, n)> against m - n, computed from two different absolute n."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    cases = {"q = k = 全 1 向量": (np.ones(d), np.ones(d))}
    cases["随机 q、k"] = (rng.normal(size=d), rng.normal(size=d))
    offsets = np.arange(-max_distance, max_distance + 1)
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.3))
    for ax, (title, (q, k)) in zip(axes, cases.items(), strict=True):
        for n, style in [(0, "-"), (1000, "o")]:
            q_rot = apply_rope(np.broadcast_to(q, (len(offsets), d)), n + offsets)
            k_rot = apply_rope(k[None, :], [n])
            ax.plot(offsets, q_rot @ k_rot[0], style, ms=2.5, label=f"n = {n}")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("相对位置 m − n")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("⟨RoPE(q, m), RoPE(k, n)⟩")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    pe = sinusoidal_encoding(4, 6)
    assert pe.shape == (4, 6)
    assert np.allclose(pe[0], [0, 1, 0, 1, 0, 1])  # position 0: sin 0 = 0, cos 0 = 1
    assert np.isclose(pe[1, 0], np.sin(1.0))
    assert np.isclose(pe[2, 3], np.cos(2 / 10000 ** (2 / 6)))
    rng = np.random.default_rng(0)
    q, k = rng.normal(size=8), rng.normal(size=8)
    # <RoPE(q, m), RoPE(k, n)> depends only on m - n.
    scores = [apply_rope(q[None], [m])[0] @ apply_rope(k[None], [m - 3])[0] for m in (3, 10, 50)]
    assert np.allclose(scores, scores[0])
    perm = interleave_permutation(8)
    assert np.allclose(
        apply_rope_interleaved(q[None, perm], [5]), apply_rope(q[None], [5])[:, perm]
    )
    assert np.allclose(alibi_slopes(8), 2.0 ** -np.arange(1, 9))
    print("PE rows 0-1:", pe[:2].round(3))
    print("RoPE scores at m - n = 3:", np.round(scores, 6))
