"""LoRA forward and merge against torch.nn.Linear plus a hand-written low-rank path,
PEFT's initialisation, and the parameter count for Llama-2-7B."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llm.lora import (
    init_lora,
    lora_forward,
    lora_forward_whiteboard,
    lora_params,
    merge_lora,
    merge_lora_whiteboard,
)

rng = np.random.default_rng(0)


def test_lora_by_hand():
    w = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])  # out 3, in 2
    a = np.array([[1.0, 1.0]])  # r = 1
    b = np.array([[1.0], [0.0], [-1.0]])
    x = np.array([[2.0, 3.0]])
    # x W^T = (2, 6, 5); x A^T = 5; (alpha / r) * 5 * B^T = 2 * 5 * (1, 0, -1)
    np.testing.assert_allclose(lora_forward(x, w, a, b, alpha=2), [[12.0, 6.0, -5.0]])
    np.testing.assert_allclose(merge_lora(w, a, b, 2), w + 2 * np.outer([1, 0, -1], [1, 1]))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 5), st.integers(1, 7), st.integers(1, 4), st.floats(0.5, 64))
def test_forward_equals_merged_weight_and_whiteboard(in_f, out_f, r, alpha):
    w = rng.normal(size=(out_f, in_f))
    a, b = rng.normal(size=(r, in_f)), rng.normal(size=(out_f, r))
    x = rng.normal(size=(2, 3, in_f))
    y = lora_forward(x, w, a, b, alpha)
    np.testing.assert_allclose(y, x @ merge_lora(w, a, b, alpha).T, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(lora_forward_whiteboard(x, w, a, b, alpha), y, atol=1e-12)
    np.testing.assert_allclose(merge_lora_whiteboard(w, a, b, alpha), merge_lora(w, a, b, alpha))


def test_against_torch_linear_with_manual_lora():
    torch = pytest.importorskip("torch", reason="torch.nn.Linear is the reference")
    torch.manual_seed(0)
    base = torch.nn.Linear(6, 5, bias=False, dtype=torch.float64)
    lora_a = torch.nn.Linear(6, 4, bias=False, dtype=torch.float64)  # weight (r, in)
    lora_b = torch.nn.Linear(4, 5, bias=False, dtype=torch.float64)  # weight (out, r)
    torch.nn.init.normal_(lora_b.weight)
    x = torch.randn(3, 6, dtype=torch.float64)
    alpha = 16
    with torch.no_grad():
        expected = (base(x) + lora_b(lora_a(x)) * (alpha / 4)).numpy()
    w, a, b = (m.weight.detach().numpy() for m in (base, lora_a, lora_b))
    np.testing.assert_allclose(lora_forward(x.numpy(), w, a, b, alpha), expected, rtol=1e-12)


def test_peft_init_starts_at_the_pretrained_model():
    a, b = init_lora(in_features=64, out_features=32, r=8, rng=rng)
    assert a.shape == (8, 64)
    assert b.shape == (32, 8)
    assert (b == 0).all()
    assert np.abs(a).max() <= 1 / 8
    assert np.abs(a).std() > 0
    w, x = rng.normal(size=(32, 64)), rng.normal(size=(5, 64))
    np.testing.assert_allclose(lora_forward(x, w, a, b, 16), x @ w.T)


def test_init_bound_matches_torch_kaiming_uniform():
    torch = pytest.importorskip("torch", reason="nn.init.kaiming_uniform_ gives PEFT's A")
    t = torch.empty(8, 100)
    torch.nn.init.kaiming_uniform_(t, a=5**0.5)
    a, _ = init_lora(100, 4, 8, rng)
    bound = 1 / np.sqrt(100)
    assert t.abs().max().item() <= bound
    assert np.abs(a).max() <= bound
    assert t.abs().max().item() > 0.9 * bound
    assert np.abs(a).max() > 0.9 * bound


def test_llama_2_7b_q_v_rank_8():
    shapes = [(4096, 4096), (4096, 4096)] * 32  # q_proj and v_proj in each of 32 layers
    assert lora_params(shapes, r=8) == 4_194_304
    assert lora_params([(11008, 4096)], r=2) == 2 * (11008 + 4096)


def test_llama_2_7b_all_linear_rank_64_is_a_few_percent():
    # QLoRA's setting: every linear layer of every block; not "under 1%" of the 6.74B weights.
    d, f = 4096, 11008
    shapes = ([(d, d)] * 4 + [(f, d), (f, d), (d, f)]) * 32
    n = lora_params(shapes, r=64)
    assert n == 64 * 32 * (4 * 2 * d + 3 * (d + f)) == 159_907_840
    assert 0.02 < n / 6_738_415_616 < 0.03
    assert 300e6 < 2 * n < 350e6  # bytes in bf16: a few hundred MB, not tens


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((np.ones((2, 3)), np.ones((4, 3)), np.ones((2, 3)), np.ones((2, 4)), 8), ValueError),
        ((np.ones((2, 3)), np.ones((4, 3)), np.ones((2, 4)), np.ones((4, 2)), 8), ValueError),
        ((np.ones((2, 4)), np.ones((4, 3)), np.ones((2, 3)), np.ones((4, 2)), 8), ValueError),
        ((np.ones((2, 3)), np.ones((4, 3)), np.ones((0, 3)), np.ones((4, 0)), 8), ValueError),
        ((np.ones((2, 3)), np.ones((4, 3)), np.ones((2, 3)), np.ones((4, 2)), "8"), TypeError),
        ((np.ones((2, 3)), np.ones((4, 3)), np.ones((2, 3)), np.ones((4, 2)), np.inf), ValueError),
        ((np.ones((2, 3)), np.ones(3), np.ones((2, 3)), np.ones((4, 2)), 8), ValueError),
        ((np.ones((2, 3)), np.ones((4, 3), bool), np.ones((2, 3)), np.ones((4, 2)), 8), TypeError),
    ],
)
def test_bad_input(args, error):
    with pytest.raises(error):
        lora_forward(*args)


def test_bad_counts():
    with pytest.raises(ValueError, match="r must"):
        lora_params([(4, 4)], r=0)
    with pytest.raises(ValueError, match="shape"):
        lora_params([(4, 0)], r=2)
    with pytest.raises(ValueError, match="r must"):
        init_lora(4, 4, 0, rng)
