"""The cost of attention and the exact ways around it, in numpy: the online-softmax
recurrence, blockwise (FlashAttention-style) attention, grouped-query attention, and
the size of the KV cache."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard_online_softmax]
def online_softmax_whiteboard(x, block=4):
    """online softmax：分块扫一遍 x，维护最大值 m 和以 m 为基准的指数和 z，最后一次归一化。"""
    m, z = -np.inf, 0.0  # 目前见过的最大值、以 m 为基准的指数和
    for j in range(0, len(x), block):
        b = x[j : j + block]
        m_new = max(m, b.max())
        z = z * np.exp(m - m_new) + np.exp(b - m_new).sum()  # 旧的和换到新基准
        m = m_new
    return np.exp(x - m) / z


# --8<-- [end:whiteboard_online_softmax]


# --8<-- [start:whiteboard_flash]
def flash_attention_whiteboard(q, k, v, block=64):
    """FlashAttention 前向：q (L, E)，k (S, E)，v (S, Ev)，按 key 分块，不存 L × S 的矩阵。"""
    L, scale = q.shape[0], 1 / np.sqrt(q.shape[1])
    m, z = np.full(L, -np.inf), np.zeros(L)
    o = np.zeros((L, v.shape[1]))
    for j in range(0, k.shape[0], block):
        s = q @ k[j : j + block].T * scale  # (L, block)
        m_new = np.maximum(m, s.max(axis=1))
        p = np.exp(s - m_new[:, None])
        alpha = np.exp(m - m_new)  # 旧结果的修正系数
        z = alpha * z + p.sum(axis=1)
        o = alpha[:, None] * o + p @ v[j : j + block]
        m = m_new
    return o / z[:, None]


# --8<-- [end:whiteboard_flash]


# --8<-- [start:whiteboard_gqa]
def gqa_whiteboard(q, k, v):
    """GQA：q (Hq, L, E)，k、v (Hkv, S, E)，每 Hq / Hkv 个 query 头共用一组 K、V。"""
    g = q.shape[0] // k.shape[0]
    k, v = np.repeat(k, g, axis=0), np.repeat(v, g, axis=0)  # 头 h 用第 h // g 组
    s = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True) @ v


# --8<-- [end:whiteboard_gqa]


# --8<-- [start:check]
def _as_float_array(name: str, x: object) -> np.ndarray:
    """x as a float64 array; TypeError for anything that is not real numbers."""
    a = np.asarray(x)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    return a.astype(np.float64)  # pragma: no mutate (astype(None) also gives float64)


def _positive_int(name: str, n: object) -> int:
    """n as an int >= 1; TypeError for non-integers, ValueError for n < 1."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{name} must be >= 1, got {n}")
    return int(n)


def _check_qkv(query, key, value, scale) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(..., L, E), (..., S, E), (..., S, Ev) as float arrays, and the scale (default 1/sqrt(E))."""
    q, k, v = (_as_float_array(n, a) for n, a in (("query", query), ("key", key), ("value", value)))
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError("query, key and value need at least 2 axes: (..., seq, features)")
    if q.shape[-1] != k.shape[-1] or q.shape[-1] == 0:
        raise ValueError(f"query and key need the same non-zero E, got {q.shape} and {k.shape}")
    if k.shape[-2] != v.shape[-2] or k.shape[-2] == 0:
        raise ValueError(f"key and value need the same non-zero S, got {k.shape} and {v.shape}")
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else float(scale)
    return q, k, v, scale


def _check_bool_mask(attn_mask, is_causal: bool, L: int, S: int) -> np.ndarray | None:
    """attn_mask broadcast to (..., L, S), True = may attend; None when there is none."""
    if attn_mask is None:
        return None
    if is_causal:
        raise ValueError("pass either attn_mask or is_causal=True, not both")
    mask = np.asarray(attn_mask)
    if mask.dtype != bool:
        raise TypeError(f"attn_mask must be a bool array (True = may attend), got {mask.dtype}")
    if mask.ndim < 2:
        raise ValueError(f"attn_mask needs shape (..., {L}, {S}), got {mask.shape}")
    try:
        return np.broadcast_to(mask, (*mask.shape[:-2], L, S))
    except ValueError:
        raise ValueError(f"attn_mask {mask.shape} does not broadcast to (..., {L}, {S})") from None


# --8<-- [end:check]


# --8<-- [start:online_softmax]
def online_softmax(x: np.ndarray, block_size: int) -> np.ndarray:
    """Softmax over the last axis, block_size entries at a time: one pass for the normaliser
    (running max and sum, O(1) state), one for the outputs; the naive way needs three."""
    x = _as_float_array("x", x)
    block_size = _positive_int("block_size", block_size)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(f"x needs a non-empty last axis, got shape {x.shape}")
    m = np.full(x.shape[:-1], -np.inf)  # running maximum
    z = np.zeros(x.shape[:-1])  # running sum of exp(x - m)
    for j in range(0, x.shape[-1], block_size):
        b = x[..., j : j + block_size]
        m_new = np.maximum(m, b.max(axis=-1))
        shift = np.where(np.isneginf(m_new), 0.0, m_new)  # a row of -inf so far: nothing to move
        z = z * np.exp(m - shift) + np.exp(b - shift[..., None]).sum(axis=-1)
        m = m_new
    # A row of only -inf gives 0 / 0 = NaN, as torch.softmax does.
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.exp(x - m[..., None]) / z[..., None]


# --8<-- [end:online_softmax]


# --8<-- [start:blockwise_attention]
def blockwise_attention(
    query: np.ndarray,
    key: np.ndarray,
    value: np.ndarray,
    block_size: int = 64,  # pragma: no mutate (the default only changes rounding)
    is_causal: bool = False,
    scale: float | None = None,
    attn_mask: np.ndarray | None = None,
) -> np.ndarray:
    """Exact attention over key blocks with the online softmax; never forms the L x S scores.

    attn_mask: bool, broadcastable to (..., L, S), True = may attend (torch's convention);
    a query that may attend to no key gets zeros, as torch's scaled_dot_product_attention.
    """
    q, k, v, scale = _check_qkv(query, key, value, scale)
    block_size = _positive_int("block_size", block_size)
    L, S = q.shape[-2], k.shape[-2]
    mask = _check_bool_mask(attn_mask, is_causal, L, S)
    mask_batch = () if mask is None else mask.shape[:-2]
    batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2], mask_batch)
    m = np.full((*batch, L), -np.inf)  # running maximum of each query's scores
    z = np.zeros((*batch, L))  # running sum of exp(score - m)
    o = np.zeros((*batch, L, v.shape[-1]))  # running, unnormalised output
    rows = np.arange(L)[:, None]
    for j in range(0, S, block_size):
        s = q @ np.swapaxes(k[..., j : j + block_size, :], -1, -2) * scale  # (..., L, block)
        if mask is not None:
            s = np.where(mask[..., j : j + block_size], s, -np.inf)
        elif is_causal:  # top-left aligned, as torch: query i sees keys 0..i
            s = np.where(np.arange(j, min(j + block_size, S)) <= rows, s, -np.inf)
        m_new = np.maximum(m, s.max(axis=-1))
        shift = np.where(np.isneginf(m_new), 0.0, m_new)  # every key so far masked
        p = np.exp(s - shift[..., None])
        alpha = np.exp(m - shift)
        z = alpha * z + p.sum(axis=-1)
        o = alpha[..., None] * o + p @ v[..., j : j + block_size, :]
        m = m_new
    return np.divide(o, z[..., None], out=np.zeros_like(o), where=z[..., None] > 0)


# --8<-- [end:blockwise_attention]


# --8<-- [start:gqa]
def grouped_query_attention(
    query: np.ndarray,
    key: np.ndarray,
    value: np.ndarray,
    is_causal: bool = False,
    scale: float | None = None,
) -> np.ndarray:
    """Hq query heads sharing Hkv key/value heads: (..., Hq, L, E) -> (..., Hq, L, Ev).

    Query head h reads key/value head h // (Hq // Hkv), as torch's enable_gqa=True does.
    Hkv = Hq is multi-head attention; Hkv = 1 is multi-query attention.
    """
    q, k, v, scale = _check_qkv(query, key, value, scale)
    if q.ndim < 3 or k.ndim < 3 or v.ndim < 3:
        raise ValueError("query, key and value need a head axis: (..., heads, seq, features)")
    hq, hkv = q.shape[-3], k.shape[-3]
    if v.shape[-3] != hkv or hkv == 0 or hq % hkv != 0:
        raise ValueError(f"key/value heads ({hkv}, {v.shape[-3]}) must be equal and divide {hq}")
    group = hq // hkv
    k = np.repeat(k, group, axis=-3)  # (..., Hq, S, E): copies only here, not in a real kernel
    v = np.repeat(v, group, axis=-3)
    s = q @ np.swapaxes(k, -1, -2) * scale
    if is_causal:
        s = np.where(np.tril(np.ones((q.shape[-2], k.shape[-2]), dtype=bool)), s, -np.inf)
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True) @ v


# --8<-- [end:gqa]


# --8<-- [start:kv_cache]
def kv_cache_bytes(
    n_layers: int,
    n_kv_heads: int,
    head_dim: int,
    seq_len: int,
    batch_size: int = 1,
    bytes_per_value: int = 2,
) -> int:
    """KV-cache bytes: 2 (K and V) * layers * kv_heads * head_dim * tokens * batch * bytes."""
    args = {
        "n_layers": n_layers,
        "n_kv_heads": n_kv_heads,
        "head_dim": head_dim,
        "seq_len": seq_len,
        "batch_size": batch_size,
        "bytes_per_value": bytes_per_value,
    }
    n = [_positive_int(name, value) for name, value in args.items()]
    return 2 * int(np.prod(n, dtype=object))  # Python ints: no overflow for large configs


# --8<-- [end:kv_cache]


# --8<-- [start:plot]
def attention_score_bytes(seq_len, n_heads: int = 32, bytes_per_value: int = 2):
    """Bytes of one layer's L x L score matrices (all heads) for a batch of one."""
    return np.asarray(seq_len, dtype=np.float64) ** 2 * n_heads * bytes_per_value


def plot_attention_memory(n_heads: int = 32, d_model: int = 4096):
    """One layer's memory against sequence length: the n^2 score matrices vs n-sized K and V."""
    import matplotlib.pyplot as plt

    n = 2.0 ** np.arange(9, 17)  # 512 ... 65536 tokens
    gib = 2.0**30
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.plot(n, attention_score_bytes(n, n_heads) / gib, "o-", label=f"注意力分数 {n_heads} 头 (n²)")
    ax.plot(n, 2 * n * d_model * 2 / gib, "s-", label="K 和 V (n)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("序列长度 n（token）")
    ax.set_ylabel("一层的显存（GiB，fp16）")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    x = np.array([1.0, 3.0, -2.0, 0.5, 4.0])
    expected = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    assert np.allclose(online_softmax(x, block_size=2), expected)
    assert np.allclose(online_softmax_whiteboard(x, block=2), expected)
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(5, 8)), rng.normal(size=(7, 8)), rng.normal(size=(7, 3))
    s = q @ k.T / np.sqrt(8)
    full = np.exp(s - s.max(1, keepdims=True))
    full = full / full.sum(1, keepdims=True) @ v
    assert np.allclose(blockwise_attention(q, k, v, block_size=3), full)
    assert np.allclose(flash_attention_whiteboard(q, k, v, block=3), full)
    assert kv_cache_bytes(32, 32, 128, 4096) == 2 * 2**30  # Llama 2 7B, fp16: 2 GiB
    print(f"Llama 2 7B KV cache at 4096 tokens: {kv_cache_bytes(32, 32, 128, 4096) / 2**30} GiB")
