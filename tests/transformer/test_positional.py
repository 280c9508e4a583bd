"""Positional encodings against element-by-element formulas, rotation matrices, the Hugging
Face Llama rotary formulas (ported here) and the ALiBi paper's slopes."""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformer.attention import scaled_dot_product_attention
from transformer.positional import (
    alibi_bias,
    alibi_slopes,
    apply_rope,
    apply_rope_interleaved,
    interleave_permutation,
    rope_angles,
    rope_whiteboard,
    sinusoidal_encoding,
    sinusoidal_pe_whiteboard,
)


def test_sinusoidal_element_by_element():
    n, d = 7, 10
    pe = sinusoidal_encoding(n, d)
    for p in range(n):
        for i in range(d // 2):
            angle = p / 10000 ** (2 * i / d)
            assert pe[p, 2 * i] == pytest.approx(math.sin(angle), abs=1e-12)
            assert pe[p, 2 * i + 1] == pytest.approx(math.cos(angle), abs=1e-12)
    assert sinusoidal_encoding(0, 4).shape == (0, 4)


def test_sinusoidal_shift_is_a_fixed_rotation_of_each_pair():
    """PE[p + k] is a linear function of PE[p], the same for every p (Vaswani et al. §3.5)."""
    d, k = 8, 5
    pe = sinusoidal_encoding(40, d)
    for i in range(d // 2):
        w = 1 / 10000 ** (2 * i / d)
        rotation = np.array(
            [[math.cos(k * w), math.sin(k * w)], [-math.sin(k * w), math.cos(k * w)]]
        )
        pair = pe[:, 2 * i : 2 * i + 2]  # (sin, cos) of p·w
        np.testing.assert_allclose(pair[:-k] @ rotation.T, pair[k:], atol=1e-12)


@pytest.mark.parametrize(("n", "d"), [(1, 2), (5, 6), (33, 64)])
def test_sinusoidal_whiteboard_matches(n, d):
    np.testing.assert_allclose(
        sinusoidal_pe_whiteboard(n, d), sinusoidal_encoding(n, d), atol=1e-15
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [((4, 5), ValueError), ((4, 0), ValueError), ((-1, 4), ValueError), ((4.0, 4), TypeError)],
)
def test_sinusoidal_bad_input(args, error):
    with pytest.raises(error, match=r"n_positions|d_model"):
        sinusoidal_encoding(*args)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: sinusoidal_encoding(4.0, 4), TypeError, "^n_positions must be an int, got float$"),
        (lambda: sinusoidal_encoding(4, 0), ValueError, "^d_model must be >= 2, got 0$"),
        (lambda: interleave_permutation(4.0), TypeError, "^d must be an int, got float$"),
        (lambda: interleave_permutation(5), ValueError, "^d must be even, got 5$"),
        (lambda: alibi_slopes(0), ValueError, "^num_heads must be >= 1, got 0$"),
        (lambda: alibi_bias(2, -1), ValueError, "^seq_len must be >= 0, got -1$"),
    ],
)
def test_int_argument_errors_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def rope_by_matrix(x, positions, base=10000.0):
    """Brute force: multiply each position's vector by its d×d rotation matrix (rotate-half)."""
    seq, d = x.shape
    out = np.empty_like(x)
    for s in range(seq):
        r = np.zeros((d, d))
        for i in range(d // 2):
            a = positions[s] * base ** (-2 * i / d)
            j = i + d // 2  # rotate-half pairs feature i with feature i + d/2
            r[i, i], r[i, j], r[j, i], r[j, j] = math.cos(a), -math.sin(a), math.sin(a), math.cos(a)
        out[s] = r @ x[s]
    return out


def rope_interleaved_by_pairs(x, positions, base=10000.0):
    """Brute force: rotate each pair (x_2i, x_2i+1) by positions · θ_i (RoFormer eq. 13-15)."""
    out = np.empty_like(x)
    d = x.shape[-1]
    for s in range(x.shape[0]):
        for i in range(d // 2):
            a = positions[s] * base ** (-2 * i / d)
            x0, x1 = x[s, 2 * i], x[s, 2 * i + 1]
            out[s, 2 * i] = x0 * math.cos(a) - x1 * math.sin(a)
            out[s, 2 * i + 1] = x0 * math.sin(a) + x1 * math.cos(a)
    return out


def test_rope_matches_rotation_matrices():
    rng = np.random.default_rng(0)
    x, positions = rng.normal(size=(6, 8)), np.array([0, 1, 2, 7, 100, 2.5])
    np.testing.assert_allclose(apply_rope(x, positions), rope_by_matrix(x, positions), atol=1e-12)
    np.testing.assert_allclose(
        apply_rope(x, positions, base=500.0), rope_by_matrix(x, positions, 500.0), atol=1e-12
    )
    np.testing.assert_allclose(
        apply_rope_interleaved(x, positions), rope_interleaved_by_pairs(x, positions), atol=1e-12
    )
    np.testing.assert_allclose(
        apply_rope_interleaved(x, positions, base=500.0),
        rope_interleaved_by_pairs(x, positions, 500.0),
        atol=1e-12,
    )


def llama_rope_port(q, position_ids, base=10000.0):
    """Hugging Face LlamaRotaryEmbedding + apply_rotary_pos_emb, re-typed from their formulas:
    inv_freq = 1 / base^(arange(0, dim, 2) / dim); freqs = position_ids[:, :, None] * inv_freq;
    emb = cat(freqs, freqs); q * cos + rotate_half(q) * sin with cos, sin unsqueezed at dim 1."""
    dim = q.shape[-1]
    inv_freq = 1.0 / (base ** (np.arange(0, dim, 2) / dim))
    freqs = position_ids[:, :, None].astype(np.float64) * inv_freq[None, None, :]
    emb = np.concatenate((freqs, freqs), axis=-1)
    cos, sin = np.cos(emb)[:, None], np.sin(emb)[:, None]  # (batch, 1, seq, dim)
    rotated = np.concatenate((-q[..., dim // 2 :], q[..., : dim // 2]), axis=-1)
    return q * cos + rotated * sin


def test_rope_matches_hugging_face_llama_formulas():
    rng = np.random.default_rng(1)
    q = rng.normal(size=(2, 3, 5, 8))  # (batch, heads, seq, head_dim)
    position_ids = np.array([[0, 1, 2, 3, 4], [3, 4, 5, 6, 7]])  # e.g. left padding
    expected = llama_rope_port(q, position_ids)
    np.testing.assert_allclose(apply_rope(q, position_ids[:, None, :]), expected, atol=1e-12)


def test_rope_matches_hugging_face_llama_formulas_in_torch():
    torch = pytest.importorskip("torch", reason="the same port, computed by PyTorch")
    rng = np.random.default_rng(2)
    q = rng.normal(size=(1, 2, 6, 16))
    position_ids = torch.arange(6)[None]
    inv_freq = 1.0 / (10000.0 ** (torch.arange(0, 16, 2, dtype=torch.int64).double() / 16))
    freqs = (inv_freq[None, :, None] @ position_ids[:, None, :].double()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    qt = torch.from_numpy(q)
    rotated = torch.cat((-qt[..., 8:], qt[..., :8]), dim=-1)
    expected = qt * emb.cos().unsqueeze(1) + rotated * emb.sin().unsqueeze(1)
    np.testing.assert_allclose(apply_rope(q, np.arange(6)), expected.numpy(), atol=1e-12)
    # Structurally independent: the pair (x_i, x_{i+d/2}) as one complex number times e^{i m θ_i}.
    angles = torch.outer(torch.arange(6).double(), 10000.0 ** (-torch.arange(8).double() / 8))
    z = torch.complex(qt[..., :8], qt[..., 8:]) * torch.polar(torch.ones_like(angles), angles)
    by_complex = torch.cat((z.real, z.imag), dim=-1)
    np.testing.assert_allclose(apply_rope(q, np.arange(6)), by_complex.numpy(), atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 8), st.integers(-50, 50), st.integers(-50, 50), st.integers(-1000, 1000),
    st.integers(0, 2**32 - 1),
)  # fmt: skip
def test_rope_score_depends_only_on_relative_position(half, m, n, shift, seed):
    rng = np.random.default_rng(seed)
    q, k = rng.normal(size=(1, 2 * half)), rng.normal(size=(1, 2 * half))
    score = apply_rope(q, [m])[0] @ apply_rope(k, [n])[0]
    shifted = apply_rope(q, [m + shift])[0] @ apply_rope(k, [n + shift])[0]
    assert shifted == pytest.approx(score, abs=1e-9)
    # A rotation keeps the length.
    assert np.linalg.norm(apply_rope(q, [m])) == pytest.approx(np.linalg.norm(q))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 8), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_the_two_layouts_differ_by_a_fixed_permutation(half, seq, seed):
    rng = np.random.default_rng(seed)
    d = 2 * half
    x, positions = rng.normal(size=(seq, d)), rng.integers(0, 4096, size=seq)
    p = interleave_permutation(d)
    np.testing.assert_allclose(
        apply_rope_interleaved(x[:, p], positions), apply_rope(x, positions)[:, p], atol=1e-9
    )
    # So with q and k permuted alike, attention scores are identical.
    q, k = x, rng.normal(size=(seq, d))
    scores = apply_rope(q, positions) @ apply_rope(k, positions).T
    scores_interleaved = (
        apply_rope_interleaved(q[:, p], positions) @ apply_rope_interleaved(k[:, p], positions).T
    )
    np.testing.assert_allclose(scores_interleaved, scores, atol=1e-9)


def hf_permute(w, n_heads):
    """convert_llama_weights_to_hf.py's permute, in numpy: w.view(n_heads, dim1 // n_heads // 2,
    2, dim2).transpose(1, 2).reshape(dim1, dim2), applied to Meta's wq / wk (out, in)."""
    dim1, dim2 = w.shape
    split = w.reshape(n_heads, dim1 // n_heads // 2, 2, dim2)
    return split.transpose(0, 2, 1, 3).reshape(dim1, dim2)


def rope_scores(x, w_q, w_k, n_heads, positions, rope_fn):
    """Per-head q·k scores (h, seq, seq) after projecting x (seq, d) with nn.Linear weights."""
    seq, d = x.shape
    q = (x @ w_q.T).reshape(seq, n_heads, d // n_heads).swapaxes(0, 1)  # (h, seq, d_head)
    k = (x @ w_k.T).reshape(seq, n_heads, d // n_heads).swapaxes(0, 1)
    return rope_fn(q, positions) @ rope_fn(k, positions).swapaxes(-1, -2)


def test_hugging_face_weight_conversion_uses_the_inverse_permutation():
    """Meta's Llama (interleaved RoPE) and HF's (rotate half) give the same scores once W_q, W_k
    go through HF's permute, which is W_meta[P⁻¹] per head, P = interleave_permutation."""
    rng = np.random.default_rng(6)
    d, h, seq = 16, 2, 7
    w_q, w_k = rng.normal(size=(d, d)), rng.normal(size=(d, d))  # Meta's wq, wk
    x, positions = rng.normal(size=(seq, d)), np.arange(seq) * 3
    meta = rope_scores(x, w_q, w_k, h, positions, apply_rope_interleaved)
    hf = rope_scores(x, hf_permute(w_q, h), hf_permute(w_k, h), h, positions, apply_rope)
    np.testing.assert_allclose(hf, meta, atol=1e-9)
    # HF's permute is the inverse permutation [0, 2, 4, ..., 1, 3, 5, ...] inside every head ...
    p = interleave_permutation(d // h)
    inverse = np.concatenate([head * (d // h) + np.argsort(p) for head in range(h)])
    assert np.argsort(p).tolist() == [0, 2, 4, 6, 1, 3, 5, 7]
    np.testing.assert_array_equal(hf_permute(w_q, h), w_q[inverse])
    # ... and P itself (the other direction) gives different scores.
    forward = np.concatenate([head * (d // h) + p for head in range(h)])
    wrong = rope_scores(x, w_q[forward], w_k[forward], h, positions, apply_rope)
    assert not np.allclose(wrong, meta)


def test_interleave_permutation_hand_case():
    assert interleave_permutation(6).tolist() == [0, 3, 1, 4, 2, 5]


@pytest.mark.parametrize("d", [2, 8, 64])
def test_rope_whiteboard_matches(d):
    rng = np.random.default_rng(d)
    x, pos = rng.normal(size=(2, 3, 7, d)), np.arange(7) * 3.0
    np.testing.assert_allclose(rope_whiteboard(x, pos), apply_rope(x, pos), atol=1e-12)


def test_rope_output_has_the_shape_of_x():
    """positions broadcast to x.shape[:-1]; they never make the output bigger than x."""
    x = np.random.default_rng(5).normal(size=(2, 3, 4, 6))
    for positions in (np.arange(4), np.arange(8).reshape(2, 1, 4), np.zeros((3, 1))):
        assert apply_rope(x, positions).shape == x.shape
        assert apply_rope_interleaved(x, positions).shape == x.shape


def test_rope_at_position_zero_is_the_identity():
    x = np.random.default_rng(3).normal(size=(4, 6))
    np.testing.assert_array_equal(apply_rope(x, np.zeros(4)), x)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((np.zeros((3, 5)), np.arange(3)), ValueError, "d even"),
        ((np.zeros(4), np.arange(1)), ValueError, "x must"),
        ((np.zeros((3, 4)), np.arange(4)), ValueError, "positions"),
        ((np.zeros((3, 4)), np.zeros((2, 3))), ValueError, "positions"),  # would add an axis
        ((np.zeros((2, 3, 4)), np.zeros((2, 1, 3))), ValueError, "positions"),
        ((np.zeros((3, 4)), [0, 1, np.nan]), ValueError, "positions"),
        ((np.zeros((3, 4), dtype=complex), np.arange(3)), TypeError, "x"),
        ((np.zeros((3, 4)), np.arange(3), -1.0), ValueError, "base"),
        ((np.zeros((3, 4)), np.arange(3), "1e4"), TypeError, "base"),
    ],
)
def test_rope_bad_input(args, error, match):
    for f in (apply_rope, apply_rope_interleaved):
        with pytest.raises(error, match=match):
            f(*args)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (
            (np.zeros((3, 4), dtype=complex), np.arange(3)),
            TypeError,
            "^x must be a real number array, got dtype complex128$",
        ),
        (
            (np.zeros((3, 4)), np.full(3, "a")),
            TypeError,
            "^positions must be a real number array, got dtype [<>]U1$",
        ),
        (
            (np.zeros((2, 3, 0)), np.arange(3)),
            ValueError,
            re.escape("x must have shape (..., seq, d) with d even and > 0, got (2, 3, 0)"),
        ),
        (
            (np.zeros((2, 3, 4)), np.arange(4)),
            ValueError,
            re.escape("positions (4,) must broadcast to x's (..., seq) = (2, 3)"),
        ),
        ((np.zeros((3, 4)), np.arange(3), "1e4"), TypeError, "^base must be a number, got str$"),
        (
            (np.zeros((3, 4)), np.arange(3), 0),
            ValueError,
            "^base must be a positive finite number, got 0$",
        ),
    ],
)
def test_rope_error_messages(args, error, match):
    for f in (apply_rope, apply_rope_interleaved):
        with pytest.raises(error, match=match):
            f(*args)


def test_rope_with_base_one_rotates_every_pair_by_the_position():
    """base = 1 (any positive base is allowed): θ_i = 1, so each pair turns by m radians."""
    x, m = np.array([[1.0, 0.0, 0.0, 2.0]]), 0.5
    c, s = math.cos(m), math.sin(m)
    # rotate half: pairs (x0, x2) and (x1, x3); interleaved: pairs (x0, x1) and (x2, x3).
    np.testing.assert_allclose(apply_rope(x, [m], base=1), [[c, -2 * s, s, 2 * c]])
    np.testing.assert_allclose(apply_rope_interleaved(x, [m], base=1.0), [[c, s, -2 * s, 2 * c]])


def test_rope_of_an_empty_sequence_is_empty():
    assert apply_rope(np.zeros((2, 0, 4)), np.zeros(0)).shape == (2, 0, 4)


def test_rope_angles_default_base_is_10000():
    """The page calls rope_angles(1.0, d, base) for θ_i; without base it is Llama's 10000."""
    d = 8
    np.testing.assert_allclose(rope_angles(3.0, d), 3.0 / 10000.0 ** (np.arange(0, d, 2) / d))


def test_alibi_slopes_from_the_paper():
    # Press et al.: 8 heads -> 1/2, 1/4, ..., 1/256; 16 heads start at 1/sqrt(2).
    np.testing.assert_allclose(alibi_slopes(8), [2.0**-k for k in range(1, 9)])
    np.testing.assert_allclose(alibi_slopes(16), [2.0 ** (-k / 2) for k in range(1, 17)])
    # 12 heads: the 8-head slopes, then 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5 from the 16-head list.
    expected = [2.0**-k for k in range(1, 9)] + [2.0 ** -(k + 0.5) for k in range(4)]
    np.testing.assert_allclose(alibi_slopes(12), expected)
    np.testing.assert_allclose(alibi_slopes(1), [2.0**-8])


def test_alibi_bias_hand_case_and_its_row_shift_form():
    bias = alibi_bias(2, 3)  # slopes 1/16 and 1/256
    assert bias[0].tolist() == [
        [0.0, -np.inf, -np.inf],
        [-1 / 16, 0.0, -np.inf],
        [-2 / 16, -1 / 16, 0.0],
    ]
    # Softmax ignores a per-row constant: slope · j (a bias per key only) gives the same output.
    rng = np.random.default_rng(4)
    q, k, v = (rng.normal(size=(2, 5, 4)) for _ in range(3))
    per_key = alibi_slopes(2)[:, None, None] * np.arange(5)
    per_key = np.where(np.tril(np.ones((5, 5), dtype=bool)), per_key, -np.inf)
    np.testing.assert_allclose(
        scaled_dot_product_attention(q, k, v, attn_mask=alibi_bias(2, 5)),
        scaled_dot_product_attention(q, k, v, attn_mask=per_key),
    )


def test_alibi_bias_of_an_empty_sequence():
    assert alibi_bias(4, 0).shape == (4, 0, 0)


@pytest.mark.parametrize(("args", "error"), [((0, 4), ValueError), ((2, -1), ValueError),
                                             ((2.0, 4), TypeError)])  # fmt: skip
def test_alibi_bad_input(args, error):
    with pytest.raises(error, match=r"num_heads|seq_len"):
        alibi_bias(*args)
