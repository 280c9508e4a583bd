"""LoRA in numpy with the PEFT library's layout: weight (out, in), lora_A (r, in),
lora_B (out, r), scaling alpha / r; the forward pass, merging the update into the weight,
PEFT's initialisation and the trainable-parameter count."""

# --8<-- [start:imports]
import math

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def lora_forward_whiteboard(x, weight, lora_A, lora_B, alpha):
    r = lora_A.shape[0]
    return x @ weight.T + (alpha / r) * (x @ lora_A.T) @ lora_B.T  # 先降到 r 维再升回


def merge_lora_whiteboard(weight, lora_A, lora_B, alpha):
    return weight + (alpha / lora_A.shape[0]) * lora_B @ lora_A  # (out, r) @ (r, in)


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _as_float_array(name: str, x: object) -> np.ndarray:
    """x as a float64 array; TypeError for anything that is not real numbers."""
    a = np.asarray(x)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    return a.astype(np.float64)  # pragma: no mutate (numpy reads astype(None) as float64)


def _check_lora(weight, lora_A, lora_B, alpha) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """weight (out, in), lora_A (r, in), lora_B (out, r), alpha a finite number."""
    weight, lora_A, lora_B = (
        _as_float_array(n, v)
        for n, v in (("weight", weight), ("lora_A", lora_A), ("lora_B", lora_B))
    )
    if weight.ndim != 2:
        raise ValueError(f"weight must be (out, in), got shape {weight.shape}")
    out_f, in_f = weight.shape
    if lora_A.ndim != 2 or lora_A.shape[1] != in_f or lora_A.shape[0] == 0:
        raise ValueError(f"lora_A must be (r, {in_f}) with r >= 1, got {lora_A.shape}")
    if lora_B.shape != (out_f, lora_A.shape[0]):
        raise ValueError(f"lora_B must be ({out_f}, {lora_A.shape[0]}), got {lora_B.shape}")
    if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.integer | np.floating):
        raise TypeError(f"alpha must be a number, got {type(alpha).__name__}")
    if not math.isfinite(alpha):
        raise ValueError(f"alpha must be finite, got {alpha}")
    return weight, lora_A, lora_B


# --8<-- [end:check]


# --8<-- [start:lora]
def lora_forward(
    x: np.ndarray, weight: np.ndarray, lora_A: np.ndarray, lora_B: np.ndarray, alpha: float
) -> np.ndarray:
    """x W^T + (alpha / r) x A^T B^T, r = lora_A.shape[0]; x is (..., in)."""
    weight, lora_A, lora_B = _check_lora(weight, lora_A, lora_B, alpha)
    x = _as_float_array("x", x)
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"x must be (..., {weight.shape[1]}), got shape {x.shape}")
    scaling = alpha / lora_A.shape[0]
    # Never form B A (out x in): the low-rank path costs r (in + out) per token.
    return x @ weight.T + scaling * ((x @ lora_A.T) @ lora_B.T)


def merge_lora(weight: np.ndarray, lora_A: np.ndarray, lora_B: np.ndarray, alpha: float):
    """W + (alpha / r) B A: one matrix, so inference costs nothing extra."""
    weight, lora_A, lora_B = _check_lora(weight, lora_A, lora_B, alpha)
    return weight + (alpha / lora_A.shape[0]) * (lora_B @ lora_A)


# --8<-- [end:lora]


# --8<-- [start:init]
def init_lora(in_features: int, out_features: int, r: int, rng: np.random.Generator):
    """PEFT's default: A ~ kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)); B = 0."""
    for name, n in (("in_features", in_features), ("out_features", out_features), ("r", r)):
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(f"{name} must be an int >= 1, got {n!r}")
    bound = 1 / math.sqrt(in_features)  # gain sqrt(2 / (1 + 5)) * sqrt(3 / in)
    lora_A = rng.uniform(-bound, bound, size=(r, in_features))
    lora_B = np.zeros((out_features, r))  # B A = 0: training starts from the pretrained model
    return lora_A, lora_B


def lora_params(shapes: list[tuple[int, int]], r: int) -> int:
    """Trainable LoRA parameters for weights of the given (out, in) shapes: r (in + out) each."""
    if isinstance(r, bool) or not isinstance(r, int | np.integer) or r < 1:
        raise ValueError(f"r must be an int >= 1, got {r!r}")
    total = 0
    for shape in shapes:
        if len(shape) != 2 or min(shape) < 1:
            raise ValueError(f"each shape must be (out, in) with positive sizes, got {shape}")
        total += r * (shape[0] + shape[1])
    return total


# --8<-- [end:init]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    w = rng.normal(size=(6, 4))
    a, b = init_lora(4, 6, r=2, rng=rng)
    x = rng.normal(size=(3, 4))
    assert np.allclose(lora_forward(x, w, a, b, alpha=16), x @ w.T)  # B = 0: no change yet
    b = rng.normal(size=(6, 2))
    assert np.allclose(lora_forward(x, w, a, b, 16), x @ merge_lora(w, a, b, 16).T)
    n = lora_params([(4096, 4096)] * 2 * 32, r=8)  # Llama-2-7B, q_proj and v_proj, 32 layers
    assert n == 4_194_304
    print(f"LoRA r=8 on q, v of Llama-2-7B: {n:,} trainable parameters")
