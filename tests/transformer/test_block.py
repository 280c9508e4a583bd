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
    # No mean subtraction: a constant row c becomes sign(c), not 0 as LayerNorm would give.
    out = rms_norm(np.array([[5.0] * 4, [-0.3] * 4]), None, eps=1e-12)
    np.testing.assert_allclose(out, [[1.0] * 4, [-1.0] * 4])


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
    ("x", "weight", "eps", "error", "message"),
    [
        (
            np.ones((2, 3)),
            np.ones(4),
            1e-6,
            ValueError,
            r"weight must have shape \(3,\), got \(4,\)",
        ),
        (np.ones((2, 3, 4)), np.ones(5), 1e-6, ValueError, r"weight must have shape \(4,\), got"),
        (np.ones((2, 0)), np.ones(0), 1e-6, ValueError, r"x needs a non-empty last axis"),
        (np.ones((2, 3, 0)), None, 1e-6, ValueError, r"x needs a non-empty last axis"),
        (np.float64(1.0), None, 1e-6, ValueError, r"x needs a non-empty last axis, got shape \(\)"),
        (np.ones((2, 3)), None, 0.0, ValueError, r"eps must be a finite number > 0, got 0.0"),
        (np.ones((2, 3)), None, float("nan"), ValueError, r"eps must be a finite number > 0"),
        (np.ones((2, 3)), None, float("inf"), ValueError, r"eps must be a finite number > 0"),
        (np.array([["a", "b"]]), None, 1e-6, TypeError, r"^x must be an array of real numbers"),
        (np.ones((2, 3), dtype=bool), None, 1e-6, TypeError, r"^x must be an array of real"),
        (np.ones((2, 3), dtype=complex), None, 1e-6, TypeError, r"^x must be .* got dtype complex"),
        (
            np.ones((2, 3)),
            np.array(["a"] * 3),
            1e-6,
            TypeError,
            r"^weight must be an array of real",
        ),
    ],
)
def test_rms_norm_bad_input(x, weight, eps, error, message):
    with pytest.raises(error, match=message):
        rms_norm(x, weight, eps)


def test_rms_norm_default_eps_is_1e_6():
    # mean(x^2) = 1e-6 equals eps, so the RMS is sqrt(2e-6) and each entry 1 / sqrt(2).
    x = np.full((1, 2), 1e-3)
    np.testing.assert_allclose(rms_norm(x, None), np.full((1, 2), 0.5**0.5))
    np.testing.assert_allclose(rms_norm_whiteboard(x, np.ones(2)), np.full((1, 2), 0.5**0.5))


def test_rms_norm_takes_integers_and_normalises_the_last_axis_of_3d_input():
    x = np.arange(24).reshape(2, 3, 4)
    expected = x / np.sqrt((x**2).mean(axis=-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(rms_norm(x, None), expected)
    np.testing.assert_allclose(rms_norm_whiteboard(x.astype(float), np.ones(4)), expected)


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
    ("shapes", "message"),
    [
        (
            ((2, 6), (10, 5), (10, 5), (5, 10)),
            r"w_gate must be \(hidden, 6\) for x of shape \(2, 6\)",
        ),
        (((2, 6), (10,), (10,), (10,)), r"w_gate must be \(hidden, 6\)"),  # w_gate not 2-D
        ((), r"^x must have a feature axis \(\.\.\., d\), got a scalar$"),
        (
            ((2, 6), (10, 6), (9, 6), (6, 10)),
            r"w_up must have w_gate's shape \(10, 6\), got \(9, 6\)",
        ),
        (((2, 6), (10, 6), (10, 6), (10, 6)), r"w_down must be \(6, 10\), got \(10, 6\)"),
    ],
)
def test_swiglu_bad_shapes(shapes, message):
    x, *weights = (np.ones(s) for s in shapes) if shapes else (np.float64(1.0), *np.ones((3, 4, 1)))
    with pytest.raises(ValueError, match=message):
        swiglu_ffn(x, *weights)


@pytest.mark.parametrize("bad", ["x", "w_gate", "w_up", "w_down"])
def test_swiglu_bad_dtype_names_the_argument(bad):
    args = {"x": np.ones((2, 6)), "w_gate": np.ones((4, 6)), "w_up": np.ones((4, 6))}
    args = {**args, "w_down": np.ones((6, 4)), bad: np.array([["a"]])}
    with pytest.raises(TypeError, match=rf"^{bad} must be an array of real numbers"):
        swiglu_ffn(**args)


def test_swiglu_takes_one_token_as_a_vector():
    x, w_gate, w_up, w_down = (
        rng.normal(size=6),
        *rng.normal(size=(2, 10, 6)),
        rng.normal(size=(6, 10)),
    )
    out = swiglu_ffn(x, w_gate, w_up, w_down)
    np.testing.assert_allclose(out, swiglu_ffn(x[None], w_gate, w_up, w_down)[0])


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


def test_swiglu_hidden_dim_defaults_and_multiplier_below_one():
    assert swiglu_hidden_dim(4096) == 11008  # multiple_of = 256, no multiplier
    assert swiglu_hidden_dim(768, 1, 0.5) == 1024  # int(8 * 768 / 3) = 2048, halved


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((0,), ValueError, r"^d_model must be >= 1, got 0"),
        ((64.0,), TypeError, r"^d_model must be an int, got float"),
        ((64, 0), ValueError, r"^multiple_of must be >= 1, got 0"),
        ((64, 8, -1.0), ValueError, r"^ffn_dim_multiplier must be > 0, got -1.0"),
        ((64, 8, 0.0), ValueError, r"^ffn_dim_multiplier must be > 0, got 0.0"),
    ],
)
def test_swiglu_hidden_dim_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        swiglu_hidden_dim(*args)


def test_block_params_against_torch_layer():
    torch = pytest.importorskip("torch", reason="torch.nn.TransformerEncoderLayer is the reference")
    for d, heads in [(64, 4), (768, 12)]:
        layer = torch.nn.TransformerEncoderLayer(d, heads, 4 * d, device="meta")
        assert sum(p.numel() for p in layer.parameters()) == sum(block_params(d).values())
        assert sum(block_params(d).values()) == 12 * d * d + 13 * d
    layer = torch.nn.TransformerEncoderLayer(64, 4, 96, device="meta")  # d_ff = 1.5 d, not 4d
    assert sum(p.numel() for p in layer.parameters()) == sum(block_params(64, 96).values())


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

    # A block's matmuls without biases: four d x d projections, then an FFN with d_ff != 4d.
    d, d_ff, tokens = 16, 40, 5
    w_qkvo = [torch.randn(d, d, requires_grad=True) for _ in range(4)]
    w_1, w_2 = torch.randn(d_ff, d, requires_grad=True), torch.randn(d, d_ff, requires_grad=True)
    n = sum(w.numel() for w in [*w_qkvo, w_1, w_2])
    assert n == non_embedding_params(1, d, d_ff)
    x = torch.randn(tokens, d, requires_grad=True)  # the input gradient is part of backward
    linear = torch.nn.functional.linear
    with FlopCounterMode(display=False) as forward:
        loss = sum(linear(x, w).sum() for w in w_qkvo) + linear(linear(x, w_1), w_2).sum()
    assert forward.get_total_flops() == 2 * n * tokens
    with FlopCounterMode(display=False) as backward:
        loss.backward()
    assert backward.get_total_flops() == 4 * n * tokens  # forward + backward = 6N per token


def test_forward_flops_per_token_against_torch_flop_counter():
    torch = pytest.importorskip("torch", reason="torch.utils.flop_counter counts executed matmuls")
    from torch.utils.flop_counter import FlopCounterMode

    # A tiny causal LM, tied output layer: n_layer blocks of multi-head attention and an FFN.
    n_layer, d, heads, d_ff, n_ctx, vocab = 2, 16, 2, 24, 8, 11
    F = torch.nn.functional
    embedding = torch.randn(vocab, d)
    layers = [
        [torch.randn(d, d) for _ in range(4)] + [torch.randn(d_ff, d), torch.randn(d, d_ff)]
        for _ in range(n_layer)
    ]
    causal = torch.ones(n_ctx, n_ctx, dtype=torch.bool).tril()
    tokens = torch.randint(vocab, (n_ctx,))

    def split(t):  # (n_ctx, d) -> (heads, n_ctx, d / heads)
        return t.view(n_ctx, heads, d // heads).transpose(0, 1)

    with FlopCounterMode(display=False) as counter:
        x = embedding[tokens]
        for w_q, w_k, w_v, w_o, w_1, w_2 in layers:
            q, k, v = split(F.linear(x, w_q)), split(F.linear(x, w_k)), split(F.linear(x, w_v))
            s = (q @ k.transpose(1, 2)).masked_fill(~causal, float("-inf"))  # Q K^T
            attended = torch.softmax(s, dim=-1) @ v  # P V
            x = x + F.linear(attended.transpose(0, 1).reshape(n_ctx, d), w_o)
            x = x + F.linear(F.relu(F.linear(x, w_1)), w_2)
        F.linear(x, embedding)  # logits through the tied embedding
    counts = counter.get_flop_counts()["Global"]
    aten = torch.ops.aten
    linear_flops, attention_flops = counts[aten.mm], counts[aten.bmm]  # per sequence
    assert set(counts) == {aten.mm, aten.bmm}  # nothing else counted
    # Every linear layer, including the output layer: 2N + 2 V d per token.
    n = non_embedding_params(n_layer, d, d_ff)
    assert linear_flops == (2 * n + 2 * vocab * d) * n_ctx
    # Q K^T and P V are equal in size; Kaplan's single term 2 n_layer n_ctx d is one of them.
    with_head = forward_flops_per_token(n_layer, d, n_ctx, d_ff, vocab_size=vocab)
    assert with_head * n_ctx == linear_flops + attention_flops // 2
    without_head = forward_flops_per_token(n_layer, d, n_ctx, d_ff)
    assert (with_head - without_head) * n_ctx == 2 * vocab * d * n_ctx


def test_forward_flops_hand_case():
    # GPT-2 small: N = 12 * 12 * 768^2; attention adds 2 * 12 * 1024 * 768 per token.
    assert forward_flops_per_token(12, 768, 1024) == 2 * 84_934_656 + 18_874_368
    # The tied output layer, 2 * 50257 * 768, is about 45% of 2N and not in the 6N rule.
    head = forward_flops_per_token(12, 768, 1024, vocab_size=50257) - 2 * 84_934_656 - 18_874_368
    assert head == 77_194_752
    assert 0.45 < head / (2 * 84_934_656) < 0.46


def test_non_embedding_params_with_d_ff():
    # d_ff = 2d: four d x d attention matrices and two d x 2d FFN matrices, 8 d^2 per block.
    assert non_embedding_params(3, 48, 96) == 3 * 8 * 48**2
    assert sum(block_params(48, 96).values()) == 4 * 48**2 + 4 * 48 + 2 * 48 * 96 + 96 + 48 + 4 * 48


def test_block_params_parts_by_name():
    assert block_params(8, 16) == {
        "attention": 4 * 8 * 8 + 4 * 8,
        "ffn": 2 * 8 * 16 + 16 + 8,
        "layer_norm": 4 * 8,
    }


@pytest.mark.parametrize(
    ("fn", "args", "error", "message"),
    [
        (block_params, (0,), ValueError, r"^d_model must be >= 1, got 0"),
        (block_params, (768.0,), TypeError, r"^d_model must be an int, got float"),
        (block_params, (768, 0), ValueError, r"^d_ff must be >= 1, got 0"),
        (gpt2_params, (0,), ValueError, r"^vocab_size must be >= 1, got 0"),
        (gpt2_params, (50257, 0), ValueError, r"^n_ctx must be >= 1, got 0"),
        (gpt2_params, (50257, 1024, 768, 0), ValueError, r"^n_layer must be >= 1, got 0"),
        (non_embedding_params, (True, 8), TypeError, r"^n_layer must be an int, got bool"),
        (non_embedding_params, (12, 0), ValueError, r"^d_model must be >= 1, got 0"),
        (non_embedding_params, (12, 8, 0), ValueError, r"^d_ff must be >= 1, got 0"),
        (forward_flops_per_token, (12, 768, 0), ValueError, r"^n_ctx must be >= 1, got 0"),
        (
            forward_flops_per_token,
            (12, 768, 1024, None, 0),
            ValueError,
            r"^vocab_size must be >= 1",
        ),
    ],
)
def test_counts_bad_input(fn, args, error, message):
    with pytest.raises(error, match=message):
        fn(*args)
