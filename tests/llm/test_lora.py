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


GOOD = {"x": np.ones((2, 3)), "weight": np.ones((4, 3)), "lora_A": np.ones((2, 3))}
GOOD |= {"lora_B": np.ones((4, 2)), "alpha": 8}
TYPES = "must be an array of real numbers, got dtype"
LORA_A = r"lora_A must be \(r, 3\) with r >= 1, got"


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ({"lora_A": np.ones((2, 4))}, ValueError, rf"{LORA_A} \(2, 4\)"),
        ({"lora_A": np.ones((2, 3, 1))}, ValueError, rf"{LORA_A} \(2, 3, 1\)"),
        ({"lora_A": np.ones((0, 3)), "lora_B": np.ones((4, 0))}, ValueError, rf"{LORA_A} \(0, 3\)"),
        ({"lora_B": np.ones((2, 4))}, ValueError, r"lora_B must be \(4, 2\), got \(2, 4\)"),
        ({"weight": np.ones(3)}, ValueError, r"weight must be \(out, in\), got shape \(3,\)"),
        ({"x": np.ones((2, 4))}, ValueError, r"x must be \(\.\.\., 3\), got shape \(2, 4\)"),
        ({"x": np.float64(1.0)}, ValueError, r"x must be \(\.\.\., 3\), got shape \(\)"),
        ({"alpha": "8"}, TypeError, "alpha must be a number, got str"),
        ({"alpha": True}, TypeError, "alpha must be a number, got bool"),
        ({"alpha": np.inf}, ValueError, "alpha must be finite, got inf"),
        ({"alpha": np.nan}, ValueError, "alpha must be finite, got nan"),
        ({"weight": np.ones((4, 3), bool)}, TypeError, f"weight {TYPES} bool"),
        ({"lora_A": np.ones((2, 3), complex)}, TypeError, f"lora_A {TYPES} complex128"),
        ({"lora_B": np.ones((4, 2)).astype(str)}, TypeError, f"lora_B {TYPES} <U32"),
        ({"x": np.ones((2, 3), object)}, TypeError, f"x {TYPES} object"),
    ],
)  # fmt: skip
def test_bad_input(bad, error, message):
    with pytest.raises(error, match=f"^{message}$"):
        lora_forward(**(GOOD | bad))


def test_integer_and_float32_inputs_are_computed_in_float64():
    w, a, b, x = (
        np.arange(n).reshape(s) for n, s in [(12, (4, 3)), (6, (2, 3)), (8, (4, 2)), (3, (3,))]
    )
    want = lora_forward(x.astype(float), w.astype(float), a.astype(float), b.astype(float), 3)
    np.testing.assert_array_equal(lora_forward(x, w, a, b, 3), want)  # ints, and 1-D x: (in,)
    assert want.shape == (4,)
    r = np.random.default_rng(5)
    w32, a32, b32 = (r.normal(size=s).astype(np.float32) for s in [(4, 3), (2, 3), (4, 2)])
    merged = merge_lora(w32, a32, b32, np.float32(16))
    assert merged.dtype == np.float64
    np.testing.assert_array_equal(
        merged, merge_lora(*(m.astype(float) for m in (w32, a32, b32)), 16.0)
    )


def test_bad_counts():
    with pytest.raises(ValueError, match="r must"):
        lora_params([(4, 4)], r=0)
    with pytest.raises(ValueError, match="shape"):
        lora_params([(4, 0)], r=2)
    with pytest.raises(ValueError, match="r must"):
        init_lora(4, 4, 0, rng)
    for r in (True, 2.0):
        with pytest.raises(ValueError, match=f"^r must be an int >= 1, got {r!r}$"):
            lora_params([(4, 4)], r=r)


@pytest.mark.parametrize("name", ["in_features", "out_features", "r"])
@pytest.mark.parametrize("value", [0, True, 2.0])
def test_init_lora_names_the_bad_size(name, value):
    sizes = {"in_features": 4, "out_features": 3, "r": 2, name: value}
    with pytest.raises(ValueError, match=rf"^{name} must be an int >= 1, got {value!r}$"):
        init_lora(**sizes, rng=rng)


def test_smallest_sizes_are_allowed():
    a, b = init_lora(1, 1, 1, rng)  # also numpy ints, e.g. from a shape
    assert a.shape == b.shape == (1, 1)
    a, b = init_lora(np.int64(3), np.int64(2), np.int64(1), rng)
    assert (a.shape, b.shape) == ((1, 3), (2, 1))
    assert lora_params([(1, 4)], r=1) == 5
    assert lora_params([(2, 3)], r=np.int64(2)) == 10
