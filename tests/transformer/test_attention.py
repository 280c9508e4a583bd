"""Attention against a loop-by-loop reference, hand cases and PyTorch (where installed)."""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformer.attention import (
    attention_weights,
    attention_whiteboard,
    masked_softmax,
    mha_whiteboard,
    multi_head_attention,
    scaled_dot_product_attention,
)


def attention_by_loops(q, k, v, allowed=None, bias=None, scale=None):
    """One query at a time: scores, max-shifted exp over the allowed keys, weighted sum."""
    L, E = q.shape
    S, Ev = v.shape
    scale = 1 / math.sqrt(E) if scale is None else scale
    out = np.zeros((L, Ev))
    for i in range(L):
        scores = []
        for j in range(S):
            if allowed is not None and not allowed[i][j]:
                continue
            s = sum(q[i, t] * k[j, t] for t in range(E)) * scale
            scores.append((j, s + (0.0 if bias is None else bias[i][j])))
        finite = [(j, s) for j, s in scores if s != -math.inf]
        if not finite:
            continue  # every key masked: the row stays zero
        top = max(s for _, s in finite)
        total = sum(math.exp(s - top) for _, s in finite)
        for j, s in finite:
            out[i] += math.exp(s - top) / total * v[j]
    return out


RNG = np.random.default_rng(0)


def test_matches_loops_without_and_with_masks():
    q, k, v = RNG.normal(size=(3, 4)), RNG.normal(size=(5, 4)), RNG.normal(size=(5, 2))
    np.testing.assert_allclose(scaled_dot_product_attention(q, k, v), attention_by_loops(q, k, v))
    allowed = RNG.random((3, 5)) < 0.6
    allowed[:, 0] = True
    np.testing.assert_allclose(
        scaled_dot_product_attention(q, k, v, attn_mask=allowed),
        attention_by_loops(q, k, v, allowed=allowed),
    )
    bias = RNG.normal(size=(3, 5))
    np.testing.assert_allclose(
        scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=0.3),
        attention_by_loops(q, k, v, bias=bias, scale=0.3),
    )


def test_causal_is_top_left_aligned_for_rectangular_scores():
    q, k, v = RNG.normal(size=(2, 4)), RNG.normal(size=(4, 4)), RNG.normal(size=(4, 3))
    # L = 2, S = 4: query 0 sees key 0, query 1 sees keys 0 and 1 (not the last two).
    allowed = [[True, False, False, False], [True, True, False, False]]
    np.testing.assert_allclose(
        scaled_dot_product_attention(q, k, v, is_causal=True),
        attention_by_loops(q, k, v, allowed=allowed),
    )
    w = attention_weights(RNG.normal(size=(5, 4)), k[:3], is_causal=True)  # L = 5 > S = 3
    np.testing.assert_array_equal(w > 0, np.tril(np.ones((5, 3), dtype=bool)))


def test_fully_masked_row_is_zero_but_large_negative_averages():
    q, k, v = RNG.normal(size=(2, 3)), RNG.normal(size=(4, 3)), RNG.normal(size=(4, 2))
    allowed = np.array([[True, True, False, False], [False] * 4])
    out = scaled_dot_product_attention(q, k, v, attn_mask=allowed)
    np.testing.assert_array_equal(out[1], 0.0)
    assert np.isfinite(out).all()
    minus_inf = np.where(allowed, 0.0, -np.inf)
    np.testing.assert_array_equal(scaled_dot_product_attention(q, k, v, attn_mask=minus_inf), out)
    # -1e9 instead of -inf: the same constant added to a whole row cancels in softmax, so a
    # fully masked row attends to every key as if it were not masked at all (float64) ...
    big_negative = np.where(allowed, 0.0, -1e9)
    out = scaled_dot_product_attention(q, k, v, attn_mask=big_negative)
    np.testing.assert_allclose(out[1], scaled_dot_product_attention(q, k, v)[1], rtol=1e-6)
    # ... or, in float32, where -1e9 + score rounds to -1e9, uniformly to every key.
    f32 = [a.astype(np.float32) for a in (q, k, v, big_negative)]
    out = scaled_dot_product_attention(*f32[:3], attn_mask=f32[3])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[1], v.mean(axis=0), rtol=1e-5)
    # No key at all behaves like every key masked.
    assert scaled_dot_product_attention(q, k[:0], v[:0]).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    # The whiteboard version does not handle it: NaN (said on the page).
    with np.errstate(invalid="ignore"):
        assert np.isnan(attention_whiteboard(q, k, v, allowed)[1]).all()


def test_softmax_is_stable_for_huge_scores():
    scores = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, 5.0, -np.inf]])
    np.testing.assert_allclose(masked_softmax(scores), [[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]])


def test_fully_masked_rows_raise_no_numpy_warning():
    """exp(scores - 0) on a row of -inf: no -inf - (-inf) = NaN on the way to the zeros."""
    scores = np.array([[-np.inf, -np.inf], [0.0, 1.0]])
    with np.errstate(all="raise"):
        weights = masked_softmax(scores)
    np.testing.assert_array_equal(weights[0], 0.0)


def test_whiteboard_softmax_subtracts_each_rows_own_maximum():
    # Scores near +2800 in one row and -2800 in the other: adding the maximum, or subtracting
    # one maximum for all rows, overflows the first row or underflows the second to 0 / 0.
    q, k = np.array([[40.0, 0.0], [-40.0, 0.0]]), np.array([[100.0, 0.0], [99.0, 0.0]])
    v = np.array([[1.0], [2.0]])
    with np.errstate(all="ignore"):
        out = attention_whiteboard(q, k, v)
    np.testing.assert_allclose(out, scaled_dot_product_attention(q, k, v))
    assert np.isfinite(out).all()


def test_batch_dimensions_broadcast():
    q = RNG.normal(size=(2, 3, 5, 4))  # (batch, heads, L, E)
    k, v = RNG.normal(size=(3, 6, 4)), RNG.normal(size=(3, 6, 2))  # shared over the batch
    mask = RNG.random((2, 1, 5, 6)) < 0.7  # one mask per batch item, for every head
    out = scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert out.shape == (2, 3, 5, 2)
    for b in range(2):
        for h in range(3):
            np.testing.assert_allclose(
                out[b, h], attention_by_loops(q[b, h], k[h], v[h], allowed=mask[b, 0])
            )


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_without_positions_attention_is_permutation_equivariant(n, s, d, seed):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(n, d)), rng.normal(size=(s, d)), rng.normal(size=(s, 3))
    out = scaled_dot_product_attention(q, k, v)
    p, r = rng.permutation(n), rng.permutation(s)
    # Permuting the queries permutes the output rows the same way ...
    np.testing.assert_allclose(scaled_dot_product_attention(q[p], k, v), out[p], atol=1e-12)
    # ... and shuffling the key-value pairs together changes nothing.
    np.testing.assert_allclose(scaled_dot_product_attention(q, k[r], v[r]), out, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 6), st.sampled_from([(4, 1), (4, 2), (6, 3)]), st.integers(0, 2**32 - 1))
def test_multi_head_self_attention_is_permutation_equivariant(n, d_h, seed):
    """The page's claim is about the layer (projections, heads, W_o), not only raw SDPA."""
    d, h = d_h
    rng = np.random.default_rng(seed)
    weights = random_mha_weights(rng, d)
    x, p = rng.normal(size=(2, n, d)), rng.permutation(n)
    out, att = multi_head_attention(x, x, x, h, *weights, average_attn_weights=False)
    out_p, att_p = multi_head_attention(
        x[:, p], x[:, p], x[:, p], h, *weights, average_attn_weights=False
    )
    np.testing.assert_allclose(out_p, out[:, p], atol=1e-12)
    np.testing.assert_allclose(att_p, att[..., p, :][..., p], atol=1e-12)  # P A Pᵀ per head


def test_a_causal_mask_breaks_the_equivariance():
    x = RNG.normal(size=(4, 3))
    p = np.array([3, 2, 1, 0])
    out = scaled_dot_product_attention(x, x, x, is_causal=True)
    assert not np.allclose(scaled_dot_product_attention(x[p], x[p], x[p], is_causal=True), out[p])


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 3), st.integers(1, 5), st.integers(1, 5), st.integers(1, 4),
    st.booleans(), st.integers(0, 2**32 - 1),
)  # fmt: skip
def test_whiteboard_matches_full_version(batch, n, s, d, masked, seed):
    rng = np.random.default_rng(seed)
    q, k, v = (rng.normal(size=(batch, m, d)) for m in (n, s, s))
    mask = None
    if masked:
        mask = rng.random((n, s)) < 0.5
        mask[:, rng.integers(s)] = True  # at least one key per row
    np.testing.assert_allclose(
        attention_whiteboard(q, k, v, mask), scaled_dot_product_attention(q, k, v, attn_mask=mask)
    )


def test_dot_product_variance_with_nonzero_means():
    """Var(q_i k_i) = σq²σk² + σq²μk² + μq²σk²; with zero means it is d·σq²σk² (page formula)."""
    rng = np.random.default_rng(8)
    d, m = 16, 200_000
    for (mu_q, s_q), (mu_k, s_k) in [((0.0, 2.0), (0.0, 0.5)), ((1.0, 2.0), (-0.5, 0.5))]:
        q, k = rng.normal(mu_q, s_q, size=(m, d)), rng.normal(mu_k, s_k, size=(m, d))
        dots = (q * k).sum(axis=1)
        expected = d * (s_q**2 * s_k**2 + s_q**2 * mu_k**2 + mu_q**2 * s_k**2)
        assert dots.var() == pytest.approx(expected, rel=0.03)
        assert dots.mean() == pytest.approx(d * mu_q * mu_k, abs=0.1)
    assert expected != pytest.approx(d * s_q**2 * s_k**2, rel=0.3)  # means matter


def test_dot_product_variance_grows_with_d():
    """Var(q·k) = d for independent unit-variance entries; dividing by sqrt(d) makes it 1."""
    rng = np.random.default_rng(1)
    for d in (4, 64, 512):
        q, k = rng.normal(size=(20_000, d)), rng.normal(size=(20_000, d))
        dots = (q * k).sum(axis=1)
        assert dots.var() == pytest.approx(d, rel=0.05)
        assert (dots / np.sqrt(d)).var() == pytest.approx(1.0, rel=0.05)


def random_mha_weights(rng, d):
    return (
        rng.normal(size=(3 * d, d)) / np.sqrt(d),
        rng.normal(size=3 * d),
        rng.normal(size=(d, d)) / np.sqrt(d),
        rng.normal(size=d),
    )


def test_multi_head_attention_by_hand_heads():
    """Each head is SDPA on its slice of the projections; heads are concatenated, then W_o."""
    rng = np.random.default_rng(2)
    d, h, L, S = 6, 3, 4, 5
    w_in, b_in, w_out, b_out = random_mha_weights(rng, d)
    x_q, x_kv = rng.normal(size=(L, d)), rng.normal(size=(S, d))
    q, k, v = x_q @ w_in[:d].T + b_in[:d], x_kv @ w_in[d : 2 * d].T + b_in[d : 2 * d], None
    v = x_kv @ w_in[2 * d :].T + b_in[2 * d :]
    dh = d // h
    cut = [slice(i * dh, (i + 1) * dh) for i in range(h)]
    heads = [attention_by_loops(q[:, c], k[:, c], v[:, c]) for c in cut]
    expected = np.concatenate(heads, axis=1) @ w_out.T + b_out
    out, weights = multi_head_attention(x_q, x_kv, x_kv, h, w_in, b_in, w_out, b_out)
    np.testing.assert_allclose(out, expected)
    assert weights.shape == (L, S)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)


def test_mha_whiteboard_matches_full_version():
    rng = np.random.default_rng(3)
    d, h = 8, 4
    x = rng.normal(size=(2, 5, d))
    w_q, w_k, w_v, w_o = (rng.normal(size=(d, d)) for _ in range(4))
    causal = np.tril(np.ones((5, 5), dtype=bool))
    full, _ = multi_head_attention(
        x, x, x, h, np.concatenate([w_q.T, w_k.T, w_v.T]), np.zeros(3 * d), w_o.T, np.zeros(d),
        attn_mask=~causal,  # nn.MultiheadAttention: True = masked out
    )  # fmt: skip
    np.testing.assert_allclose(mha_whiteboard(x, w_q, w_k, w_v, w_o, h, causal), full)


def test_mha_fully_masked_row_gives_the_output_bias():
    rng = np.random.default_rng(4)
    d = 4
    w_in, b_in, w_out, b_out = random_mha_weights(rng, d)
    x = rng.normal(size=(2, 3, d))
    padding = np.array([[False, False, True], [True, True, True]])  # item 1: all padding
    out, weights = multi_head_attention(x, x, x, 2, w_in, b_in, w_out, b_out, padding)
    np.testing.assert_allclose(out[1], np.broadcast_to(b_out, (3, d)))
    np.testing.assert_array_equal(weights[1], 0.0)
    np.testing.assert_array_equal(weights[0][:, 2], 0.0)


def test_attention_weights_checks_its_own_key():
    """attention_weights is called on its own too (by multi_head_attention, and on the page)."""
    with pytest.raises(TypeError, match=r"^key must be a real number array, got dtype bool$"):
        attention_weights(np.zeros((2, 4)), np.zeros((5, 4), dtype=bool))


def test_mha_without_batch_axis_takes_per_head_and_padding_masks():
    """query (L, d): attn_mask (h, L, S) per head and key_padding_mask (S,), as for a batch of 1."""
    rng = np.random.default_rng(10)
    d, h, L, S = 4, 2, 3, 5
    weights = random_mha_weights(rng, d)
    x_q, x_kv = rng.normal(size=(L, d)), rng.normal(size=(S, d))
    per_head, padding = rng.normal(size=(h, L, S)), np.array([False, True, False, False, True])
    out, att = multi_head_attention(
        x_q, x_kv, x_kv, h, *weights, key_padding_mask=padding, attn_mask=per_head
    )
    batched, batched_att = multi_head_attention(
        x_q[None], x_kv[None], x_kv[None], h, *weights,
        key_padding_mask=padding[None], attn_mask=per_head[None],
    )  # fmt: skip
    np.testing.assert_allclose(out, batched[0])
    np.testing.assert_allclose(att, batched_att[0])
    np.testing.assert_array_equal(att[:, padding], 0.0)


def test_mha_takes_float32_masks():
    rng = np.random.default_rng(11)
    weights = random_mha_weights(rng, 4)
    x, mask = rng.normal(size=(3, 4)), rng.normal(size=(3, 3)).astype(np.float32)
    expected = multi_head_attention(x, x, x, 2, *weights, attn_mask=mask.astype(np.float64))
    got = multi_head_attention(x, x, x, 2, *weights, attn_mask=mask)
    np.testing.assert_allclose(got[0], expected[0])


def test_mha_parameter_count_is_4d2_plus_4d():
    d = 12
    arrays = random_mha_weights(np.random.default_rng(5), d)
    assert sum(a.size for a in arrays) == 4 * d * d + 4 * d


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"query": np.zeros(4)}, ValueError, "query"),
        ({"query": np.zeros((2, 3))}, ValueError, "last axis"),
        ({"value": np.zeros((6, 2))}, ValueError, "same length"),
        (
            {"query": np.zeros((2, 2, 4)), "key": np.zeros((3, 5, 4))},
            ValueError,
            re.escape("shapes do not broadcast: query batch (2,), key batch (3,)"),
        ),
        (
            {"query": np.zeros((2, 2, 4)), "value": np.zeros((3, 5, 3))},
            ValueError,
            re.escape("shapes do not broadcast: query/key batch (2,), value batch (3,)"),
        ),
        ({"query": np.full((2, 4), np.nan)}, ValueError, "NaN"),
        (
            {"query": np.zeros((2, 4), dtype=bool)},
            TypeError,
            "^query must be a real number array, got dtype bool$",
        ),
        (
            {"key": np.zeros((5, 4), dtype=complex)},
            TypeError,
            "^key must be a real number array, got dtype complex128$",
        ),
        (
            {"value": np.full((5, 3), "a")},
            TypeError,
            "^value must be a real number array, got dtype [<>]U1$",
        ),
        (
            {"attn_mask": np.ones((2, 5), bool), "is_causal": True},
            ValueError,
            "^pass either attn_mask or is_causal=True, not both$",
        ),
        (
            {"attn_mask": np.ones((3, 5), bool)},
            ValueError,
            re.escape("shapes do not broadcast: attn_mask (3, 5), scores (..., L, S) (2, 5)"),
        ),
        ({"attn_mask": np.ones((2, 5), int)}, TypeError, "attn_mask"),
        (
            {"attn_mask": np.full((2, 5), np.nan)},
            ValueError,
            r"^a float attn_mask may hold -inf but not NaN or \+inf$",
        ),
        ({"scale": "0.5"}, TypeError, "^scale must be a number or None, got str$"),
        ({"scale": np.inf}, ValueError, "scale"),
        ({"is_causal": "yes"}, TypeError, "^is_causal must be a bool, got str$"),
    ],
)
def test_sdpa_bad_input(kwargs, error, match):
    args = {"query": np.zeros((2, 4)), "key": np.zeros((5, 4)), "value": np.zeros((5, 3))}
    with pytest.raises(error, match=match):
        scaled_dot_product_attention(**(args | kwargs))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_heads": 3}, ValueError, "divisible"),
        ({"num_heads": 0}, ValueError, "^num_heads must be >= 1, got 0$"),
        ({"num_heads": True}, TypeError, "^num_heads must be an int, got bool$"),
        ({"num_heads": 2.0}, TypeError, "^num_heads must be an int, got float$"),
        (
            {"query": np.zeros((2, 4), dtype=complex)},
            TypeError,
            "^query must be a real number array, got dtype complex128$",
        ),
        (
            {"key": np.zeros((5, 4), dtype=bool)},
            TypeError,
            "^key must be a real number array, got dtype bool$",
        ),
        (
            {"value": np.full((5, 4), "a")},
            TypeError,
            "^value must be a real number array, got dtype [<>]U1$",
        ),
        ({"key": np.zeros((5, 6))}, ValueError, "key and value"),
        (
            {"value": np.zeros((5, 6))},
            ValueError,
            re.escape("key and value must be (..., S, 4), got (5, 4), (5, 6)"),
        ),
        (
            {"value": np.zeros((6, 4))},
            ValueError,
            re.escape("key and value must be (..., S, 4), got (5, 4), (6, 4)"),
        ),
        ({"in_proj_weight": np.zeros((4, 4))}, ValueError, "in_proj_weight"),
        ({"out_proj_bias": np.full(4, np.inf)}, ValueError, "out_proj_bias"),
        ({"key_padding_mask": np.zeros(4, bool)}, ValueError, "key_padding_mask"),
        (
            {"key_padding_mask": np.zeros(5, int)},
            TypeError,
            "^key_padding_mask must be bool or float, got dtype int64$",
        ),
        (
            {"attn_mask": np.zeros((2, 5), int)},
            TypeError,
            "^attn_mask must be bool or float, got dtype int64$",
        ),
        (
            {"attn_mask": np.zeros((3, 5), bool)},
            ValueError,
            re.escape("shapes do not broadcast: attn_mask (3, 5), scores (..., h, L, S) (2, 2, 5)"),
        ),
    ],
)
def test_mha_bad_input(kwargs, error, match):
    d = 4
    args = {"query": np.zeros((2, d)), "key": np.zeros((5, d)), "value": np.zeros((5, d))}
    args |= {"num_heads": 2, "in_proj_weight": np.zeros((3 * d, d))}
    args |= {"in_proj_bias": np.zeros(3 * d), "out_proj_weight": np.zeros((d, d))}
    args |= {"out_proj_bias": np.zeros(d)}
    with pytest.raises(error, match=match):
        multi_head_attention(**(args | kwargs))


def test_sdpa_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for SDPA")
    sdpa = torch.nn.functional.scaled_dot_product_attention
    rng = np.random.default_rng(6)
    q, k, v = (
        rng.normal(size=(2, 3, 4, 8)),
        rng.normal(size=(2, 3, 6, 8)),
        rng.normal(size=(2, 3, 6, 5)),
    )
    bool_mask = rng.random((4, 6)) < 0.5
    bool_mask[1] = False  # a fully masked row
    float_mask = np.where(rng.random((2, 1, 4, 6)) < 0.3, -np.inf, rng.normal(size=(2, 1, 4, 6)))
    float_mask[1, 0, 2] = -np.inf  # a fully masked row in the float mask too (deterministic)
    cases = [{}, {"attn_mask": bool_mask}, {"attn_mask": float_mask}, {"is_causal": True}]
    cases += [{"scale": 0.7}, {"attn_mask": bool_mask, "scale": 2.0}]
    for kwargs in cases:
        ours = scaled_dot_product_attention(q, k, v, **kwargs)
        as_torch = {
            n: torch.from_numpy(a) if isinstance(a, np.ndarray) else a for n, a in kwargs.items()
        }
        theirs = sdpa(*map(torch.from_numpy, (q, k, v)), **as_torch)
        np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-12, err_msg=str(kwargs.keys()))
    # L > S with is_causal: top-left alignment in both.
    ours = scaled_dot_product_attention(k, q, q, is_causal=True)
    theirs = sdpa(*map(torch.from_numpy, (k, q, q)), is_causal=True)
    np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-12)


def test_mha_matches_torch_multihead_attention():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for MultiheadAttention")
    torch.manual_seed(0)
    d, h, N, L, S = 8, 2, 3, 4, 5
    layer = torch.nn.MultiheadAttention(d, h, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        layer.in_proj_bias.normal_()
        layer.out_proj.bias.normal_()
    params = [p.detach().numpy() for p in (layer.in_proj_weight, layer.in_proj_bias,
                                           layer.out_proj.weight, layer.out_proj.bias)]  # fmt: skip
    rng = np.random.default_rng(7)
    query, key, value = (
        rng.normal(size=(N, L, d)),
        rng.normal(size=(N, S, d)),
        rng.normal(size=(N, S, d)),
    )
    padding = np.zeros((N, S), dtype=bool)
    padding[0, 3:], padding[2, 1:] = True, True  # True = padding, ignored
    future = np.triu(np.ones((L, S), dtype=bool), k=1)  # True = may NOT attend
    float_mask = rng.normal(size=(L, S))
    per_head = rng.normal(size=(N * h, L, S))  # torch's 3-D form: (N * num_heads, L, S)
    cases = [
        ({}, {}),
        ({"key_padding_mask": padding}, {}),
        ({"attn_mask": future}, {}),
        ({"attn_mask": future, "key_padding_mask": padding}, {}),
        ({"attn_mask": float_mask, "key_padding_mask": np.where(padding, -np.inf, 0.0)}, {}),
        ({"attn_mask": per_head}, {"attn_mask": per_head.reshape(N, h, L, S)}),
    ]
    for torch_kwargs, our_kwargs in cases:
        for average in (True, False):
            out, weights = layer(
                *map(torch.from_numpy, (query, key, value)),
                **{n: torch.from_numpy(a) for n, a in torch_kwargs.items()},
                average_attn_weights=average,
            )
            ours, our_weights = multi_head_attention(
                query, key, value, h, *params, **(torch_kwargs | our_kwargs),
                average_attn_weights=average,
            )  # fmt: skip
            np.testing.assert_allclose(ours, out.detach().numpy(), atol=1e-12)
            np.testing.assert_allclose(our_weights, weights.detach().numpy(), atol=1e-12)


def test_mha_matches_torch_without_bias_given_zero_biases():
    """bias=False in torch is the same as passing zero biases here (said on the page)."""
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for MultiheadAttention")
    torch.manual_seed(1)
    d, h = 8, 4
    layer = torch.nn.MultiheadAttention(d, h, bias=False, batch_first=True, dtype=torch.float64)
    assert layer.in_proj_bias is None
    x = np.random.default_rng(9).normal(size=(2, 5, d))
    out, _ = layer(*3 * [torch.from_numpy(x)])
    ours, _ = multi_head_attention(
        x, x, x, h, layer.in_proj_weight.detach().numpy(), np.zeros(3 * d),
        layer.out_proj.weight.detach().numpy(), np.zeros(d),
    )  # fmt: skip
    np.testing.assert_allclose(ours, out.detach().numpy(), atol=1e-12)


def test_mha_parameter_count_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch counts the parameters of the layer")
    for d, h in [(8, 2), (512, 8), (768, 12)]:
        layer = torch.nn.MultiheadAttention(d, h)
        assert sum(p.numel() for p in layer.parameters()) == 4 * d * d + 4 * d


def test_torch_sdpa_and_multihead_attention_differ_on_fully_masked_rows():
    """What the page says about PyTorch on CPU: SDPA's math backend gives 0 (_safe_softmax),
    nn.MultiheadAttention (weights on) NaN. Other backends are not covered by this."""
    torch = pytest.importorskip("torch", reason="a statement about PyTorch's behaviour")
    from torch.nn.attention import SDPBackend, sdpa_kernel

    x = torch.randn(1, 3, 4, dtype=torch.float64)
    allowed = torch.tensor([[True, True, False], [False, False, False], [True, True, True]])
    with sdpa_kernel(SDPBackend.MATH):
        for mask in (allowed, torch.where(allowed, 0.0, -torch.inf).double()):
            out = torch.nn.functional.scaled_dot_product_attention(x, x, x, attn_mask=mask)
            assert torch.all(out[0, 1] == 0)
    layer = torch.nn.MultiheadAttention(4, 2, batch_first=True, dtype=torch.float64)
    out, _ = layer(x, x, x, attn_mask=~allowed)  # nn.MultiheadAttention: True = masked out
    assert torch.isnan(out[0, 1]).all()
    assert not torch.isnan(out[0, 0]).any()
