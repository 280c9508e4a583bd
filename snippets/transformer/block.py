"""Pieces of a Transformer block in numpy: RMSNorm, the SwiGLU feed-forward layer, and
the parameter and FLOP counts behind "12 d^2 per block", GPT-2 small's 124M and 6N."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def rms_norm_whiteboard(x, weight, eps=1e-6):
    """RMSNorm：x 的每个 token 除以 sqrt(mean(x²) + eps)，再逐维乘 weight（即 γ）。"""
    rms = np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + eps)  # 每个 token 一个 RMS
    return x / rms * weight


# --8<-- [end:whiteboard]


# --8<-- [start:whiteboard_swiglu]
def swiglu_ffn_whiteboard(x, w_gate, w_up, w_down):
    """SwiGLU FFN：(SiLU(x W_gateᵀ) ⊙ x W_upᵀ) W_downᵀ，不带偏置。"""
    # 权重按 nn.Linear 的 (out, in) 存放：w_gate、w_up 为 (h, d)，w_down 为 (d, h)
    return (silu(x @ w_gate.T) * (x @ w_up.T)) @ w_down.T


def silu(z):
    """SiLU(z) = z σ(z) = z / (1 + e^(-z))。"""
    return z / (1 + np.exp(-z))


# --8<-- [end:whiteboard_swiglu]


# --8<-- [start:check]
def _as_float_array(name: str, x: object) -> np.ndarray:
    """x as a float64 array; TypeError for anything that is not real numbers."""
    a = np.asarray(x)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    return a.astype(np.float64)  # pragma: no mutate (astype(None) also gives float64)


def _positive_int(name: str, n: object) -> int:
    """n as an int >= 1; TypeError for non-integers, ValueError for n < 1."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{name} must be >= 1, got {n}")
    return int(n)


# --8<-- [end:check]


# --8<-- [start:rms_norm]
def rms_norm(x: np.ndarray, weight: np.ndarray | None, eps: float = 1e-6) -> np.ndarray:
    """RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * weight (weight None: no scale)."""
    x = _as_float_array("x", x)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(f"x needs a non-empty last axis, got shape {x.shape}")
    if not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be a finite number > 0, got {eps}")
    rms = np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + eps)
    if weight is None:
        return x / rms
    weight = _as_float_array("weight", weight)
    if weight.shape != x.shape[-1:]:
        raise ValueError(f"weight must have shape {x.shape[-1:]}, got {weight.shape}")
    return x / rms * weight


# --8<-- [end:rms_norm]


# --8<-- [start:swiglu]
def swiglu_ffn(
    x: np.ndarray, w_gate: np.ndarray, w_up: np.ndarray, w_down: np.ndarray
) -> np.ndarray:
    """Llama's FFN: (SiLU(x W_gate^T) * (x W_up^T)) W_down^T, weights stored as (out, in)."""
    x = _as_float_array("x", x)
    w_gate, w_up, w_down = (
        _as_float_array(n, w) for n, w in (("w_gate", w_gate), ("w_up", w_up), ("w_down", w_down))
    )
    if x.ndim == 0:
        raise ValueError("x must have a feature axis (..., d), got a scalar")
    d = x.shape[-1]
    if w_gate.ndim != 2 or w_gate.shape[1] != d:
        raise ValueError(f"w_gate must be (hidden, {d}) for x of shape {x.shape}")
    if w_up.shape != w_gate.shape:
        raise ValueError(f"w_up must have w_gate's shape {w_gate.shape}, got {w_up.shape}")
    if w_down.shape != w_gate.shape[::-1]:
        raise ValueError(f"w_down must be {w_gate.shape[::-1]}, got {w_down.shape}")
    gate = x @ w_gate.T
    return (gate / (1 + np.exp(-gate)) * (x @ w_up.T)) @ w_down.T


def swiglu_hidden_dim(
    d_model: int, multiple_of: int = 256, ffn_dim_multiplier: float | None = None
) -> int:
    """Llama's SwiGLU width: int(2/3 * 4d), times an optional multiplier, rounded up."""
    d_model = _positive_int("d_model", d_model)
    multiple_of = _positive_int("multiple_of", multiple_of)
    hidden = int(2 * (4 * d_model) / 3)  # same parameters as a 4d ReLU FFN: 3 d h = 8 d^2
    if ffn_dim_multiplier is not None:
        if not ffn_dim_multiplier > 0:
            raise ValueError(f"ffn_dim_multiplier must be > 0, got {ffn_dim_multiplier}")
        hidden = int(ffn_dim_multiplier * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


# --8<-- [end:swiglu]


# --8<-- [start:params]
def block_params(d_model: int, d_ff: int | None = None) -> dict[str, int]:
    """Parameters of one GPT-2 / BERT style block (biases, two LayerNorms), by part."""
    d = _positive_int("d_model", d_model)
    d_ff = 4 * d if d_ff is None else _positive_int("d_ff", d_ff)
    return {
        "attention": 4 * d * d + 4 * d,  # W_Q, W_K, W_V, W_O and their biases
        "ffn": 2 * d * d_ff + d_ff + d,  # W_1 (d_ff, d), W_2 (d, d_ff), biases
        "layer_norm": 2 * 2 * d,  # two LayerNorms, gamma and beta each
    }


def gpt2_params(
    vocab_size: int = 50257, n_ctx: int = 1024, d_model: int = 768, n_layer: int = 12
) -> dict[str, int]:
    """GPT-2 parameter count by part: tied token embedding, learned positions, blocks, final LN."""
    vocab_size = _positive_int("vocab_size", vocab_size)
    n_ctx = _positive_int("n_ctx", n_ctx)
    n_layer = _positive_int("n_layer", n_layer)
    per_block = sum(block_params(d_model).values())
    return {
        "token_embedding": vocab_size * d_model,  # shared with the output layer (tied)
        "position_embedding": n_ctx * d_model,
        "blocks": n_layer * per_block,
        "final_layer_norm": 2 * d_model,
    }


# --8<-- [end:params]


# --8<-- [start:flops]
def non_embedding_params(n_layer: int, d_model: int, d_ff: int | None = None) -> int:
    """Kaplan et al.'s N: weight matrices of the blocks only, 2 d n_layer (2 d + d_ff)."""
    n_layer = _positive_int("n_layer", n_layer)
    d = _positive_int("d_model", d_model)
    d_ff = 4 * d if d_ff is None else _positive_int("d_ff", d_ff)
    return 2 * d * n_layer * (2 * d + d_ff)  # = 12 n_layer d^2 when d_ff = 4d


def forward_flops_per_token(
    n_layer: int,
    d_model: int,
    n_ctx: int,
    d_ff: int | None = None,
    vocab_size: int | None = None,
) -> int:
    """Forward FLOPs per token as in Kaplan et al. (2020), Table 1: 2N + 2 n_layer n_ctx d.

    vocab_size adds the output layer (de-embedding), 2 d vocab_size, which the 6N rule drops.
    """
    n_ctx = _positive_int("n_ctx", n_ctx)
    n = non_embedding_params(n_layer, d_model, d_ff)
    flops = 2 * n + 2 * n_layer * n_ctx * d_model  # matmuls + Kaplan's single attention term
    if vocab_size is not None:
        flops += 2 * d_model * _positive_int("vocab_size", vocab_size)  # logits = h W_E^T
    return flops


# --8<-- [end:flops]


if __name__ == "__main__":
    x = np.array([[3.0, 4.0]])  # RMS = sqrt((9 + 16) / 2)
    assert np.allclose(rms_norm(x, np.ones(2), eps=1e-12), x / np.sqrt(12.5))
    assert np.allclose(rms_norm(x, np.ones(2)), rms_norm_whiteboard(x, np.ones(2)))
    assert sum(block_params(768).values()) == 12 * 768**2 + 13 * 768
    assert sum(gpt2_params().values()) == 124_439_808
    assert swiglu_hidden_dim(4096) == 11008  # Llama 7B
    assert non_embedding_params(12, 768) == 12 * 12 * 768**2
    print({k: f"{v:,}" for k, v in gpt2_params().items()})
