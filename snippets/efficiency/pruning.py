"""Magnitude pruning, layer-wise or global, in numpy.

`magnitude_prune` returns one boolean keep-mask per weight array. It prunes exactly
round(sparsity * n) weights (Python's round, as torch.nn.utils.prune does), those of the
smallest |w|; among equal magnitudes the earlier weight (layer order, then flat index) goes
first, so the result is deterministic. (torch.nn.utils.prune picks among ties with torch.topk,
whose order is unspecified: the count and the pruned magnitudes agree, the tie choice may not.)
Both versions default to scope="layer", like torch's l1_unstructured; pass "global" for
global_unstructured.

`gradual_sparsity` is the cubic sparsity schedule of gradual pruning (Zhu and Gupta, 2017).
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def magnitude_prune_whiteboard(weights, sparsity, scope="layer"):
    """把 |w| 最小的 round(sparsity·n) 个权重置零，返回每层的保留掩码（True 为保留）。"""
    if scope == "layer":  # 逐层：每层各剪掉同样的比例
        return [magnitude_prune_whiteboard([w], sparsity, "global")[0] for w in weights]
    flat = np.concatenate([np.abs(w).ravel() for w in weights])  # 全局：所有层一起排序
    k = round(sparsity * flat.size)
    keep = np.ones(flat.size, dtype=bool)
    keep[np.argsort(flat, kind="stable")[:k]] = False  # 稳定排序：并列时先剪下标小的
    ends = np.cumsum([w.size for w in weights])[:-1]
    return [m.reshape(w.shape) for m, w in zip(np.split(keep, ends), weights, strict=True)]


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _check_weights(weights) -> list[np.ndarray]:
    if isinstance(weights, np.ndarray) or not isinstance(weights, list | tuple):
        raise TypeError("weights must be a list of arrays (one per layer)")
    checked = []
    for i, w in enumerate(weights):
        w = np.asarray(w)
        if not (np.issubdtype(w.dtype, np.integer) or np.issubdtype(w.dtype, np.floating)):
            raise TypeError(f"weights[{i}] must hold real numbers, got dtype {w.dtype}")
        if not np.isfinite(w).all():
            raise ValueError(f"weights[{i}] must not contain NaN or inf")
        checked.append(w)
    return checked


def _check_sparsity(sparsity) -> float:
    if isinstance(sparsity, bool) or not isinstance(sparsity, int | float | np.number):
        raise TypeError(f"sparsity must be a number in [0, 1], got {type(sparsity).__name__}")
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    return float(sparsity)


# --8<-- [end:check]


# --8<-- [start:magnitude_prune]
def magnitude_prune(weights, sparsity: float, *, scope: str = "layer") -> list[np.ndarray]:
    """Keep-masks that zero the round(sparsity * n) smallest |w|, per layer or globally."""
    weights = _check_weights(weights)
    sparsity = _check_sparsity(sparsity)
    if scope not in ("layer", "global"):
        raise ValueError(f"scope must be 'layer' or 'global', got {scope!r}")
    groups = [[w] for w in weights] if scope == "layer" or not weights else [weights]
    masks = []
    for group in groups:
        magnitude = np.concatenate([np.abs(w).ravel() for w in group])
        n_prune = round(sparsity * magnitude.size)  # Python round: half to even, like torch
        keep = np.ones(magnitude.size, dtype=bool)
        # A stable sort: equal magnitudes are pruned in order, earlier weights first.
        keep[np.argsort(magnitude, kind="stable")[:n_prune]] = False
        ends = np.cumsum([w.size for w in group])[:-1]
        masks += [m.reshape(w.shape) for m, w in zip(np.split(keep, ends), group, strict=True)]
    return masks


# --8<-- [end:magnitude_prune]


# --8<-- [start:schedule]
def gradual_sparsity(
    step: int, final_sparsity: float, *, begin: int, end: int, initial: float = 0.0
) -> float:
    """Zhu and Gupta's cubic schedule: s_i before begin, s_f after end, cubic in between."""
    initial, final_sparsity = _check_sparsity(initial), _check_sparsity(final_sparsity)
    for name, value in (("step", step), ("begin", begin), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if not 0 <= begin < end:
        raise ValueError(f"need 0 <= begin < end, got begin={begin}, end={end}")
    progress = min(max((step - begin) / (end - begin), 0.0), 1.0)
    return final_sparsity + (initial - final_sparsity) * (1.0 - progress) ** 3


# --8<-- [end:schedule]


if __name__ == "__main__":
    layers = [np.array([[0.1, -2.0], [0.3, 0.05]]), np.array([1.0, -0.2, 0.02, 4.0])]
    local = magnitude_prune(layers, 0.5, scope="layer")
    assert local[0].tolist() == [[False, True], [True, False]]
    assert local[1].tolist() == [True, False, False, True]
    glob = magnitude_prune(layers, 0.5, scope="global")  # 0.02, 0.05, 0.1, 0.2 go
    assert glob[0].tolist() == [[False, True], [True, False]]
    assert glob[1].tolist() == [True, False, False, True]
    glob = magnitude_prune(layers, 0.25, scope="global")  # round(0.25 * 8) = 2: 0.02 and 0.05
    assert [int(m.sum()) for m in glob] == [3, 3]
    ties = magnitude_prune([np.ones(4)], 0.5)[0]
    assert ties.tolist() == [False, False, True, True]  # equal |w|: earlier ones go first
    assert all(
        (a == b).all()
        for a, b in zip(magnitude_prune_whiteboard(layers, 0.25, "global"), glob, strict=True)
    )
    assert gradual_sparsity(50, 0.8, begin=0, end=100) == 0.8 * (1 - 0.5**3)  # 0.7 at half way
    print("global masks:", [m.astype(int).tolist() for m in glob])
