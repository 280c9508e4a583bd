"""KV-cache decoding against full recomputation, the bottom-right causal mask against a loop
(and torch's causal_lower_right where installed), and the cache's bytes against the formula."""

import llm.kv_cache
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llm.kv_cache import (
    cached_attention,
    causal_mask,
    empty_cache,
    forward,
    generate,
    init_params,
    kv_attention_step_whiteboard,
)
from transformer.attention import scaled_dot_product_attention
from transformer.block import rms_norm, swiglu_ffn
from transformer.efficient import kv_cache_bytes
from transformer.positional import apply_rope

rng = np.random.default_rng(0)


@pytest.mark.parametrize(("n_heads", "n_kv_heads"), [(4, 4), (4, 2), (4, 1)])  # MHA, GQA, MQA
@pytest.mark.parametrize("seed", [0, 1])
def test_greedy_generation_with_cache_equals_without(n_heads, n_kv_heads, seed):
    params = init_params(n_heads=n_heads, n_kv_heads=n_kv_heads, seed=seed)
    # Its own generator: the module's rng would make the prompt depend on the test order.
    prompt = np.random.default_rng(seed).integers(0, 50, size=5).tolist()
    tokens = generate(params, prompt, 10)
    assert tokens == generate(params, prompt, 10, use_cache=False)
    assert len(set(tokens)) > 1  # not a degenerate model that repeats one token


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(0, 1000))
def test_any_chunking_gives_the_full_forward_logits(chunks, seed):
    params = init_params(seed=seed)
    tokens = np.random.default_rng(seed).integers(0, 50, size=sum(chunks))
    full, full_cache = forward(params, tokens)
    cache, start, pieces = None, 0, []
    for n in chunks:
        logits, cache = forward(params, tokens[start : start + n], cache)
        pieces.append(logits)
        start += n
    np.testing.assert_allclose(np.concatenate(pieces), full, rtol=1e-10, atol=1e-12)
    for (k, v), (k_full, v_full) in zip(cache, full_cache, strict=True):
        np.testing.assert_allclose(k, k_full, atol=1e-12)
        np.testing.assert_allclose(v, v_full, atol=1e-12)


def attention_loop(q, k, v, n_past):
    """Query i of the new ones sits at position n_past + i and sees keys 0 .. n_past + i."""
    hq, hkv = q.shape[0], k.shape[0]
    out = np.zeros_like(q)
    for h in range(hq):
        g = h // (hq // hkv)
        for i in range(q.shape[1]):
            keys = k[g, : n_past + i + 1]
            s = keys @ q[h, i] / np.sqrt(q.shape[-1])
            p = np.exp(s - s.max())
            out[h, i] = (p / p.sum()) @ v[g, : n_past + i + 1]
    return out


@pytest.mark.parametrize(("n_past", "n_new"), [(0, 5), (4, 1), (3, 3)])
def test_cached_attention_matches_a_loop_over_positions(n_past, n_new):
    q = rng.normal(size=(6, n_new, 8))
    k_past, v_past = rng.normal(size=(2, 2, n_past, 8))
    k_new, v_new = rng.normal(size=(2, 2, n_new, 8))
    out, k, v = cached_attention(q, k_new, v_new, k_past, v_past)
    assert k.shape == v.shape == (2, n_past + n_new, 8)
    np.testing.assert_allclose(out, attention_loop(q, k, v, n_past), rtol=1e-12)


def test_top_left_causal_mask_is_wrong_with_a_cache():
    """is_causal=True in torch's SDPA aligns the mask top-left: a single new query would see
    only the first key. With a cache the new queries are the last rows (bottom-right)."""
    q, k, v = rng.normal(size=(1, 1, 8)), rng.normal(size=(1, 6, 8)), rng.normal(size=(1, 6, 4))
    top_left = scaled_dot_product_attention(q, k, v, is_causal=True)
    np.testing.assert_allclose(top_left[0, 0], v[0, 0])  # only key 0: wrong
    right, _, _ = cached_attention(q, k[:, 5:], v[:, 5:], k[:, :5], v[:, :5])
    np.testing.assert_allclose(right, scaled_dot_product_attention(q, k, v))  # sees all 6
    assert not np.allclose(top_left, right)
    # Without a cache (L == S) the two alignments are the same mask.
    np.testing.assert_array_equal(causal_mask(4, 4), np.tril(np.ones((4, 4), dtype=bool)))


def test_causal_mask_matches_torch_causal_lower_right():
    torch = pytest.importorskip("torch", reason="torch.nn.attention.bias defines both alignments")
    bias = pytest.importorskip("torch.nn.attention.bias", reason="needs torch >= 2.2")
    for n_new, n_total in [(1, 5), (3, 7), (4, 4)]:
        expected = bias.causal_lower_right(n_new, n_total)._materialize(torch.device("cpu"))
        np.testing.assert_array_equal(causal_mask(n_new, n_total), expected.numpy())


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 8), st.integers(1, 6), st.integers(0, 1000))
def test_whiteboard_step_matches_full_version(n_tokens, d, seed):
    r = np.random.default_rng(seed)
    x = r.normal(size=(n_tokens, d))
    w_q, w_k, w_v = r.normal(size=(3, d, d))
    cache = {"k": np.zeros((0, d)), "v": np.zeros((0, d))}
    steps = np.array([kv_attention_step_whiteboard(t, w_q, w_k, w_v, cache) for t in x])
    # The full version, fed one token at a time (one head), and plain causal attention.
    k_c, v_c = np.zeros((1, 0, d)), np.zeros((1, 0, d))
    for i, t in enumerate(x):
        q, k, v = ((t @ w)[None, None] for w in (w_q, w_k, w_v))
        out, k_c, v_c = cached_attention(q, k, v, k_c, v_c)
        np.testing.assert_allclose(steps[i], out[0, 0], rtol=1e-10, atol=1e-12)
    full = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v, is_causal=True)
    np.testing.assert_allclose(steps, full, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("p", "n"), [(5, 4), (3, 1), (2, 0)])
def test_generation_processes_the_positions_the_page_counts(monkeypatch, p, n):
    """With the cache: p (prefill) + n - 1 (one per new token but the last); without:
    sum over steps j = 1..n of p + j - 1 = n p + n (n - 1) / 2."""
    calls = []

    def counting_forward(params, tokens, cache=None):
        calls.append(len(tokens))
        return forward(params, tokens, cache)

    monkeypatch.setattr(llm.kv_cache, "forward", counting_forward)
    params, prompt = init_params(), list(range(1, p + 1))
    generate(params, prompt, n)
    assert calls == ([p] + [1] * (n - 1) if n else [])
    assert sum(calls) == (p + n - 1 if n else 0)
    calls.clear()
    generate(params, prompt, n, use_cache=False)
    assert calls == [p + j - 1 for j in range(1, n + 1)]
    assert sum(calls) == n * p + n * (n - 1) // 2


def test_cache_bytes_follow_the_formula():
    params = init_params(n_layers=3, n_heads=4, n_kv_heads=2, d_model=32)
    _, cache = forward(params, np.arange(7))
    assert all(k.shape == (2, 7, 8) for k, _ in cache)
    stored = sum(k.nbytes + v.nbytes for k, v in cache)
    assert stored == kv_cache_bytes(3, 2, 8, 7, bytes_per_value=8)  # float64 here


def llama_reference(params, tokens):
    """The plain full-sequence forward pass, written out: x += Attn(RMSNorm(x)) with torch's
    top-left causal mask (right without a cache), then x += FFN(RMSNorm(x)), per layer."""
    n, hq, hkv, hd = len(tokens), params["n_heads"], params["n_kv_heads"], params["head_dim"]
    x, positions = params["embed"][tokens], np.arange(n)
    for layer in params["layers"]:
        h = rms_norm(x, layer["attn_norm"])
        q, k, v = (
            (h @ layer[w].T).reshape(n, -1, hd).transpose(1, 0, 2) for w in ["w_q", "w_k", "w_v"]
        )
        q, k = apply_rope(q, positions), apply_rope(k, positions)
        k, v = np.repeat(k, hq // hkv, axis=0), np.repeat(v, hq // hkv, axis=0)
        out = scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + out.transpose(1, 0, 2).reshape(n, hq * hd) @ layer["w_o"].T
        x = x + swiglu_ffn(
            rms_norm(x, layer["ffn_norm"]), layer["w_gate"], layer["w_up"], layer["w_down"]
        )
    return rms_norm(x, params["final_norm"]) @ params["lm_head"].T


def test_forward_is_the_pre_norm_residual_llama_pass():
    params = init_params(seed=3)
    r = np.random.default_rng(3)
    for layer in params["layers"]:  # trained RMSNorm weights are not all ones
        layer["attn_norm"], layer["ffn_norm"] = r.uniform(0.5, 2, size=(2, 32))
    params["final_norm"] = r.uniform(0.5, 2, size=32)
    tokens = r.integers(0, 50, size=7)
    logits, _ = forward(params, tokens)
    np.testing.assert_allclose(logits, llama_reference(params, tokens), rtol=1e-10, atol=1e-12)


def test_one_layer_model_decodes_with_its_cache():
    params = init_params(n_layers=1, seed=2)
    full, _ = forward(params, [5, 1, 4, 0])
    _, cache = forward(params, [5, 1, 4])
    step, _ = forward(params, [0], cache)  # position 3, after the three cached tokens
    np.testing.assert_allclose(step, full[3:], rtol=1e-10, atol=1e-12)


def test_default_model_and_seed():
    params = init_params()
    assert params["embed"].shape == (50, 32)
    assert len(params["layers"]) == 2
    assert (params["n_heads"], params["n_kv_heads"], params["head_dim"]) == (4, 2, 8)
    layer = params["layers"][0]
    assert layer["w_q"].shape == layer["w_o"].T.shape == (32, 32)
    assert layer["w_k"].shape == layer["w_v"].shape == (16, 32)
    assert layer["w_gate"].shape == layer["w_down"].T.shape == (64, 32)
    np.testing.assert_array_equal(params["lm_head"], init_params(seed=0)["lm_head"])
    assert not np.allclose(params["lm_head"], init_params(seed=1)["lm_head"])


def test_weights_are_scaled_by_fan_in():
    """w / sqrt(in): each output of a linear layer has variance about 1 for unit inputs."""
    layer = init_params(d_model=256, n_heads=8, n_kv_heads=8, d_ff=512, seed=1)["layers"][0]
    for name, fan_in in [("w_q", 256), ("w_o", 256), ("w_gate", 256), ("w_down", 512)]:
        assert np.isclose(layer[name].std(), 1 / np.sqrt(fan_in), rtol=0.05)


def test_whiteboard_step_is_stable_for_large_scores():
    # Scores in the thousands: exp overflows unless the largest score is subtracted first.
    r = np.random.default_rng(4)
    x, (w_q, w_k, w_v) = r.normal(size=(3, 8)) * 30, r.normal(size=(3, 8, 8))
    cache = {"k": np.zeros((0, 8)), "v": np.zeros((0, 8))}
    steps = np.array([kv_attention_step_whiteboard(t, w_q, w_k, w_v, cache) for t in x])
    full = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v, is_causal=True)
    assert np.abs(cache["k"] @ (x[-1] @ w_q)).max() / np.sqrt(8) > 1000
    np.testing.assert_allclose(steps, full, rtol=1e-10, atol=1e-12)


def test_generate_returns_only_the_new_greedy_tokens():
    params, prompt = init_params(seed=1), [7, 3, 9]
    tokens = generate(params, prompt, 4)
    assert len(tokens) == 4
    logits, _ = forward(params, prompt)
    assert tokens[0] == int(np.argmax(logits[-1]))
    logits, _ = forward(params, prompt + tokens[:3])
    assert tokens[3] == int(np.argmax(logits[-1]))


@pytest.mark.parametrize(
    "name", ["vocab_size", "d_model", "n_layers", "n_heads", "n_kv_heads", "d_ff"]
)
@pytest.mark.parametrize("value", [0, 2.0, True])
def test_init_params_names_the_bad_size(name, value):
    with pytest.raises(ValueError, match=rf"^{name} must be a positive int, got {value!r}$"):
        init_params(**{name: value})


@pytest.mark.parametrize(
    ("d_model", "n_heads", "n_kv_heads"),
    [(34, 4, 2), (12, 4, 2), (32, 4, 3)],  # 4 does not divide 34; head_dim 3 is odd; 3 ∤ 4
)
def test_init_params_rejects_each_bad_head_split(d_model, n_heads, n_kv_heads):
    message = r"^need d_model = n_heads \* even head_dim and n_kv_heads \| n_heads$"
    with pytest.raises(ValueError, match=message):
        init_params(d_model=d_model, n_heads=n_heads, n_kv_heads=n_kv_heads)


def test_bad_input():
    params = init_params()
    with pytest.raises(ValueError, match="non-empty 1-D array of ints"):
        forward(params, [])
    with pytest.raises(ValueError, match="non-empty 1-D array of ints"):
        forward(params, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"in \[0, 50\)"):
        forward(params, [3, 50])
    with pytest.raises(ValueError, match=r"in \[0, 50\)"):
        forward(params, [-1, 3])  # embed[-1] would silently be the last token
    with pytest.raises(ValueError, match="non-empty 1-D array of ints"):
        forward(params, [[1, 2]])
    assert forward(params, [0, 49])[0].shape == (2, 50)
    with pytest.raises(ValueError, match="one \\(k, v\\) per layer"):
        forward(params, [1], empty_cache(params)[:1])
    with pytest.raises(ValueError, match="max_new_tokens must be >= 0"):
        generate(params, [1], -1)
    with pytest.raises(TypeError, match=r"^max_new_tokens must be an int, got float$"):
        generate(params, [1], 2.0)
    with pytest.raises(TypeError, match=r"^max_new_tokens must be an int, got bool$"):
        generate(params, [1], True)
    with pytest.raises(ValueError, match=r"^prompt must hold at least one token$"):
        generate(params, [], 0)
    with pytest.raises(ValueError, match="n_kv_heads"):
        init_params(n_heads=4, n_kv_heads=3)
    with pytest.raises(ValueError, match="d_model must be a positive int"):
        init_params(d_model=0)
