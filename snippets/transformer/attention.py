"""Scaled dot-product attention and multi-head attention in numpy, with PyTorch's semantics.

`scaled_dot_product_attention` follows torch.nn.functional.scaled_dot_product_attention:
a boolean mask's True means "may attend", a float mask is added to the scores.
`multi_head_attention` follows torch.nn.MultiheadAttention(batch_first=True), whose
boolean masks mean the opposite: True = "masked out".
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def attention_whiteboard(q, k, v, mask=None):
    """缩放点积注意力 softmax(Q Kᵀ / √d_k) V，批次维可广播；mask 为 True 的位置可以看。"""
    scores = q @ k.swapaxes(-1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)  # stable softmax
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ v


# --8<-- [end:whiteboard]


# --8<-- [start:whiteboard_mha]
def mha_whiteboard(x, w_q, w_k, w_v, w_o, h, mask=None):
    """多头自注意力：x (B, n, d) 投影后拆成 h 个头分别做注意力，拼接后乘 W^O（按 x @ w 使用）。"""
    B, n, d = x.shape
    d_k = d // h

    def split(t):  # (B, n, d) -> (B, h, n, d_k)
        return t.reshape(B, n, h, d_k).transpose(0, 2, 1, 3)

    q, k, v = split(x @ w_q), split(x @ w_k), split(x @ w_v)
    out = attention_whiteboard(q, k, v, mask)  # (B, h, n, d_k)
    out = out.transpose(0, 2, 1, 3).reshape(B, n, d)  # concatenate the heads
    return out @ w_o


# --8<-- [end:whiteboard_mha]


# --8<-- [start:check]
def _as_float_array(x, name: str) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise TypeError(f"{name} must be a real number array, got dtype {x.dtype}")
    if x.ndim < 2:
        raise ValueError(f"{name} must have shape (..., length, features), got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    return x


def _broadcast(shapes: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        detail = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(f"shapes do not broadcast: {detail}") from None


def _check_weights(d: int, **arrays) -> dict[str, np.ndarray]:
    shapes = {"in_proj_weight": (3 * d, d), "in_proj_bias": (3 * d,)}
    shapes |= {"out_proj_weight": (d, d), "out_proj_bias": (d,)}
    params = {}
    for name, shape in shapes.items():
        params[name] = np.asarray(arrays[name], dtype=np.float64)
        if params[name].shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {params[name].shape}")
        if not np.isfinite(params[name]).all():
            raise ValueError(f"{name} must not contain NaN or inf")
    return params


def _additive_mask(mask, name: str) -> np.ndarray:
    """nn.MultiheadAttention's mask as a float to add: boolean True (masked out) -> -inf."""
    mask = np.asarray(mask)
    if mask.dtype == bool:
        return np.where(mask, -np.inf, 0.0)
    if not np.issubdtype(mask.dtype, np.floating):
        raise TypeError(f"{name} must be bool or float, got dtype {mask.dtype}")
    return mask


# --8<-- [end:check]


# --8<-- [start:softmax]
def masked_softmax(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; a row whose scores are all -inf gives all zeros."""
    row_max = scores.max(axis=-1, keepdims=True, initial=-np.inf)
    empty = np.isneginf(row_max)  # every key masked (or no key at all)
    weights = np.exp(scores - np.where(empty, 0.0, row_max))  # exp(-inf) = 0, never inf
    total = weights.sum(axis=-1, keepdims=True)
    return np.divide(weights, total, out=np.zeros_like(weights), where=~empty)


# --8<-- [end:softmax]


# --8<-- [start:sdpa]
def attention_weights(query, key, attn_mask=None, is_causal=False, scale=None) -> np.ndarray:
    """softmax(Q Kᵀ · scale + mask) -> (..., L, S): the weights each query gives each key."""
    query, key = _as_float_array(query, "query"), _as_float_array(key, "key")
    (L, E), (S, E_key) = query.shape[-2:], key.shape[-2:]
    if E_key != E or E == 0:
        raise ValueError(f"query and key need the same nonzero last axis, got {E} and {E_key}")
    _broadcast({"query batch": query.shape[:-2], "key batch": key.shape[:-2]})
    if not isinstance(is_causal, bool | np.bool_):
        raise TypeError(f"is_causal must be a bool, got {type(is_causal).__name__}")
    if scale is None:
        scale = 1.0 / np.sqrt(E)
    elif isinstance(scale, bool) or not isinstance(scale, int | float | np.integer | np.floating):
        raise TypeError(f"scale must be a number or None, got {type(scale).__name__}")
    elif not np.isfinite(scale):
        raise ValueError(f"scale must be finite, got {scale}")
    scale = float(scale)  # a Python float keeps float32 inputs in float32
    scores = (query @ key.swapaxes(-1, -2)) * scale  # (..., L, S)

    if is_causal:
        if attn_mask is not None:
            raise ValueError("pass either attn_mask or is_causal=True, not both")
        attn_mask = np.tril(np.ones((L, S), dtype=bool))  # top-left aligned, as in PyTorch
    if attn_mask is not None:
        attn_mask = np.asarray(attn_mask)
        _broadcast({"attn_mask": attn_mask.shape, "scores (..., L, S)": scores.shape})
        if attn_mask.dtype == bool:
            scores = np.where(attn_mask, scores, -np.inf)  # True = may attend
        elif np.issubdtype(attn_mask.dtype, np.floating):
            if np.isnan(attn_mask).any() or np.isposinf(attn_mask).any():
                raise ValueError("a float attn_mask may hold -inf but not NaN or +inf")
            scores = scores + attn_mask  # added to the scores
        else:
            raise TypeError(f"attn_mask must be bool or float, got dtype {attn_mask.dtype}")
    return masked_softmax(scores)


def scaled_dot_product_attention(
    query, key, value, attn_mask=None, is_causal=False, scale=None
) -> np.ndarray:
    """(..., L, E), (..., S, E), (..., S, Ev) -> (..., L, Ev), like torch's SDPA (no dropout)."""
    key, value = _as_float_array(key, "key"), _as_float_array(value, "value")
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"key and value need the same length S, got {key.shape}, {value.shape}")
    weights = attention_weights(query, key, attn_mask, is_causal, scale)
    _broadcast({"query/key batch": weights.shape[:-2], "value batch": value.shape[:-2]})
    return weights @ value  # a fully masked row gives zeros


# --8<-- [end:sdpa]


# --8<-- [start:mha]
def multi_head_attention(
    query,
    key,
    value,
    num_heads: int,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    key_padding_mask=None,
    attn_mask=None,
    average_attn_weights: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass of torch.nn.MultiheadAttention(batch_first=True) in its default setup:
    no dropout, no kdim/vdim, add_bias_kv=False, add_zero_attn=False (for bias=False pass
    zero biases).

    query (..., L, d), key and value (..., S, d); in_proj_weight (3d, d) stacks W_q, W_k, W_v
    (each used as x @ W.T), in_proj_bias (3d,), out_proj_weight (d, d), out_proj_bias (d,).
    Masks use nn.MultiheadAttention's convention: a boolean True means "masked out", a float
    mask is added. key_padding_mask is (..., S); attn_mask broadcasts to (..., h, L, S), so
    torch's 3-D per-head mask (N * h, L, S) must be reshaped to (N, h, L, S) first.
    Returns the output (..., L, d) and the weights, averaged over heads (..., L, S) or per
    head (..., h, L, S).
    """
    query, key, value = (
        _as_float_array(t, n) for t, n in [(query, "query"), (key, "key"), (value, "value")]
    )
    d = query.shape[-1]
    if isinstance(num_heads, bool) or not isinstance(num_heads, int | np.integer):
        raise TypeError(f"num_heads must be an int, got {type(num_heads).__name__}")
    if num_heads < 1:
        raise ValueError(f"num_heads must be >= 1, got {num_heads}")
    if d % num_heads:
        raise ValueError(f"embed dim {d} must be divisible by num_heads={num_heads}")
    if key.shape[-1] != d or value.shape[-1] != d or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"key and value must be (..., S, {d}), got {key.shape}, {value.shape}")
    params = _check_weights(
        d,
        in_proj_weight=in_proj_weight,
        in_proj_bias=in_proj_bias,
        out_proj_weight=out_proj_weight,
        out_proj_bias=out_proj_bias,
    )
    w_q, w_k, w_v = np.split(params["in_proj_weight"], 3)
    b_q, b_k, b_v = np.split(params["in_proj_bias"], 3)
    h, d_head = num_heads, d // num_heads

    def split_heads(x):  # (..., n, d) -> (..., h, n, d_head)
        return x.reshape(*x.shape[:-1], h, d_head).swapaxes(-2, -3)

    q = split_heads(query @ w_q.T + b_q)
    k = split_heads(key @ w_k.T + b_k)
    v = split_heads(value @ w_v.T + b_v)

    # Both masks become one float mask added to the scores (..., h, L, S).
    L, S = query.shape[-2], key.shape[-2]
    mask = np.zeros((L, S))
    if attn_mask is not None:
        attn_mask = _additive_mask(attn_mask, "attn_mask")
        _broadcast({"attn_mask": attn_mask.shape, "scores (..., h, L, S)": (*q.shape[:-2], L, S)})
        mask = mask + attn_mask
    if key_padding_mask is not None:
        padding = _additive_mask(key_padding_mask, "key_padding_mask")
        if padding.shape[-1:] != (S,):
            raise ValueError(f"key_padding_mask must have shape (..., {S}), got {padding.shape}")
        mask = mask + padding[..., None, None, :]  # (..., 1, 1, S): for every head and query
    weights = attention_weights(q, k, attn_mask=mask, scale=1.0 / np.sqrt(d_head))
    heads = weights @ v  # (..., h, L, d_head)
    concat = heads.swapaxes(-2, -3).reshape(*heads.shape[:-3], L, d)
    out = concat @ params["out_proj_weight"].T + params["out_proj_bias"]
    return out, (weights.mean(axis=-3) if average_attn_weights else weights)


# --8<-- [end:mha]


# --8<-- [start:plot]
def plot_attention_masks(seed: int = 0):
    """Attention weights of one sequence under a padding mask, a causal mask and both."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    n, n_valid, d = 6, 4, 8  # the last two tokens are padding
    q, k = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    padding = np.arange(n) < n_valid  # (S,): True = a real token, may attend
    causal = np.tril(np.ones((n, n), dtype=bool))
    masks = {"padding 掩码": padding[None, :], "因果掩码": causal, "两者取与": causal & padding}
    fig, axes = plt.subplots(1, 3, figsize=(9.5, 3.3))
    for ax, (title, mask) in zip(axes, masks.items(), strict=True):
        weights = attention_weights(q, k, attn_mask=mask)
        image = ax.imshow(weights, vmin=0, vmax=1, cmap="viridis", interpolation="none")
        for i, j in zip(*np.nonzero(~np.broadcast_to(mask, (n, n))), strict=True):
            ax.text(j, i, "×", ha="center", va="center", color="0.6", fontsize=9)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("key 位置 j")
        ax.set_xticks(range(n))
        ax.set_yticks(range(n))
    axes[0].set_ylabel("query 位置 i")
    fig.colorbar(image, ax=axes, shrink=0.8, label="注意力权重")
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 6))
    out = scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3, 6)
    assert np.allclose(out, attention_whiteboard(q, k, v))
    # A query that may attend to a single key copies that key's value.
    mask = np.zeros((3, 5), dtype=bool)
    mask[:, 2] = True
    assert np.allclose(scaled_dot_product_attention(q, k, v, attn_mask=mask), v[:, None, 2])
    # Every key masked: the row is all zeros, not NaN.
    assert np.all(scaled_dot_product_attention(q, k, v, attn_mask=np.zeros((3, 5), bool)) == 0)
    causal = scaled_dot_product_attention(q, k, v, is_causal=True)
    assert np.allclose(causal[:, 0], v[:, 0])  # the first query sees only the first key
    # Multi-head attention with identity-like weights still returns (..., L, d).
    d, h = 4, 2
    x = rng.normal(size=(2, 3, d))
    w = rng.normal(size=(4, d, d)) / np.sqrt(d)
    y, att = multi_head_attention(
        x, x, x, h, np.concatenate(w[:3]), np.zeros(3 * d), w[3], np.zeros(d)
    )
    assert y.shape == (2, 3, d)
    assert att.shape == (2, 3, 3)
    assert np.allclose(att.sum(axis=-1), 1)
    assert np.allclose(y, mha_whiteboard(x, w[0].T, w[1].T, w[2].T, w[3].T, h))
    print("attention output:", out[0, 0].round(3))
