"""Online softmax, blockwise attention, GQA and the KV-cache size against full attention,
PyTorch's scaled_dot_product_attention and tensors whose bytes we count."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from transformer.efficient import (
    attention_score_bytes,
    blockwise_attention,
    flash_attention_whiteboard,
    gqa_whiteboard,
    grouped_query_attention,
    kv_cache_bytes,
    online_softmax,
    online_softmax_whiteboard,
)

rng = np.random.default_rng(0)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def full_attention(q, k, v, is_causal=False, scale=None):
    """Textbook attention that forms the whole score matrix."""
    s = q @ np.swapaxes(k, -1, -2) * (1 / np.sqrt(q.shape[-1]) if scale is None else scale)
    if is_causal:
        s = np.where(np.tril(np.ones(s.shape[-2:], dtype=bool)), s, -np.inf)
    return softmax(s) @ v


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(1, 3), st.integers(1, 12)), elements=st.floats(-30, 30)
    ),
    st.integers(1, 13),
)
def test_online_softmax_equals_softmax(x, block):
    np.testing.assert_allclose(online_softmax(x, block), softmax(x), rtol=1e-12, atol=1e-15)
    for row in x:
        np.testing.assert_allclose(online_softmax_whiteboard(row, block), softmax(row), rtol=1e-12)


def test_online_softmax_against_scipy_with_masked_entries():
    special = pytest.importorskip("scipy.special", reason="scipy.special.softmax is the reference")
    x = rng.normal(size=(4, 9)) * 50  # large values: the running maximum must keep exp finite
    x[0, :5] = -np.inf  # a whole first block masked
    x[1, ::2] = -np.inf
    np.testing.assert_allclose(online_softmax(x, 3), special.softmax(x, axis=-1), rtol=1e-12)


def test_online_softmax_all_masked_row_is_nan_like_torch():
    torch = pytest.importorskip("torch", reason="torch.softmax defines the all -inf row")
    x = np.array([[-np.inf, -np.inf, -np.inf], [0.0, 1.0, 2.0]])
    expected = torch.softmax(torch.from_numpy(x), dim=-1).numpy()
    np.testing.assert_array_equal(np.isnan(online_softmax(x, 2)), np.isnan(expected))
    np.testing.assert_allclose(online_softmax(x, 2)[1], expected[1])


@pytest.mark.parametrize("block", [1, 3, 7, 64])
@pytest.mark.parametrize("is_causal", [False, True])
@pytest.mark.parametrize(("L", "S"), [(5, 7), (7, 5), (6, 6)])
def test_blockwise_equals_full_attention(block, is_causal, L, S):
    q, k, v = (
        rng.normal(size=(2, 3, L, 8)),
        rng.normal(size=(2, 3, S, 8)),
        rng.normal(size=(2, 3, S, 4)),
    )
    out = blockwise_attention(q, k, v, block, is_causal=is_causal)
    np.testing.assert_allclose(out, full_attention(q, k, v, is_causal), rtol=1e-10, atol=1e-12)
    if not is_causal:
        np.testing.assert_allclose(
            flash_attention_whiteboard(q[0, 0], k[0, 0], v[0, 0], block), out[0, 0]
        )


def test_blockwise_against_torch_sdpa():
    torch = pytest.importorskip("torch", reason="scaled_dot_product_attention is the reference")
    q, k, v = (
        rng.normal(size=(2, 4, 9, 8)),
        rng.normal(size=(2, 4, 11, 8)),
        rng.normal(size=(2, 4, 11, 5)),
    )
    t = [torch.from_numpy(a) for a in (q, k, v)]
    F = torch.nn.functional
    for causal in (False, True):
        expected = F.scaled_dot_product_attention(*t, is_causal=causal, scale=0.3).numpy()
        np.testing.assert_allclose(
            blockwise_attention(q, k, v, 4, causal, 0.3), expected, rtol=1e-10
        )


def masked_attention(q, k, v, mask):
    """Full attention with a bool mask (True = may attend); a row with no key gives zeros."""
    s = np.where(mask, q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1]), -np.inf)
    e = np.exp(s - np.where(mask.any(-1, keepdims=True), s.max(-1, keepdims=True), 0.0))
    total = e.sum(-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0) @ v


def awkward_mask(L, S):
    """Keys 0-2 and 6-8 masked for every query (whole blocks of 3), row 1 masked entirely."""
    mask = rng.random((2, 1, L, S)) < 0.7
    mask[..., 0:3] = mask[..., 6:9] = False
    mask[:, :, 1] = False
    mask[0, 0, 0, 4] = True  # row 0 of the first batch keeps at least one key
    return mask


@pytest.mark.parametrize("block", [1, 3, 4, 64])
def test_blockwise_with_bool_mask_masked_rows_and_blocks(block):
    L, S = 5, 12
    q, k, v = rng.normal(size=(2, 3, L, 8)), rng.normal(size=(2, 3, S, 8)), rng.normal(size=(S, 4))
    mask = awkward_mask(L, S)  # broadcasts over the 3 heads
    out = blockwise_attention(q, k, v, block, attn_mask=mask)
    np.testing.assert_allclose(out, masked_attention(q, k, v, mask), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(out[:, :, 1], 0.0)  # no key at all: zeros, not NaN
    assert np.isfinite(out).all()


def test_blockwise_bool_mask_against_torch_sdpa():
    torch = pytest.importorskip("torch", reason="scaled_dot_product_attention is the reference")
    L, S = 5, 12
    q, k, v = rng.normal(size=(2, 3, L, 8)), rng.normal(size=(2, 3, S, 8)), rng.normal(size=(S, 4))
    mask = awkward_mask(L, S)
    t = [torch.from_numpy(a) for a in (q, k, v, mask)]
    expected = torch.nn.functional.scaled_dot_product_attention(*t[:3], attn_mask=t[3]).numpy()
    if np.isnan(expected).any():
        pytest.skip("this torch gives NaN for a fully masked row (zeros since 2.5)")
    np.testing.assert_allclose(
        blockwise_attention(q, k, v, 3, attn_mask=mask), expected, rtol=1e-10
    )


def test_is_causal_is_top_left_and_wrong_for_a_decoding_step():
    # One new query against S cached keys: top-left is_causal lets it see key 0 only.
    S = 6
    q, k, v = rng.normal(size=(1, 8)), rng.normal(size=(S, 8)), rng.normal(size=(S, 3))
    np.testing.assert_allclose(blockwise_attention(q, k, v, 4, is_causal=True), v[:1])
    # Bottom-right alignment (the last query sees every key) is the full causal row.
    bottom_right = np.tril(np.ones((1, S), dtype=bool), k=S - 1)
    full_q = np.vstack([rng.normal(size=(S - 1, 8)), q])
    np.testing.assert_allclose(
        blockwise_attention(q, k, v, 4, attn_mask=bottom_right),
        full_attention(full_q, k, v, is_causal=True)[-1:],
    )


def test_bottom_right_mask_against_torch_causal_lower_right():
    torch = pytest.importorskip("torch", reason="torch.nn.attention.bias.causal_lower_right")
    bias = pytest.importorskip("torch.nn.attention.bias", reason="causal_lower_right (torch 2.3)")
    L, S = 3, 7
    q, k, v = rng.normal(size=(2, L, 8)), rng.normal(size=(2, S, 8)), rng.normal(size=(2, S, 5))
    t = [torch.from_numpy(a) for a in (q, k, v)]
    F = torch.nn.functional
    expected = F.scaled_dot_product_attention(*t, attn_mask=bias.causal_lower_right(L, S)).numpy()
    mask = np.tril(np.ones((L, S), dtype=bool), k=S - L)
    np.testing.assert_allclose(
        blockwise_attention(q, k, v, 2, attn_mask=mask), expected, rtol=1e-10
    )
    top_left = F.scaled_dot_product_attention(*t, is_causal=True).numpy()
    assert not np.allclose(expected, top_left)  # the two alignments differ when L < S


def test_gqa_equals_mha_with_repeated_heads():
    q, k, v = (
        rng.normal(size=(2, 8, 5, 4)),
        rng.normal(size=(2, 2, 6, 4)),
        rng.normal(size=(2, 2, 6, 3)),
    )
    # Heads 0-3 read K/V head 0, heads 4-7 read K/V head 1 (repeat_interleave, not tile).
    k_rep, v_rep = k[:, [0, 0, 0, 0, 1, 1, 1, 1]], v[:, [0, 0, 0, 0, 1, 1, 1, 1]]
    for causal in (False, True):
        expected = full_attention(q, k_rep, v_rep, causal)
        np.testing.assert_allclose(grouped_query_attention(q, k, v, causal), expected, rtol=1e-12)
    np.testing.assert_allclose(gqa_whiteboard(q[1], k[1], v[1]), full_attention(q, k_rep, v_rep)[1])


def test_mqa_is_gqa_with_one_kv_head():
    q, k, v = rng.normal(size=(4, 5, 8)), rng.normal(size=(1, 5, 8)), rng.normal(size=(1, 5, 8))
    out = grouped_query_attention(q, k, v)
    for h in range(4):
        np.testing.assert_allclose(out[h], full_attention(q[h], k[0], v[0]), rtol=1e-12)


def test_gqa_against_torch_enable_gqa():
    torch = pytest.importorskip("torch", reason="scaled_dot_product_attention(enable_gqa=True)")
    q, k, v = (
        rng.normal(size=(2, 6, 5, 8)),
        rng.normal(size=(2, 3, 7, 8)),
        rng.normal(size=(2, 3, 7, 8)),
    )
    t = [torch.from_numpy(a) for a in (q, k, v)]
    F = torch.nn.functional
    for causal in (False, True):
        try:
            expected = F.scaled_dot_product_attention(*t, is_causal=causal, enable_gqa=True)
        except TypeError:
            pytest.skip("this torch has no enable_gqa (added in 2.5)")
        out = grouped_query_attention(q, k, v, is_causal=causal)
        np.testing.assert_allclose(out, expected.numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    ("shapes", "error"),
    [
        (((6, 5, 8), (4, 5, 8), (4, 5, 8)), ValueError),  # 4 KV heads do not divide 6
        (((6, 5, 8), (3, 5, 8), (2, 5, 8)), ValueError),  # key and value heads differ
        (((5, 8), (5, 8), (5, 8)), ValueError),  # no head axis
        (((6, 5, 8), (3, 5, 4), (3, 5, 8)), ValueError),  # E differs
    ],
)
def test_gqa_bad_shapes(shapes, error):
    with pytest.raises(error, match=r"heads|query|key"):
        grouped_query_attention(*(np.ones(s) for s in shapes))


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((np.ones((3, 4)), np.ones((5, 4)), np.ones((6, 2))), ValueError),  # S differs
        ((np.ones(4), np.ones((5, 4)), np.ones((5, 2))), ValueError),  # 1-d query
        ((np.ones((3, 4)), np.ones((5, 4)), np.ones((5, 2)), 0), ValueError),  # block_size 0
        ((np.ones((3, 4)), np.ones((5, 4)), np.ones((5, 2)), 2.0), TypeError),
        ((np.array([["a"]]), np.ones((5, 1)), np.ones((5, 2))), TypeError),
    ],
)
def test_blockwise_bad_input(args, error):
    with pytest.raises(error, match=r"query|key|value|block_size"):
        blockwise_attention(*args)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"attn_mask": np.ones((3, 5))}, TypeError),  # float, not bool
        ({"attn_mask": np.ones((3, 4), dtype=bool)}, ValueError),  # S is 5
        ({"attn_mask": np.ones(5, dtype=bool)}, ValueError),  # no L axis
        ({"attn_mask": np.ones((3, 5), dtype=bool), "is_causal": True}, ValueError),
    ],
)
def test_blockwise_bad_mask(kwargs, error):
    with pytest.raises(error, match=r"attn_mask"):
        blockwise_attention(np.ones((3, 4)), np.ones((5, 4)), np.ones((5, 2)), **kwargs)


@pytest.mark.parametrize(
    ("x", "block", "error"),
    [(np.ones(3), 0, ValueError), (np.ones(3), 1.5, TypeError), (np.ones(0), 2, ValueError)],
)
def test_online_softmax_bad_input(x, block, error):
    with pytest.raises(error, match=r"x|block_size"):
        online_softmax(x, block)


def test_kv_cache_counts_the_bytes_of_real_arrays():
    # A small model: per layer, K and V of shape (batch, kv_heads, seq, head_dim) in fp16.
    layers, heads, head_dim, seq, batch = 3, 2, 8, 10, 4
    cache = [
        np.zeros((batch, heads, seq, head_dim), np.float16) for _ in range(layers) for _ in "kv"
    ]
    assert kv_cache_bytes(layers, heads, head_dim, seq, batch) == sum(a.nbytes for a in cache)
    assert kv_cache_bytes(layers, heads, head_dim, seq, batch, 4) == 2 * sum(
        a.nbytes for a in cache
    )


def test_kv_cache_llama2_numbers():
    assert kv_cache_bytes(32, 32, 128, 4096) == 2 * 2**30  # Llama 2 7B, MHA, fp16
    assert kv_cache_bytes(32, 8, 128, 4096) == 2**29  # 8 KV heads: a quarter
    assert kv_cache_bytes(80, 8, 128, 4096) == 1.25 * 2**30  # Llama 2 70B (GQA, 8 KV heads)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((0, 8, 128, 4096), ValueError),
        ((32, 8, 128.0, 4096), TypeError),
        ((32, 8, 128, 4096, -1), ValueError),
    ],
)
def test_kv_cache_bad_input(args, error):
    with pytest.raises(error, match=r"n_layers|head_dim|batch_size"):
        kv_cache_bytes(*args)


def test_attention_score_bytes():
    assert attention_score_bytes(4096, 32) == 4096**2 * 32 * 2 == 2**30


def test_online_softmax_all_masked_row_gives_nan_silently():
    x = np.array([[-np.inf, -np.inf, -np.inf], [0.0, 1.0, 2.0]])
    with np.errstate(all="raise"):  # no RuntimeWarning for the 0 / 0 of the masked row
        out = online_softmax(x, 2)
    assert np.isnan(out[0]).all()


def test_online_softmax_of_a_vector_and_of_3d_input():
    x = rng.normal(size=(2, 3, 7)) * 5
    np.testing.assert_allclose(online_softmax(x, 3), softmax(x), rtol=1e-12)
    np.testing.assert_allclose(online_softmax(x[0, 0], 3), softmax(x[0, 0]), rtol=1e-12)
    np.testing.assert_allclose(online_softmax(np.arange(5), 2), softmax(np.arange(5.0)))


def rows_far_apart():
    """Two queries whose scores lie about 2000 apart: one shift for all rows underflows."""
    q = np.array([[1000.0], [-1000.0]])
    k = np.array([[1.0], [0.5], [-0.2]])
    v = rng.normal(size=(3, 2))
    return q, k, v


def test_each_row_is_shifted_by_its_own_maximum():
    q, k, v = rows_far_apart()
    expected = full_attention(q, k, v)
    assert np.isfinite(expected).all()
    np.testing.assert_allclose(blockwise_attention(q, k, v, block_size=2), expected)
    np.testing.assert_allclose(flash_attention_whiteboard(q, k, v, block=2), expected)
    np.testing.assert_allclose(grouped_query_attention(q[None], k[None], v[None]), [expected])
    np.testing.assert_allclose(gqa_whiteboard(q[None], k[None], v[None]), [expected])
    x = np.array([[1000.0, 999.0, 998.0], [-1000.0, -999.0, -1001.0]])
    np.testing.assert_allclose(online_softmax(x, 2), softmax(x))


def test_one_feature_and_one_key():
    q, k, v = rng.normal(size=(4, 1)), rng.normal(size=(6, 1)), rng.normal(size=(6, 3))
    np.testing.assert_allclose(blockwise_attention(q, k, v, block_size=4), full_attention(q, k, v))
    one_key = blockwise_attention(q, k[:1], v[:1])  # softmax over one key is 1
    np.testing.assert_allclose(one_key, np.repeat(v[:1], 4, axis=0))


def test_attention_takes_integer_arrays():
    q, k, v = np.arange(6).reshape(3, 2), np.arange(8).reshape(4, 2) % 3, np.eye(4, dtype=int)
    expected = full_attention(q.astype(float), k.astype(float), v.astype(float))
    np.testing.assert_allclose(blockwise_attention(q, k, v), expected)


def test_gqa_causal_with_l_not_equal_e_and_explicit_scale():
    q, k, v = rng.normal(size=(4, 3, 5)), rng.normal(size=(2, 3, 5)), rng.normal(size=(2, 3, 2))
    k2, v2 = np.repeat(k, 2, axis=0), np.repeat(v, 2, axis=0)
    for causal in (False, True):
        out = grouped_query_attention(q, k, v, is_causal=causal, scale=0.3)
        np.testing.assert_allclose(out, full_attention(q, k2, v2, is_causal=causal, scale=0.3))


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        (((6, 5, 8), (4, 5, 8), (4, 5, 8)), r"key/value heads \(4, 4\) must be equal and divide 6"),
        (((6, 5, 8), (3, 5, 8), (2, 5, 8)), r"key/value heads \(3, 2\) must be equal"),
        (((5, 8), (3, 5, 8), (3, 5, 8)), r"^query, key and value need a head axis"),  # query
        (((6, 5, 8), (3, 5, 8), (5, 8)), r"^query, key and value need a head axis"),  # value
        (((6, 5, 8), (3, 5, 8), (8,)), r"^query, key and value need at least 2 axes"),
        (((2, 3, 0), (2, 4, 0), (2, 4, 1)), r"query and key need the same non-zero E"),
    ],
)
def test_gqa_bad_shapes_messages(shapes, message):
    with pytest.raises(ValueError, match=message):
        grouped_query_attention(*(np.ones(s) for s in shapes))


@pytest.mark.parametrize("bad", ["query", "key", "value"])
def test_attention_bad_dtype_names_the_argument(bad):
    args = {"query": np.ones((3, 4)), "key": np.ones((5, 4)), "value": np.ones((5, 2))}
    args[bad] = np.ones((5, 4), dtype=complex)
    with pytest.raises(TypeError, match=rf"^{bad} must be an array of real numbers"):
        blockwise_attention(**args)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (
            (np.ones((5, 4)), np.ones((5, 2))),
            {"block_size": 0},
            ValueError,
            r"^block_size must be >= 1",
        ),
        (
            (np.ones((5, 4)), np.ones((5, 2))),
            {"block_size": 2.0},
            TypeError,
            r"^block_size must be an int, got float",
        ),
        (
            (np.ones((5, 4)), np.ones((6, 2))),
            {},
            ValueError,
            r"key and value need the same non-zero S",
        ),
        (
            (np.ones((5, 4)), np.ones((5, 2))),
            {"attn_mask": np.ones((3, 5), dtype=bool), "is_causal": True},
            ValueError,
            r"^pass either attn_mask or is_causal=True, not both$",
        ),
    ],
)
def test_blockwise_bad_input_messages(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        blockwise_attention(np.ones((3, 4)), *args, **kwargs)


@pytest.mark.parametrize(
    ("x", "block", "error", "message"),
    [
        (np.ones(3), 0, ValueError, r"^block_size must be >= 1, got 0"),
        (np.array(["a"]), 1, TypeError, r"^x must be an array of real numbers"),
        (np.ones(0), 2, ValueError, r"^x needs a non-empty last axis"),
    ],
)
def test_online_softmax_bad_input_messages(x, block, error, message):
    with pytest.raises(error, match=message):
        online_softmax(x, block)


@pytest.mark.parametrize("i", range(6))
def test_kv_cache_bad_input_names_the_argument(i):
    names = ["n_layers", "n_kv_heads", "head_dim", "seq_len", "batch_size", "bytes_per_value"]
    args = [32, 8, 128, 4096, 1, 2]
    args[i] = 0
    with pytest.raises(ValueError, match=rf"^{names[i]} must be >= 1, got 0"):
        kv_cache_bytes(*args)


def test_kv_cache_does_not_overflow_int64():
    # K and V, 2^64 values, 2 bytes each: 2^66, far past int64
    assert kv_cache_bytes(2**16, 2**16, 2**16, 2**16) == 2**66


def test_attention_score_bytes_defaults_and_large_lengths():
    assert attention_score_bytes(4096) == 2**30  # 32 heads, fp16 by default
    assert attention_score_bytes(2**32, 1, 1) == 2.0**64  # float64: no int64 overflow
