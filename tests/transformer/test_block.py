"""RMSNorm, SwiGLU and the parameter / FLOP counts against PyTorch, hand cases and Llama configs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from transformer.block import (
    block_params,
    forward_flops_per_token,
    gpt2_params,
    non_embedding_params,
    rms_norm,
    rms_norm_whiteboard,
    swiglu_ffn,
    swiglu_ffn_whiteboard,
    swiglu_hidden_dim,
)

rng = np.random.default_rng(0)


def test_rms_norm_hand_case():
    x = np.array([[3.0, 4.0], [1.0, -1.0]])
    # RMS of (3, 4) is sqrt(12.5); of (1, -1) is 1.
    expected = np.array([[3.0, 4.0] / np.sqrt(12.5 + 0.1), [1.0, -1.0] / np.sqrt(1.1)])
    np.testing.assert_allclose(rms_norm(x, np.array([1.0, 1.0]), eps=0.1), expected)
    np.testing.assert_allclose(rms_norm(x, np.array([2.0, 0.5]), eps=0.1), expected * [2.0, 0.5])


def test_rms_norm_is_not_layer_norm():
    # No mean subtraction: a constant row is not mapped to 0 (LayerNorm would give 0).
    out = rms_norm(np.full((1, 4), 5.0), None, eps=1e-12)
    np.testing.assert_allclose(out, np.ones((1, 4)))


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 6)), elements=st.floats(-5, 5)),
    st.floats(1e-8, 1.0),
)
def test_whiteboard_rms_norm_matches(x, eps):
    w = np.linspace(0.5, 1.5, x.shape[-1])
    np.testing.assert_allclose(rms_norm_whiteboard(x, w, eps), rms_norm(x, w, eps), rtol=1e-12)


def test_rms_norm_against_torch():
    torch = pytest.importorskip("torch", reason="torch.nn.RMSNorm is the reference")
    x, w = rng.normal(size=(2, 3, 8)), rng.normal(size=8)
    layer = torch.nn.RMSNorm(8, eps=1e-6, dtype=torch.float64)  # torch's default eps is None
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
        expected = layer(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(rms_norm(x, w, eps=1e-6), expected, rtol=1e-12)
    functional = torch.nn.functional.rms_norm(torch.from_numpy(x), [8], eps=1e-3).numpy()
    np.testing.assert_allclose(rms_norm(x, None, eps=1e-3), functional, rtol=1e-12)


@pytest.mark.parametrize(
    ("x", "weight", "eps", "error"),
    [
        (np.ones((2, 3)), np.ones(4), 1e-6, ValueError),  # weight length
        (np.ones((2, 0)), np.ones(0), 1e-6, ValueError),  # empty last axis
        (np.float64(1.0), None, 1e-6, ValueError),  # scalar
        (np.ones((2, 3)), None, 0.0, ValueError),  # eps must be > 0
        (np.ones((2, 3)), None, float("nan"), ValueError),
        (np.array([["a", "b"]]), None, 1e-6, TypeError),
        (np.ones((2, 3), dtype=bool), None, 1e-6, TypeError),
    ],
)
def test_rms_norm_bad_input(x, weight, eps, error):
    with pytest.raises(error, match=r"x|weight|eps"):
        rms_norm(x, weight, eps)


def test_swiglu_matches_whiteboard_and_by_hand():
    x = rng.normal(size=(2, 5, 6))
    w_gate, w_up, w_down = (
        rng.normal(size=(10, 6)),
        rng.normal(size=(10, 6)),
        rng.normal(size=(6, 10)),
    )
    out = swiglu_ffn(x, w_gate, w_up, w_down)
    np.testing.assert_allclose(out, swiglu_ffn_whiteboard(x, w_gate, w_up, w_down))
    # One token, one hidden unit at a time: sum_j w_down[:, j] * silu(g_j) * u_j.
    t = x[1, 3]
    by_hand = sum(
        w_down[:, j] * (w_gate[j] @ t) / (1 + np.exp(-(w_gate[j] @ t))) * (w_up[j] @ t)
        for j in range(10)
    )
    np.testing.assert_allclose(out[1, 3], by_hand)


def test_swiglu_against_torch():
    torch = pytest.importorskip("torch", reason="torch.nn.functional.silu is the reference")
    x = rng.normal(size=(4, 6))
    w_gate, w_up, w_down = (
        rng.normal(size=(10, 6)),
        rng.normal(size=(10, 6)),
        rng.normal(size=(6, 10)),
    )
    t = [torch.from_numpy(a) for a in (x, w_gate, w_up, w_down)]
    F = torch.nn.functional
    expected = F.linear(F.silu(F.linear(t[0], t[1])) * F.linear(t[0], t[2]), t[3]).numpy()
    np.testing.assert_allclose(swiglu_ffn(x, w_gate, w_up, w_down), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("shapes", "error"),
    [
        (((2, 6), (10, 5), (10, 5), (5, 10)), ValueError),  # w_gate does not take d = 6
        (((2, 6), (10, 6), (9, 6), (6, 10)), ValueError),  # w_up differs from w_gate
        (((2, 6), (10, 6), (10, 6), (10, 6)), ValueError),  # w_down not transposed
    ],
)
def test_swiglu_bad_shapes(shapes, error):
    with pytest.raises(error, match=r"w_gate|w_up|w_down"):
        swiglu_ffn(*(np.ones(s) for s in shapes))


@pytest.mark.parametrize(
    ("d_model", "multiple_of", "multiplier", "hidden"),
    [
        (4096, 256, None, 11008),  # LLaMA 7B / Llama 2 7B intermediate_size
        (5120, 256, None, 13824),  # 13B
        (8192, 256, None, 22016),  # LLaMA 65B
        (8192, 4096, 1.3, 28672),  # Llama 2 70B
    ],
)
def test_swiglu_hidden_dim_matches_llama_configs(d_model, multiple_of, multiplier, hidden):
    assert swiglu_hidden_dim(d_model, multiple_of, multiplier) == hidden


def test_swiglu_hidden_dim_keeps_the_parameter_count():
    # 3 d h with h = 8d/3 equals the 2 d (4d) of a ReLU FFN when 3 divides d.
    d = 768
    assert 3 * d * swiglu_hidden_dim(d, multiple_of=1) == 2 * d * 4 * d


@pytest.mark.parametrize(
    ("args", "error"),
    [((0,), ValueError), ((64.0,), TypeError), ((64, 0), ValueError), ((64, 8, -1.0), ValueError)],
)
def test_swiglu_hidden_dim_bad_input(args, error):
    with pytest.raises(error, match=r"d_model|multiple_of|ffn_dim_multiplier"):
        swiglu_hidden_dim(*args)


def test_block_params_against_torch_layer():
    torch = pytest.importorskip("torch", reason="torch.nn.TransformerEncoderLayer is the reference")
    for d, heads in [(64, 4), (768, 12)]:
        layer = torch.nn.TransformerEncoderLayer(d, heads, 4 * d, device="meta")
        assert sum(p.numel() for p in layer.parameters()) == sum(block_params(d).values())
        assert sum(block_params(d).values()) == 12 * d * d + 13 * d


def test_gpt2_small_is_124m_by_hand():
    assert gpt2_params() == {
        "token_embedding": 38_597_376,  # 50257 * 768
        "position_embedding": 786_432,  # 1024 * 768
        "blocks": 85_054_464,  # 12 * (12 * 768^2 + 13 * 768)
        "final_layer_norm": 1_536,
    }
    assert sum(gpt2_params().values()) == 124_439_808


def test_gpt2_sizes_against_torch_modules():
    torch = pytest.importorskip("torch", reason="torch.nn modules on the meta device count for us")
    nn = torch.nn

    def count(*modules):
        return sum(p.numel() for m in modules for p in m.parameters())

    for d, n_layer, total in [(768, 12, 124_439_808), (1024, 24, 354_823_168)]:
        # The blocks are identical, so one GPT-2 style (Pre-LN) block counted n_layer times.
        block = nn.TransformerEncoderLayer(d, d // 64, 4 * d, norm_first=True, device="meta")
        embeddings = (nn.Embedding(50257, d, device="meta"), nn.Embedding(1024, d, device="meta"))
        n = count(*embeddings) + n_layer * count(block) + count(nn.LayerNorm(d, device="meta"))
        assert n == sum(gpt2_params(d_model=d, n_layer=n_layer).values()) == total


def test_flops_six_n_against_torch_flop_counter():
    torch = pytest.importorskip("torch", reason="torch.utils.flop_counter counts executed matmuls")
    from torch.utils.flop_counter import FlopCounterMode

    # A block's matmuls without biases: four d x d projections, then the FFN, 5 tokens.
    d, tokens = 16, 5
    w_qkvo = [torch.randn(d, d, requires_grad=True) for _ in range(4)]
    w_1, w_2 = torch.randn(4 * d, d, requires_grad=True), torch.randn(d, 4 * d, requires_grad=True)
    n = sum(w.numel() for w in [*w_qkvo, w_1, w_2])
    assert n == non_embedding_params(1, d)
    x = torch.randn(tokens, d, requires_grad=True)  # the input gradient is part of backward
    linear = torch.nn.functional.linear
    with FlopCounterMode(display=False) as forward:
        loss = sum(linear(x, w).sum() for w in w_qkvo) + linear(linear(x, w_1), w_2).sum()
    assert forward.get_total_flops() == 2 * n * tokens
    with FlopCounterMode(display=False) as backward:
        loss.backward()
    assert backward.get_total_flops() == 4 * n * tokens  # forward + backward = 6N per token


def test_forward_flops_hand_case():
    # GPT-2 small: N = 12 * 12 * 768^2; attention adds 2 * 12 * 1024 * 768 per token.
    assert forward_flops_per_token(12, 768, 1024) == 2 * 84_934_656 + 18_874_368


@pytest.mark.parametrize(
    ("fn", "args", "error"),
    [
        (block_params, (0,), ValueError),
        (block_params, (768.0,), TypeError),
        (gpt2_params, (50257, 1024, 768, 0), ValueError),
        (non_embedding_params, (True, 8), TypeError),
        (forward_flops_per_token, (12, 768, 0), ValueError),
    ],
)
def test_counts_bad_input(fn, args, error):
    with pytest.raises(error, match=r"d_model|n_layer|n_ctx|vocab"):
        fn(*args)
