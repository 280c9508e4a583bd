"""Float formats, bfloat16 rounding, dynamic loss scaling and the memory calculator against
numpy's finfo, PyTorch's casts and GradScaler, and published model sizes."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llm.memory import (
    ADAM_FP32,
    ADAM_MIXED_PRECISION,
    DynamicLossScaler,
    activation_bytes,
    bit_fields,
    float_format,
    llama_params,
    nf4_bits_per_param,
    to_bfloat16,
    training_memory,
    update_scale_whiteboard,
)


@pytest.mark.parametrize(("name", "dtype"), [("fp16", np.float16), ("fp32", np.float32)])
def test_float_format_matches_numpy_finfo(name, dtype):
    f, info = float_format(name), np.finfo(dtype)
    assert f["max"] == float(info.max)
    assert f["min_normal"] == float(info.smallest_normal)
    assert f["min_subnormal"] == float(info.smallest_subnormal)
    assert f["eps"] == float(info.eps)
    assert f["exponent_bits"] == info.nexp
    assert f["mantissa_bits"] == info.nmant


def test_bf16_format_matches_torch_finfo():
    torch = pytest.importorskip("torch", reason="torch.finfo(torch.bfloat16) is the reference")
    f, info = float_format("bf16"), torch.finfo(torch.bfloat16)
    assert (f["max"], f["min_normal"], f["eps"]) == (info.max, info.smallest_normal, info.eps)
    zero, one = torch.tensor(0.0, dtype=torch.bfloat16), torch.tensor(1.0, dtype=torch.bfloat16)
    assert f["min_subnormal"] == torch.nextafter(zero, one).item() > 0


def test_bit_fields_by_hand():
    assert bit_fields(1.0, "fp16") == "0 01111 0000000000"  # exponent 15 - bias 15 = 0
    assert bit_fields(65504.0, "fp16") == "0 11110 1111111111"  # largest finite fp16
    assert bit_fields(-2.5, "fp32") == "1 10000000 01000000000000000000000"  # -1.01b x 2^1
    assert bit_fields(1.0, "bf16") == "0 01111111 0000000"  # fp32's exponent, 7 mantissa bits
    assert bit_fields(-2.0) == "1 10000 0000000000"  # fp16 by default


def test_fp16_overflow_underflow_and_loss_scaling():
    with np.errstate(over="ignore"):
        assert np.isinf(np.float16(70000.0))  # > 65504
    grads = np.array([1e-3, 1e-6, 1e-8, 1e-9])
    g16 = grads.astype(np.float16)
    assert g16[2] == 0
    assert g16[3] == 0
    assert 0 < g16[1] < float_format("fp16")["min_normal"]  # survives only as a subnormal
    scaled = (grads * 2.0**16).astype(np.float16)
    assert (scaled > 0).all()
    np.testing.assert_allclose(scaled.astype(np.float64) / 2.0**16, grads, rtol=1e-3)


def test_fp16_underflow_threshold_is_half_the_smallest_subnormal():
    tiny = float_format("fp16")["min_subnormal"]
    assert tiny == 2.0**-24
    assert np.float16(4e-8) == tiny  # between 2^-25 and 2^-24: rounds up, not to 0
    assert np.float16(np.nextafter(2.0**-25, 1.0)) == tiny
    assert np.float16(2.0**-25) == 0.0  # the tie goes to the even neighbour, 0
    assert np.float16(2.9e-8) == 0.0


def test_everything_below_the_smallest_normal_is_subnormal_in_fp16():
    min_normal = float_format("fp16")["min_normal"]
    assert math.isclose(min_normal, 6.1e-5, rel_tol=1e-3)
    for x in (6e-5, 1e-5, 1e-6, 1e-7):  # below 2^-14: exponent field all zeros
        assert bit_fields(x, "fp16").split()[1] == "00000"
    assert bit_fields(min_normal, "fp16").split()[1] == "00001"


def test_scaling_by_powers_of_two_is_exact_only_in_the_normal_range():
    x = np.float16(1 + 2**-10)
    for k in range(-14, 15):  # the result stays normal: exact both ways
        assert x * np.float16(2.0**k) / np.float16(2.0**k) == x
    assert float(x * np.float16(2.0**-20)) != float(x) * 2.0**-20  # subnormal: the last bit is lost
    with np.errstate(over="ignore"):
        assert np.isinf(x * np.float16(2.0**15) * np.float16(2.0))  # overflow


def test_to_bfloat16_matches_torch_cast():
    torch = pytest.importorskip("torch", reason="torch's float32 -> bfloat16 cast is the reference")
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            rng.normal(size=200) * 10.0 ** rng.integers(-40, 38, size=200),
            [0.0, -0.0, 1 + 2**-8, 1 + 3 * 2**-8, np.inf, -np.inf, 3.4e38, 1e-40, 65504.0],
        ]
    ).astype(np.float32)
    expected = torch.from_numpy(x).to(torch.bfloat16).float().numpy()
    np.testing.assert_array_equal(to_bfloat16(x), expected)  # 3.4e38 rounds up to inf
    assert np.isnan(to_bfloat16(np.float32(np.nan)))


def test_a_nan_with_only_low_payload_bits_stays_nan():
    # Dropping the low 16 bits of 0x7F800001 would leave 0x7F800000: inf.
    x = np.array([0x7F800001, 0xFF80FFFF], dtype=np.uint32).view(np.float32)
    assert np.isnan(to_bfloat16(x)).all()
    assert np.isnan(to_bfloat16(x, "truncate")).all()


def test_to_bfloat16_takes_python_and_float64_values_through_float32():
    assert to_bfloat16(1 + 2**-8) == 1.0  # a tie: to even
    out = to_bfloat16(np.array([1.0, 3.0, 1 + 3 * 2**-8]))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [1.0, 3.0, 1 + 2**-6])


@settings(max_examples=50, deadline=None)
@given(st.floats(-(2.0**100), 2.0**100, width=32))
def test_to_bfloat16_rounding_modes(v):
    x = np.float32(v)
    trunc, near = to_bfloat16(x, "truncate"), to_bfloat16(x, "nearest_even")
    assert abs(float(trunc)) <= abs(v)  # truncation rounds toward zero
    assert abs(float(near) - v) <= abs(float(trunc) - v)  # nearest is never farther
    assert abs(float(near) - v) <= abs(v) * 2.0**-8 + 2.0**-134  # half an ulp (subnormals: abs)


def test_update_rule_matches_torch_grad_scaler():
    torch = pytest.importorskip("torch", reason="torch.amp.GradScaler is the reference")
    pattern = [0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]  # 1: this step's gradients contain inf
    ours = DynamicLossScaler(init_scale=2.0**10, growth_interval=3)
    theirs = torch.amp.GradScaler("cpu", init_scale=2.0**10, growth_interval=3)
    p = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([p], lr=0.1)
    board, good = 2.0**10, 0
    for bad in pattern:
        opt.zero_grad()
        before = p.detach().clone()
        (theirs.scale((p * torch.tensor([math.inf if bad else 1.0, 1.0])).sum())).backward()
        grads = [p.grad.numpy() * 1.0]
        _, found_inf = ours.unscale(grads)
        theirs.step(opt)
        theirs.update()
        ours.update(found_inf)
        board, good = update_scale_whiteboard(board, good, found_inf, growth_interval=3)
        assert found_inf == bool(bad) == torch.equal(p.detach(), before)  # skipped step
        assert ours.scale == theirs.get_scale() == board


def test_default_scaler_settings_are_torch_defaults():
    s = DynamicLossScaler()
    assert (s.scale, s.growth_factor, s.backoff_factor, s.growth_interval) == (
        65536.0,
        2.0,
        0.5,
        2000,
    )
    for _ in range(1999):
        s.update(found_inf=False)
    assert s.scale == 65536.0
    s.update(found_inf=False)
    assert s.scale == 131072.0
    assert s.good_steps == 0
    assert update_scale_whiteboard(65536.0, 1998, False) == (65536.0, 1999)
    assert update_scale_whiteboard(65536.0, 1999, False) == (131072.0, 0)  # growth_interval 2000


def test_scale_never_grows_to_inf():
    s = DynamicLossScaler(init_scale=2.0**127, growth_interval=1)
    s.update(found_inf=False)
    assert s.scale == 2.0**127  # 2^128 overflows float32
    top = float(np.finfo(np.float32).max)
    s = DynamicLossScaler(init_scale=top / 2, growth_interval=1)
    s.update(found_inf=False)
    assert s.scale == top  # finite in float32: GradScaler keeps it


def test_unscale_divides_and_flags_nan():
    s = DynamicLossScaler(init_scale=4.0)
    grads, found = s.unscale([np.array([8.0, 2.0])])
    np.testing.assert_array_equal(grads[0], [2.0, 0.5])
    assert not found
    assert s.unscale([np.array([1.0]), np.array([np.nan])])[1]


def test_unscale_works_in_float32():
    s = DynamicLossScaler(init_scale=4.0)
    grads, found = s.unscale([np.array([8.0, 2.0])])  # float64 in, float32 out
    assert grads[0].dtype == np.float32
    assert not found
    with np.errstate(over="ignore"):  # the cast to float32 overflows, as it should
        assert s.unscale([np.array([1e39])])[1]  # finite in float64, inf in float32


def test_llama_params_match_published_sizes():
    assert sum(llama_params().values()) == 6_738_415_616  # Llama-2-7B
    big = llama_params(
        hidden_size=8192, intermediate_size=28672, n_layers=80, n_heads=64, n_kv_heads=8
    )
    assert sum(big.values()) == 68_976_648_192  # Llama-2-70B (GQA, 8 KV heads)


def test_llama_params_by_part():
    parts = llama_params()
    assert parts["embedding"] == parts["lm_head"] == 32000 * 4096
    assert parts["norms"] == 32 * 2 * 4096 + 4096
    assert parts["mlp"] == 32 * 3 * 4096 * 11008
    tied = llama_params(tie_embeddings=True)
    assert tied["lm_head"] == 0
    assert sum(tied.values()) == sum(parts.values()) - 32000 * 4096
    # The smallest model: every size 1 is allowed.
    ones = llama_params(1, 1, 1, 1, 1, n_kv_heads=1)
    assert ones == {"embedding": 1, "attention": 4, "mlp": 3, "norms": 3, "lm_head": 1}


def test_nf4_bits_from_the_qlora_paper():
    assert nf4_bits_per_param(double_quant=False) == 4.5  # 32 / 64 = 0.5 bits of constants
    assert math.isclose(nf4_bits_per_param() - 4, 0.127, abs_tol=5e-4)  # 8/64 + 32/(64*256)
    assert nf4_bits_per_param() == 4 + 0.125 + 0.001953125  # exactly, in binary
    assert nf4_bits_per_param(block_size=1, double_quant=False) == 36.0  # a constant per weight


def test_training_memory_counts():
    assert sum(ADAM_MIXED_PRECISION.values()) == 16
    full = training_memory(1000)
    assert full == {"weights": 2000, "gradients": 2000, "optimizer": 12000}
    lora = training_memory(10, frozen_weight_bytes=2000.0)
    assert lora == {"weights": 2020.0, "gradients": 20, "optimizer": 120}
    frozen = training_memory(0, frozen_weight_bytes=2000.0)  # nothing trained: weights only
    assert frozen == {"weights": 2000.0, "gradients": 0, "optimizer": 0}


def test_training_memory_accepts_other_byte_tables():
    # Plain fp32 Adam: 4 + 4 + 8, the same 16 bytes as mixed precision (ZeRO paper, 3.1).
    fp32 = training_memory(1000, bytes_per_trainable=ADAM_FP32)
    assert fp32 == {"weights": 4000, "gradients": 4000, "optimizer": 8000}
    sgd = training_memory(10, bytes_per_trainable={"weights": 2, "gradients": 2})
    assert sgd == {"weights": 20, "gradients": 20, "optimizer": 0}


# Korthikanti et al. 2022, section 4.1: bytes stored per layer, 16-bit activations, 1-byte
# dropout masks, written out term by term.
def korthikanti_layer_bytes(s, b, h, a):
    sbh, as2b = s * b * h, a * s * s * b
    attention = {
        "QKV projection input": 2 * sbh,
        "Q and K for QK^T": 4 * sbh,
        "softmax output": 2 * as2b,
        "softmax dropout mask": as2b,
        "dropout output, multiplied by V": 2 * as2b,
        "V": 2 * sbh,
        "output projection input": 2 * sbh,
        "attention dropout mask": sbh,
    }
    mlp = {
        "first linear input": 2 * sbh,
        "GeLU input": 8 * sbh,
        "second linear input": 8 * sbh,
        "dropout mask": sbh,
    }
    layer_norms = {"two LayerNorm inputs": 2 * 2 * sbh}
    return sum(attention.values()) + sum(mlp.values()) + sum(layer_norms.values())


def test_activation_bytes_against_the_papers_breakdown():
    s, b, h, a, n = 8, 2, 16, 4, 3
    layer = korthikanti_layer_bytes(s, b, h, a)
    assert activation_bytes(s, b, h, a, n, flash_attention=False) == n * layer
    flash = korthikanti_layer_bytes(s, b, h, a=0)  # no s x s tensors stored
    assert activation_bytes(s, b, h, a, n) == n * flash
    # Full recomputation: every layer's input, plus the one layer being recomputed.
    assert activation_bytes(s, b, h, a, n, checkpointing=True) == n * 2 * s * b * h + flash
    both = activation_bytes(s, b, h, a, n, flash_attention=False, checkpointing=True)
    assert both == n * 2 * s * b * h + layer
    assert activation_bytes(1, 1, 1, 1, 1) == 34.0  # every size 1 is allowed
    assert activation_bytes(1, 1, 1, 1, 1, flash_attention=False) == 39.0


NAMES = r"\['bf16', 'fp16', 'fp32'\]"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: float_format("fp8"), ValueError, f"name must be one of {NAMES}, got 'fp8'"),
        (lambda: bit_fields(1.0, "int8"), ValueError, f"dtype must be one of {NAMES}, got 'int8'"),
        (
            lambda: to_bfloat16(np.ones(2), rounding="up"),
            ValueError,
            "rounding must be 'nearest_even' or 'truncate', got 'up'",
        ),
        (
            lambda: to_bfloat16(np.array(["a"])),
            TypeError,
            "x must be an array of real numbers, got dtype <U1",
        ),
        (lambda: to_bfloat16(np.array([True])), TypeError, "got dtype bool"),
        (lambda: to_bfloat16(np.array([1j])), TypeError, "got dtype complex128"),
        (
            lambda: DynamicLossScaler(init_scale=0.0),
            ValueError,
            "init_scale must be a finite number > 0, got 0.0",
        ),
        (lambda: DynamicLossScaler(init_scale=np.inf), ValueError, "finite number > 0, got inf"),
        (lambda: DynamicLossScaler(init_scale=True), TypeError, "init_scale must be a number"),
        (lambda: DynamicLossScaler(init_scale="1"), TypeError, "must be a number, got str"),
        (
            lambda: DynamicLossScaler(growth_factor=0.5),
            ValueError,
            "^need growth_factor > 1 and backoff_factor < 1$",
        ),
        (lambda: DynamicLossScaler(growth_factor=1.0), ValueError, "need growth_factor > 1"),
        (
            lambda: DynamicLossScaler(growth_factor=0.0),
            ValueError,
            "growth_factor must be a finite",
        ),
        (
            lambda: DynamicLossScaler(backoff_factor=0.0),
            ValueError,
            "backoff_factor must be a finite",
        ),
        (lambda: DynamicLossScaler(backoff_factor=1.0), ValueError, "and backoff_factor < 1"),
        (
            lambda: DynamicLossScaler(growth_interval=0),
            ValueError,
            "growth_interval must be >= 1, got 0",
        ),
        (
            lambda: DynamicLossScaler(growth_interval=2.5),
            TypeError,
            "growth_interval must be an int, got float",
        ),
        (lambda: DynamicLossScaler(growth_interval=True), TypeError, "an int, got bool"),
        (
            lambda: llama_params(hidden_size=100, n_heads=3),
            ValueError,
            "^hidden_size must divide by n_heads, and n_heads by n_kv_heads$",
        ),
        (lambda: llama_params(n_kv_heads=5), ValueError, "and n_heads by n_kv_heads"),
        *[
            (lambda name=name: llama_params(**{name: 0}), ValueError, f"{name} must be >= 1, got 0")
            for name in (
                "vocab_size",
                "hidden_size",
                "intermediate_size",
                "n_layers",
                "n_heads",
                "n_kv_heads",
            )
        ],
        (lambda: training_memory(-1), ValueError, "n_trainable must be >= 0, got -1"),
        (lambda: training_memory(1.5), TypeError, "n_trainable must be an int, got float"),
        (
            lambda: training_memory(1, frozen_weight_bytes=-1.0),
            ValueError,
            "frozen_weight_bytes must be finite and >= 0, got -1.0",
        ),
        (
            lambda: training_memory(1, frozen_weight_bytes=np.inf),
            ValueError,
            "finite and >= 0, got inf",
        ),
        (
            lambda: training_memory(1, bytes_per_trainable={"weights": 2}),
            ValueError,
            "^bytes_per_trainable needs a 'weights…' and a 'gradients…' entry$",
        ),
        (
            lambda: training_memory(1, bytes_per_trainable={"gradients": 2}),
            ValueError,
            "needs a 'weights…' and a 'gradients…' entry",
        ),
        (
            lambda: training_memory(1, bytes_per_trainable={"weights": 2, "gradients": -1}),
            ValueError,
            r"bytes_per_trainable\['gradients'\] must be a finite number > 0, got -1",
        ),
        (
            lambda: training_memory(1, bytes_per_trainable=[2, 2]),
            TypeError,
            "^bytes_per_trainable must be a dict from names to bytes per parameter$",
        ),
        (
            lambda: training_memory(1, bytes_per_trainable=["weights", "gradients"]),
            TypeError,
            "must be a dict from names",
        ),
        (
            lambda: DynamicLossScaler().unscale([["a"]]),
            TypeError,
            "grad must be an array of real numbers",
        ),
        (
            lambda: training_memory(1, bytes_per_trainable={"weights": 2, 0: 2}),
            TypeError,
            "must be a dict from names",
        ),
        *[
            (
                lambda i=i: activation_bytes(*[0 if j == i else 1 for j in range(5)]),
                ValueError,
                f"{name} must be >= 1, got 0",
            )
            for i, name in enumerate(
                ["seq_len", "batch_size", "hidden_size", "n_heads", "n_layers"]
            )
        ],
        (lambda: nf4_bits_per_param(block_size=0), ValueError, "block_size must be >= 1, got 0"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
