"""A tiny Llama-style decoder in numpy, with and without a KV cache.

Built from the Transformer chapter's snippets, so this file needs snippets/transformer/
attention.py, positional.py and block.py next to it (on the import path): pre-norm RMSNorm,
RoPE on q and k, grouped-query attention, a SwiGLU feed-forward layer.
Generating with the cache must give exactly the tokens that recomputing the whole sequence
at every step gives.
"""

# --8<-- [start:imports]
import numpy as np
from transformer.attention import scaled_dot_product_attention
from transformer.block import rms_norm, swiglu_ffn
from transformer.positional import apply_rope

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def kv_attention_step_whiteboard(x, w_q, w_k, w_v, cache):
    """One decoding step of one attention head: x (d,) is the newest token's input,
    cache = {"k": (t, d_k), "v": (t, d_k)} holds the keys and values of the t tokens before it."""
    q, k, v = x @ w_q, x @ w_k, x @ w_v  # 只为新 token 算投影
    cache["k"] = np.vstack([cache["k"], k])  # 追加到缓存：(t + 1, d_k)
    cache["v"] = np.vstack([cache["v"], v])
    s = cache["k"] @ q / np.sqrt(len(q))  # 新 query 对所有 key 的分数，(t + 1,)
    p = np.exp(s - s.max())
    p = p / p.sum()  # 新 token 在最后，能看到全部 key：不需要掩码
    return p @ cache["v"]


# --8<-- [end:whiteboard]


# --8<-- [start:attention]
def causal_mask(n_new: int, n_total: int) -> np.ndarray:
    """(n_new, n_total) boolean mask, True = may attend. The new queries are the LAST n_new
    positions, so query i sits at position n_total - n_new + i (bottom-right aligned)."""
    return np.tril(np.ones((n_new, n_total), dtype=bool), k=n_total - n_new)


def cached_attention(q, k_new, v_new, k_cache, v_cache):
    """q (Hq, L, d) for L new tokens; k_new, v_new (Hkv, L, d); caches (Hkv, S_past, d).

    Appends the new keys and values to the cache and lets each new query attend to every
    cached token and to the new tokens up to itself. Query head h uses key/value head
    h // (Hq // Hkv), as in grouped-query attention. Returns (output (Hq, L, d), k, v)."""
    k = np.concatenate([k_cache, k_new], axis=-2)  # (Hkv, S_past + L, d)
    v = np.concatenate([v_cache, v_new], axis=-2)
    group = q.shape[0] // k.shape[0]
    mask = causal_mask(q.shape[-2], k.shape[-2])
    out = scaled_dot_product_attention(
        q, np.repeat(k, group, axis=0), np.repeat(v, group, axis=0), attn_mask=mask
    )
    return out, k, v


# --8<-- [end:attention]


# --8<-- [start:model]
def init_params(
    vocab_size=50, d_model=32, n_layers=2, n_heads=4, n_kv_heads=2, d_ff=64, seed=0
) -> dict:
    """Random weights in nn.Linear's (out, in) layout; scaled so activations stay O(1)."""
    for name, n in [("vocab_size", vocab_size), ("d_model", d_model), ("n_layers", n_layers),
                    ("n_heads", n_heads), ("n_kv_heads", n_kv_heads), ("d_ff", d_ff)]:  # fmt: skip
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"{name} must be a positive int, got {n!r}")
    head_dim = d_model // n_heads
    if d_model % n_heads or head_dim % 2 or n_heads % n_kv_heads:
        raise ValueError("need d_model = n_heads * even head_dim and n_kv_heads | n_heads")
    rng = np.random.default_rng(seed)

    def w(rows, cols):
        return rng.normal(size=(rows, cols)) / np.sqrt(cols)

    layers = [
        {
            "attn_norm": np.ones(d_model),
            "w_q": w(n_heads * head_dim, d_model),
            "w_k": w(n_kv_heads * head_dim, d_model),
            "w_v": w(n_kv_heads * head_dim, d_model),
            "w_o": w(d_model, n_heads * head_dim),
            "ffn_norm": np.ones(d_model),
            "w_gate": w(d_ff, d_model),
            "w_up": w(d_ff, d_model),
            "w_down": w(d_model, d_ff),
        }
        for _ in range(n_layers)
    ]
    embed = rng.normal(size=(vocab_size, d_model))
    config = {"n_heads": n_heads, "n_kv_heads": n_kv_heads, "head_dim": head_dim}
    head = {"final_norm": np.ones(d_model), "lm_head": w(vocab_size, d_model)}
    return {"embed": embed, "layers": layers, **head, **config}


def empty_cache(params: dict) -> list[tuple[np.ndarray, np.ndarray]]:
    """One (k, v) pair per layer, each (n_kv_heads, 0, head_dim)."""
    shape = (params["n_kv_heads"], 0, params["head_dim"])
    return [(np.zeros(shape), np.zeros(shape)) for _ in params["layers"]]


def forward(params: dict, tokens, cache=None):
    """Logits (L, vocab) for L new tokens that follow the cached ones, and the new cache.

    cache=None starts from an empty cache, so forward(params, all_tokens) is the plain
    full-sequence forward pass. Positions continue from the cache length (RoPE)."""
    tokens = np.asarray(tokens)
    if tokens.ndim != 1 or not np.issubdtype(tokens.dtype, np.integer) or len(tokens) == 0:
        raise ValueError(f"tokens must be a non-empty 1-D array of ints, got {tokens!r}")
    if tokens.min() < 0 or tokens.max() >= len(params["embed"]):
        raise ValueError(f"tokens must be in [0, {len(params['embed'])})")
    cache = empty_cache(params) if cache is None else cache
    if len(cache) != len(params["layers"]):
        raise ValueError(f"cache needs one (k, v) per layer: {len(params['layers'])}")
    past = cache[0][0].shape[-2]
    positions = np.arange(past, past + len(tokens))
    hq, hkv, hd = params["n_heads"], params["n_kv_heads"], params["head_dim"]

    def heads(t, n):  # (L, n * hd) -> (n, L, hd)
        return t.reshape(len(tokens), n, hd).transpose(1, 0, 2)

    x = params["embed"][tokens]  # (L, d)
    new_cache = []
    for layer, (k_cache, v_cache) in zip(params["layers"], cache, strict=True):
        h = rms_norm(x, layer["attn_norm"])
        q = apply_rope(heads(h @ layer["w_q"].T, hq), positions)
        k = apply_rope(heads(h @ layer["w_k"].T, hkv), positions)
        v = heads(h @ layer["w_v"].T, hkv)
        out, k_all, v_all = cached_attention(q, k, v, k_cache, v_cache)
        new_cache.append((k_all, v_all))
        x = x + out.transpose(1, 0, 2).reshape(len(tokens), hq * hd) @ layer["w_o"].T
        h = rms_norm(x, layer["ffn_norm"])
        x = x + swiglu_ffn(h, layer["w_gate"], layer["w_up"], layer["w_down"])
    logits = rms_norm(x, params["final_norm"]) @ params["lm_head"].T
    return logits, new_cache


def generate(params: dict, prompt, max_new_tokens: int, use_cache: bool = True) -> list[int]:
    """Greedy decoding. With the cache: one forward pass over the prompt (prefill), then one
    per new token except the last, p + n - 1 positions in all. Without: the whole sequence
    again at every step."""
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int):
        raise TypeError(f"max_new_tokens must be an int, got {type(max_new_tokens).__name__}")
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be >= 0, got {max_new_tokens}")
    seq = [int(t) for t in prompt]
    if not seq:
        raise ValueError("prompt must hold at least one token")
    cache, new = None, list(seq)  # new: the tokens the cache does not hold yet
    for _ in range(max_new_tokens):
        if use_cache:
            logits, cache = forward(params, new, cache)  # prefill, then one token per step
        else:
            logits, _ = forward(params, seq)
        seq.append(int(np.argmax(logits[-1])))
        new = seq[-1:]
    return seq[len(prompt) :]


# --8<-- [end:model]


# --8<-- [start:plot]
def plot_kv_cache_memory(n_layers: int = 32, n_heads: int = 32, head_dim: int = 128):
    """KV-cache size of a Llama-2-7B-shaped model (fp16, batch 1) against context length."""
    import matplotlib.pyplot as plt
    from transformer.efficient import kv_cache_bytes

    lengths = 2 ** np.arange(9, 18)  # 512 ... 131072 tokens
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for kv_heads, style in [(n_heads, "o-"), (8, "s-"), (1, "^-")]:
        name = {n_heads: "MHA", 1: "MQA"}.get(kv_heads, "GQA")
        gib = [kv_cache_bytes(n_layers, kv_heads, head_dim, int(n)) / 2**30 for n in lengths]
        ax.plot(lengths, gib, style, ms=4, label=f"{name}：{kv_heads} 组 K/V")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("上下文长度（token）")
    ax.set_ylabel("KV cache（GiB，fp16，batch 1）")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    params = init_params()
    prompt = [3, 14, 15, 9, 2, 6]
    with_cache = generate(params, prompt, 8)
    assert with_cache == generate(params, prompt, 8, use_cache=False)
    full, _ = forward(params, prompt)
    _, cache = forward(params, prompt[:4])
    step, _ = forward(params, prompt[4:], cache)  # two new tokens after four cached ones
    assert np.allclose(step, full[4:])
    assert causal_mask(2, 5).tolist() == [[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]]
    print("greedy tokens:", with_cache)
