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
    try:
        expected = F.scaled_dot_product_attention(*t, enable_gqa=True).numpy()
    except TypeError:
        pytest.skip("this torch has no enable_gqa (added in 2.5)")
    np.testing.assert_allclose(grouped_query_attention(q, k, v), expected, rtol=1e-10)


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
