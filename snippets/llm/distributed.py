"""Distributed training, simulated in numpy on one machine: ring all-reduce (reduce-scatter
then all-gather, counting the bytes each worker sends), ZeRO's per-GPU memory, the
Megatron tensor-parallel MLP, the GPipe schedule and its bubble, gradient accumulation."""

# --8<-- [start:imports]
import math

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard_ring]
def ring_allreduce_whiteboard(xs):
    """xs：N 个 worker 各自的梯度（形状相同），返回每个 worker 上的总和。"""
    n = len(xs)
    chunks = [np.array_split(np.array(x, dtype=float), n) for x in xs]  # chunks[i][c]
    for t in range(n - 1):  # reduce-scatter：每步把一块发给右邻居，右邻居累加
        sent = [chunks[i][(i - t) % n].copy() for i in range(n)]
        for i in range(n):
            chunks[(i + 1) % n][(i - t) % n] += sent[i]
    # 此时 worker i 持有第 (i + 1) % n 块的完整和
    for t in range(n - 1):  # all-gather：把完整的块沿环传一圈，右邻居覆盖
        sent = [chunks[i][(i + 1 - t) % n].copy() for i in range(n)]
        for i in range(n):
            chunks[(i + 1) % n][(i + 1 - t) % n] = sent[i]
    return [np.concatenate(c) for c in chunks]


# --8<-- [end:whiteboard_ring]


# --8<-- [start:gelu]
def gelu(x):
    """GELU, tanh approximation (GPT-2, Megatron)."""
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


# --8<-- [end:gelu]


# --8<-- [start:whiteboard_tp]
def tensor_parallel_mlp_whiteboard(x, a, b, n):
    """Y = GELU(X A) B，A 按列切、B 按行切到 n 张卡上。"""
    a_parts = np.split(a, n, axis=1)  # 每张卡 (d, d_ff / n)
    b_parts = np.split(b, n, axis=0)  # 每张卡 (d_ff / n, d)
    # 各卡独立计算，不需要通信
    partial = [gelu(x @ a_i) @ b_i for a_i, b_i in zip(a_parts, b_parts, strict=True)]
    return sum(partial)  # 一次 all-reduce


# --8<-- [end:whiteboard_tp]


# --8<-- [start:check]
def _real_array(name: str, x: object) -> np.ndarray:
    """x as an array of real numbers, dtype kept; TypeError for anything else."""
    a = np.asarray(x)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    return a


def _as_float_array(name: str, x: object) -> np.ndarray:
    """x as a float64 array; TypeError for anything that is not real numbers."""
    return _real_array(name, x).astype(np.float64)  # pragma: no mutate (astype(None): float64)


def _count(name: str, n: object, minimum: int = 1) -> int:
    """n as an int >= minimum; TypeError for non-integers, ValueError below the minimum."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return int(n)


# --8<-- [end:check]


# --8<-- [start:ring]
def ring_allreduce(arrays: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Sum N workers' arrays with a ring all-reduce; also return the bytes each worker sent.

    Float arrays are summed in their common dtype (float32 gradients stay 4 bytes a value);
    integer arrays (token counts, say) in float64, exact up to 2^53.
    """
    if not isinstance(arrays, list | tuple) or len(arrays) == 0:
        raise ValueError("arrays must be a non-empty list, one array per worker")
    xs = [_real_array(f"arrays[{i}]", a) for i, a in enumerate(arrays)]
    shape = xs[0].shape
    if any(x.shape != shape for x in xs):
        raise ValueError(f"every worker's array must have shape {shape}")
    dtype = np.result_type(*xs)
    if any(np.issubdtype(x.dtype, np.integer) for x in xs):
        # int8 summed in float16 would round. (np.result_type reads None as float64 too.)
        dtype = np.result_type(dtype, np.float64)  # pragma: no mutate
    xs = [np.array(x, dtype=dtype) for x in xs]  # copies: the inputs are not modified
    n = len(xs)
    chunks = [np.array_split(x.ravel(), n) for x in xs]  # worker i owns a view of each chunk
    sent = np.zeros(n, dtype=np.int64)
    # Only "reduce-scatter" is compared below: "all-gather" is a label.
    for phase in ("reduce-scatter", "all-gather"):  # pragma: no mutate
        for t in range(n - 1):
            # Worker i sends one chunk to worker i + 1; all sends of a step happen at once.
            idx = [(i - t) % n if phase == "reduce-scatter" else (i + 1 - t) % n for i in range(n)]
            messages = [chunks[i][idx[i]].copy() for i in range(n)]
            for i in range(n):
                sent[i] += messages[i].nbytes
                dst = chunks[(i + 1) % n]
                if phase == "reduce-scatter":
                    dst[idx[i]] += messages[i]
                else:
                    dst[idx[i]] = messages[i]
    return [np.concatenate(c).reshape(shape) for c in chunks], sent


def ring_traffic_bytes(n_workers: int, size_bytes: int) -> float:
    """Bytes each worker sends in a ring all-reduce: 2 (N - 1) / N * size."""
    n = _count("n_workers", n_workers)
    return 2 * (n - 1) / n * _count("size_bytes", size_bytes, 0)


# --8<-- [end:ring]


# --8<-- [start:zero]
def zero_memory_per_gpu(n_params: float, n_gpus: int, stage: int, k: int = 12) -> float:
    """Bytes of model states per GPU (Rajbhandari et al. 2020): fp16 weights and gradients,
    K bytes of optimizer states per parameter (K = 12 for mixed-precision Adam)."""
    real = int | float | np.integer | np.floating
    if isinstance(n_params, bool) or not isinstance(n_params, real):
        raise TypeError(f"n_params must be a number, got {type(n_params).__name__}")
    if not (math.isfinite(n_params) and n_params > 0):
        raise ValueError(f"n_params must be a finite number > 0, got {n_params!r}")
    n = _count("n_gpus", n_gpus)
    if _count("stage", stage, 0) > 3:
        raise ValueError(f"stage must be 0 (plain DP), 1, 2 or 3, got {stage!r}")
    psi = n_params
    weights = 2 * psi / (n if stage == 3 else 1)
    grads = 2 * psi / (n if stage >= 2 else 1)
    optimizer = k * psi / (n if stage >= 1 else 1)
    return weights + grads + optimizer


# --8<-- [end:zero]


# --8<-- [start:tensor_parallel]
def tensor_parallel_mlp(
    x: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    n_shards: int,
    bias_a: np.ndarray | None = None,
    bias_b: np.ndarray | None = None,
) -> np.ndarray:
    """GELU(x A + bias_a) B + bias_b computed as Megatron does on n_shards devices.

    A (d, d_ff) is split by columns, B (d_ff, d_out) by rows; each shard's partial output is
    summed (the all-reduce), and bias_b is added once after the sum.
    """
    x, a, b = (_as_float_array(n, v) for n, v in (("x", x), ("a", a), ("b", b)))
    n = _count("n_shards", n_shards)
    if a.ndim != 2 or x.shape[-1:] != a.shape[:1]:
        raise ValueError(f"a must be (d, d_ff) with d = x.shape[-1], got {a.shape}")
    if b.ndim != 2 or b.shape[0] != a.shape[1]:
        raise ValueError(f"b must be (d_ff, d_out) with d_ff = {a.shape[1]}, got {b.shape}")
    if a.shape[1] % n:
        raise ValueError(f"d_ff = {a.shape[1]} must divide by n_shards = {n}")
    bias_a = np.zeros(a.shape[1]) if bias_a is None else _as_float_array("bias_a", bias_a)
    bias_b = np.zeros(b.shape[1]) if bias_b is None else _as_float_array("bias_b", bias_b)
    if bias_a.shape != a.shape[1:] or bias_b.shape != b.shape[1:]:
        raise ValueError("bias_a must be (d_ff,) and bias_b (d_out,)")
    cols = np.split(np.arange(a.shape[1]), n)
    partial = [gelu(x @ a[:, c] + bias_a[c]) @ b[c] for c in cols]  # no communication
    return np.sum(partial, axis=0) + bias_b  # all-reduce, then the bias once


# --8<-- [end:tensor_parallel]


# --8<-- [start:pipeline]
def gpipe_schedule(n_stages: int, n_micro: int) -> np.ndarray:
    """GPipe timetable (stages x time slots): k + 1 forward of micro-batch k, -(k + 1) its
    backward, 0 idle. One slot per forward and per backward; all forwards, then all backwards,
    these in reverse micro-batch order (GPipe's Figure 2c): the last stage starts the backward
    of the micro-batch whose forward it has just finished."""
    p, m = _count("n_stages", n_stages), _count("n_micro", n_micro)
    t_forward = m + p - 1
    grid = np.zeros((p, 2 * t_forward), dtype=int)
    for s in range(p):
        for k in range(m):
            grid[s, s + k] = k + 1  # stage s starts micro-batch k after k steps of the pipe
            # backward runs from the last stage down, last micro-batch first
            grid[s, t_forward + (p - 1 - s) + (m - 1 - k)] = -(k + 1)
    return grid


def bubble_fraction(n_stages: int, n_micro: int) -> float:
    """Idle share of a GPipe step: (p - 1) / (m + p - 1)."""
    p, m = _count("n_stages", n_stages), _count("n_micro", n_micro)
    return (p - 1) / (m + p - 1)


# --8<-- [end:pipeline]


# --8<-- [start:accumulation]
def accumulate_gradients(micro_grads: list[np.ndarray], micro_sizes: list[int]) -> np.ndarray:
    """Gradient of the mean loss over all samples from per-micro-batch *mean* gradients.

    Weight each micro-batch by its share of the samples (or of the tokens, for a token-mean
    LM loss); a plain average of the means is right only when all sizes are equal.
    """
    if len(micro_grads) == 0 or len(micro_grads) != len(micro_sizes):
        raise ValueError("need one size per micro-batch gradient, and at least one")
    sizes = [_count(f"micro_sizes[{i}]", n) for i, n in enumerate(micro_sizes)]
    grads = [_as_float_array(f"micro_grads[{i}]", g) for i, g in enumerate(micro_grads)]
    total = sum(sizes)
    # sizes and grads are one per micro-batch (checked above): zip(strict=...) changes nothing.
    return sum(g * (n / total) for g, n in zip(grads, sizes, strict=True))  # pragma: no mutate


# --8<-- [end:accumulation]


# --8<-- [start:plot]
def plot_gpipe(n_stages: int = 4, n_micro: int = 4):
    """The GPipe timetable as coloured cells; white gaps are the bubble."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    grid = gpipe_schedule(n_stages, n_micro)
    p, t = grid.shape
    fig, ax = plt.subplots(figsize=(7.0, 0.5 * p + 1.2))
    for s in range(p):
        for j in range(t):
            k = grid[s, j]
            if k == 0:
                continue
            color = "C0" if k > 0 else "C1"
            ax.add_patch(Rectangle((j, s), 1, 1, facecolor=color, edgecolor="0.5", alpha=0.8))
            ax.text(
                j + 0.5,
                s + 0.5,
                f"{'F' if k > 0 else 'B'}{abs(k)}",
                ha="center",
                va="center",
                fontsize=8,
            )
    ax.set_xlim(0, t)
    ax.set_ylim(p, 0)
    ax.set_yticks(np.arange(p) + 0.5, [f"GPU {s}" for s in range(p)])
    ax.set_xlabel(f"时间步（F：前向，B：反向；空白为气泡，占 {bubble_fraction(p, n_micro):.0%}）")
    ax.set_xticks(range(t + 1))
    ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=10) for _ in range(4)]
    out, sent = ring_allreduce(xs)
    assert all(np.allclose(o, sum(xs)) for o in out)
    assert np.allclose(ring_allreduce_whiteboard(xs), out)
    assert math.isclose(zero_memory_per_gpu(7.5e9, 64, 0) / 1e9, 120.0)
    x, a, b = rng.normal(size=(3, 8)), rng.normal(size=(8, 16)), rng.normal(size=(16, 8))
    assert np.allclose(tensor_parallel_mlp(x, a, b, 4), gelu(x @ a) @ b)
    assert bubble_fraction(4, 4) == 3 / 7
    print("bytes sent per worker:", sent.tolist(), "of", xs[0].nbytes)
