"""Floating-point formats, fp16 loss scaling and a training-memory calculator in numpy:
bit layouts of fp32 / fp16 / bf16, a bfloat16 rounding emulation, dynamic loss scaling
with torch.amp.GradScaler's rules, and bytes for weights, gradients, Adam states and
activations ("can I fine-tune a 7B model on one 80 GB GPU?")."""

# --8<-- [start:imports]
import math

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def update_scale_whiteboard(scale, good_steps, found_inf, growth_interval=2000):
    """GradScaler.update：溢出就跳过这一步并减半，连续 growth_interval 步正常就翻倍。"""
    if found_inf:
        return scale * 0.5, 0  # 本步的 optimizer.step() 被跳过
    good_steps += 1
    if good_steps == growth_interval:
        return scale * 2.0, 0
    return scale, good_steps


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _as_float_array(name: str, x: object) -> np.ndarray:
    """x as a float array; TypeError for anything that is not real numbers."""
    a = np.asarray(x)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    return a


def _count(name: str, n: object, minimum: int = 0) -> int:
    """n as an int >= minimum; TypeError for non-integers, ValueError below the minimum."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return int(n)


def _positive(name: str, x: object) -> float:
    """x as a finite float > 0."""
    if isinstance(x, bool) or not isinstance(x, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {type(x).__name__}")
    if not (math.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {x}")
    return float(x)


# --8<-- [end:check]


# --8<-- [start:formats]
FORMATS = {"fp32": (8, 23), "fp16": (5, 10), "bf16": (8, 7)}  # (exponent bits, mantissa bits)


def float_format(name: str) -> dict[str, float]:
    """Range and precision of an IEEE-style binary format from its bit counts."""
    if name not in FORMATS:
        raise ValueError(f"name must be one of {sorted(FORMATS)}, got {name!r}")
    e, m = FORMATS[name]
    bias = 2 ** (e - 1) - 1  # largest exponent = bias: the all-ones exponent is inf / NaN
    return {
        "exponent_bits": e,
        "mantissa_bits": m,
        "max": (2 - 2.0**-m) * 2.0**bias,  # 1.11…1 (binary) × 2^bias
        "min_normal": 2.0 ** (1 - bias),
        "min_subnormal": 2.0 ** (1 - bias - m),  # 0.00…1 × 2^(1 - bias)
        "eps": 2.0**-m,  # gap between 1 and the next number
    }


def bit_fields(x: float, dtype: str = "fp16") -> str:
    """The bits of one number as 'sign exponent mantissa'."""
    if dtype not in FORMATS:
        raise ValueError(f"dtype must be one of {sorted(FORMATS)}, got {dtype!r}")
    e, m = FORMATS[dtype]
    if dtype == "fp16":
        raw = int(np.array(x, dtype=np.float16).view(np.uint16))
    else:  # bf16 is the top 16 bits of a float32 (rounded), fp32 is all 32
        raw = int(np.array(x, dtype=np.float32).view(np.uint32))
        if dtype == "bf16":
            raw = int(to_bfloat16(np.float32(x)).view(np.uint32)) >> 16
    bits = format(raw, f"0{1 + e + m}b")
    return f"{bits[0]} {bits[1 : 1 + e]} {bits[1 + e :]}"


def to_bfloat16(x: np.ndarray, rounding: str = "nearest_even") -> np.ndarray:
    """Round float32 values to bfloat16 (returned as float32 whose low 16 bits are zero).

    "nearest_even" is what PyTorch's float32 -> bfloat16 cast does; "truncate" just drops
    the low 16 bits (round toward zero).
    """
    x = np.asarray(_as_float_array("x", x), dtype=np.float32)
    if rounding not in ("nearest_even", "truncate"):
        raise ValueError(f"rounding must be 'nearest_even' or 'truncate', got {rounding!r}")
    bits = x.view(np.uint32).astype(np.uint64)
    if rounding == "nearest_even":
        lsb = (bits >> 16) & 1  # ties go to the even neighbour
        bits = bits + 0x7FFF + lsb  # a carry may run into the exponent: up to inf, correctly
    out = (bits & 0xFFFF0000).astype(np.uint32).view(np.float32)
    # np.float32(None) is NaN as well.
    return np.where(np.isnan(x), np.float32(np.nan), out)  # pragma: no mutate


# --8<-- [end:formats]


# --8<-- [start:scaler]
class DynamicLossScaler:
    """Dynamic loss scaling with the rules and defaults of torch.amp.GradScaler."""

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
    ):
        self.scale = _positive("init_scale", init_scale)
        self.growth_factor = _positive("growth_factor", growth_factor)
        self.backoff_factor = _positive("backoff_factor", backoff_factor)
        if not (self.growth_factor > 1 and self.backoff_factor < 1):
            raise ValueError("need growth_factor > 1 and backoff_factor < 1")
        self.growth_interval = _count("growth_interval", growth_interval, minimum=1)
        self.good_steps = 0  # consecutive steps without inf / NaN

    def unscale(self, scaled_grads: list[np.ndarray]) -> tuple[list[np.ndarray], bool]:
        """Divide by the scale (in float32) and report whether any gradient is inf or NaN."""
        grads = [np.asarray(_as_float_array("grad", g), dtype=np.float32) for g in scaled_grads]
        inv = np.float32(1.0 / self.scale)
        found_inf = not all(np.isfinite(g).all() for g in grads)
        return [g * inv for g in grads], found_inf

    def update(self, found_inf: bool) -> None:
        """After each step: back off and restart the count on overflow, else maybe grow."""
        if found_inf:
            self.scale *= self.backoff_factor  # the optimizer step was skipped
            self.good_steps = 0
            return
        self.good_steps += 1
        if self.good_steps == self.growth_interval:
            grown = self.scale * self.growth_factor
            if grown <= float(np.finfo(np.float32).max):  # GradScaler keeps its scale in float32
                self.scale = grown
            self.good_steps = 0


# --8<-- [end:scaler]


# --8<-- [start:calculator]
ADAM_MIXED_PRECISION = {  # bytes per trainable parameter (Rajbhandari et al. 2020)
    "weights (fp16/bf16)": 2,
    "gradients (fp16/bf16)": 2,
    "master weights (fp32)": 4,
    "Adam m (fp32)": 4,
    "Adam v (fp32)": 4,
}
ADAM_FP32 = {  # plain fp32 training: no 16-bit copy, 4-byte gradients
    "weights (fp32)": 4,
    "gradients (fp32)": 4,
    "Adam m (fp32)": 4,
    "Adam v (fp32)": 4,
}


def llama_params(
    vocab_size: int = 32000,
    hidden_size: int = 4096,
    intermediate_size: int = 11008,
    n_layers: int = 32,
    n_heads: int = 32,
    n_kv_heads: int | None = None,
    tie_embeddings: bool = False,
) -> dict[str, int]:
    """Parameters of a Llama-style model by part (defaults: Llama-2-7B's config.json)."""
    v = _count("vocab_size", vocab_size, 1)
    d = _count("hidden_size", hidden_size, 1)
    f = _count("intermediate_size", intermediate_size, 1)
    n_layers = _count("n_layers", n_layers, 1)
    n_heads = _count("n_heads", n_heads, 1)
    n_kv = n_heads if n_kv_heads is None else _count("n_kv_heads", n_kv_heads, 1)
    if d % n_heads or n_heads % n_kv:
        raise ValueError("hidden_size must divide by n_heads, and n_heads by n_kv_heads")
    kv_dim = d // n_heads * n_kv
    return {
        "embedding": v * d,
        "attention": n_layers * (2 * d * d + 2 * d * kv_dim),  # q, o: d x d; k, v: d x kv_dim
        "mlp": n_layers * 3 * d * f,  # gate, up, down (SwiGLU), no biases
        "norms": n_layers * 2 * d + d,  # two RMSNorms per layer, one final
        "lm_head": 0 if tie_embeddings else v * d,
    }


def nf4_bits_per_param(block_size: int = 64, double_quant: bool = True) -> float:
    """Bits per weight in QLoRA's NF4: 4 bits plus the quantisation constants.

    One absmax constant per block of 64 weights: fp32 (32 / 64 = 0.5 bits) or, with double
    quantisation, 8-bit constants plus one fp32 constant per 256 of them (Dettmers et al. 2023).
    """
    block_size = _count("block_size", block_size, 1)
    if double_quant:
        return 4 + 8 / block_size + 32 / (block_size * 256)
    return 4 + 32 / block_size


def training_memory(
    n_trainable: int, frozen_weight_bytes: float = 0.0, bytes_per_trainable: dict | None = None
) -> dict[str, float]:
    """Bytes for weights, gradients and optimizer states; activations are not included.

    Trainable parameters cost ADAM_MIXED_PRECISION (16 bytes) unless bytes_per_trainable says
    otherwise: keys starting with "weights" or "gradients" are those, every other key is
    optimizer state. Frozen parameters cost only their weights, passed in bytes (2 per
    parameter in bf16, about 0.52 in NF4).
    """
    n_trainable = _count("n_trainable", n_trainable)
    if not (math.isfinite(frozen_weight_bytes) and frozen_weight_bytes >= 0):
        raise ValueError(f"frozen_weight_bytes must be finite and >= 0, got {frozen_weight_bytes}")
    per = ADAM_MIXED_PRECISION if bytes_per_trainable is None else bytes_per_trainable
    if not isinstance(per, dict) or not all(isinstance(k, str) for k in per):
        raise TypeError("bytes_per_trainable must be a dict from names to bytes per parameter")
    parts = {"weights": 0.0, "gradients": 0.0, "optimizer": 0.0}
    for key, b in per.items():
        b = _positive(f"bytes_per_trainable[{key!r}]", b)
        part = next((p for p in ("weights", "gradients") if key.startswith(p)), "optimizer")
        parts[part] += b
    if not (parts["weights"] and parts["gradients"]):
        raise ValueError("bytes_per_trainable needs a 'weights…' and a 'gradients…' entry")
    return {
        "weights": frozen_weight_bytes + parts["weights"] * n_trainable,
        "gradients": parts["gradients"] * n_trainable,
        "optimizer": parts["optimizer"] * n_trainable,
    }


def activation_bytes(
    seq_len: int,
    batch_size: int,
    hidden_size: int,
    n_heads: int,
    n_layers: int,
    *,
    flash_attention: bool = True,
    checkpointing: bool = False,
) -> float:
    """Peak activation bytes kept for backward, 16-bit, GPT-style layers (Korthikanti et al.).

    Per layer s b h (34 + 5 a s / h) bytes; FlashAttention drops the 5 a s^2 b term (no s x s
    softmax / dropout tensors stored). Full checkpointing keeps each layer's input, 2 s b h,
    plus, at the peak, the full activations of the one layer being recomputed in backward.
    """
    s, b = _count("seq_len", seq_len, 1), _count("batch_size", batch_size, 1)
    h, a = _count("hidden_size", hidden_size, 1), _count("n_heads", n_heads, 1)
    n_layers = _count("n_layers", n_layers, 1)
    per_layer = 34 * s * b * h + (0 if flash_attention else 5 * a * s * s * b)
    if checkpointing:
        return float(n_layers * 2 * s * b * h + per_layer)
    return float(n_layers * per_layer)


# --8<-- [end:calculator]


# --8<-- [start:plot]
def plot_ranges():
    """Positive ranges of fp16, bf16 and fp32 on a log axis, subnormals hatched."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.8, 2.6))
    for row, name in enumerate(["fp32", "bf16", "fp16"]):
        f = float_format(name)
        lo, lo_n, hi = (math.log10(f[k]) for k in ("min_subnormal", "min_normal", "max"))
        ax.barh(row, hi - lo_n, left=lo_n, height=0.5, color=f"C{row}", label=None)
        ax.barh(row, lo_n - lo, left=lo, height=0.5, color=f"C{row}", alpha=0.35, hatch="//")
        ax.text(hi + 1, row, f"max {f['max']:.3g}", va="center", fontsize=8)
    ax.set_yticks(range(3), ["fp32", "bf16", "fp16"])
    ax.set_xlabel("正数的范围（log10，斜线为次正规数）")
    ax.set_xlim(-48, 48)
    ax.set_ylim(-0.5, 2.5)
    fig.tight_layout()
    return fig


def plot_memory_breakdown(rows: dict[str, dict[str, float]], budget_gb: float = 80.0):
    """Stacked bars of memory parts (GB) for each fine-tuning method, with the GPU budget."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    parts = list(next(iter(rows.values())))
    left = np.zeros(len(rows))
    for i, part in enumerate(parts):
        widths = np.array([r[part] for r in rows.values()]) / 1e9
        label = {"weights": "权重", "gradients": "梯度", "optimizer": "优化器状态"}.get(part, part)
        ax.barh(list(rows), widths, left=left, color=f"C{i}", label=label)
        left += widths
    ax.axvline(budget_gb, color="C3", ls="--")
    ax.text(budget_gb, -0.6, f" {budget_gb:g} GB", color="C3", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("显存（GB，10⁹ 字节）")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    assert float_format("fp16")["max"] == 65504.0 == float(np.finfo(np.float16).max)
    with np.errstate(over="ignore"):
        assert np.float16(70000.0) == np.inf
        assert np.float16(1e-8) == 0.0
    assert to_bfloat16(np.float32(1 + 2**-8)) == 1.0  # tie: to even
    scaler = DynamicLossScaler(growth_interval=2)
    scaler.update(found_inf=True)
    assert scaler.scale == 2.0**15
    n = sum(llama_params().values())
    assert n == 6_738_415_616  # Llama-2-7B
    full = training_memory(n)
    print(f"Llama-2-7B: {n:,} params, full fine-tuning {sum(full.values()) / 1e9:.1f} GB")
