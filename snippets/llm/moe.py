"""A mixture-of-experts router in numpy: softmax gating, top-k selection with the chosen
weights renormalised (Mixtral; GShard also normalises its top-2), expert capacity with
dropped tokens, and the Switch Transformer load-balancing loss."""

# --8<-- [start:imports]
import math

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def top2_router_whiteboard(logits, capacity, alpha=0.01):
    """logits (T, E)。返回每个 token 的两个专家、组合权重（被丢弃的为 0）和负载均衡损失。"""
    T, E = logits.shape
    p = np.exp(logits - logits.max(1, keepdims=True))
    p = p / p.sum(1, keepdims=True)  # softmax 门控
    idx = np.argsort(-p, axis=1, kind="stable")[:, :2]  # (T, 2)
    w = np.take_along_axis(p, idx, axis=1)
    w = w / w.sum(1, keepdims=True)  # 两个权重重新归一化
    onehot = np.eye(E)[idx]  # (T, 2, E)
    order = onehot.transpose(1, 0, 2).reshape(2 * T, E)  # 先排所有第一选择，再排第二选择
    pos = (np.cumsum(order, axis=0) - 1).reshape(2, T, E).transpose(1, 0, 2)
    keep = (pos * onehot).sum(-1) < capacity  # 专家已满的位置被丢弃
    f = onehot.sum((0, 1)) / (2 * T)  # 分到每个专家的比例
    aux = alpha * E * np.sum(f * p.mean(0))
    return idx, w * keep, aux


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _as_float_array(name: str, x: object) -> np.ndarray:
    """x as a float64 array; TypeError for anything that is not real numbers."""
    a = np.asarray(x)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    return a.astype(np.float64)  # pragma: no mutate (astype(None) is float64 too)


def _softmax(z: np.ndarray) -> np.ndarray:
    # _softmax only sees (tokens, experts) logits: axis 1 is axis -1.
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # pragma: no mutate
    return e / e.sum(axis=-1, keepdims=True)  # pragma: no mutate


# --8<-- [end:check]


# --8<-- [start:router]
def expert_capacity(n_tokens: int, n_experts: int, k: int, capacity_factor: float) -> int:
    """Slots per expert: ceil(capacity_factor * k * T / E); factor 1 fits a perfect balance."""
    if not (math.isfinite(capacity_factor) and capacity_factor > 0):
        raise ValueError(f"capacity_factor must be a finite number > 0, got {capacity_factor}")
    return math.ceil(capacity_factor * k * n_tokens / n_experts)


def load_balancing_loss(
    router_probs: np.ndarray, expert_index: np.ndarray, alpha: float = 0.01
) -> float:
    """Switch Transformer's auxiliary loss alpha * E * sum_i f_i P_i.

    f_i: share of the T k routing choices that picked expert i (counted before capacity);
    P_i: mean router probability of expert i. Equals alpha when both are uniform.
    """
    probs = _as_float_array("router_probs", router_probs)
    idx = np.asarray(expert_index)
    if probs.ndim != 2 or idx.ndim != 2 or idx.shape[0] != probs.shape[0]:
        raise ValueError(
            f"need router_probs (T, E) and expert_index (T, k), got {probs.shape}, {idx.shape}"
        )
    n_experts = probs.shape[1]
    f = np.bincount(idx.ravel(), minlength=n_experts) / idx.size
    return float(alpha * n_experts * np.sum(f * probs.mean(axis=0)))


def topk_router(
    router_logits: np.ndarray, k: int = 2, capacity_factor: float | None = 1.25, alpha=0.01
) -> tuple[np.ndarray, np.ndarray, float]:
    """Route T tokens to k of E experts.

    Returns expert_index (T, k) in descending probability, combine weights (T, k) and the
    load-balancing loss. The weights are the k chosen probabilities renormalised to sum to 1
    over all k choices; then a choice whose expert is full gets weight 0 and the others are
    not renormalised (GShard). Capacity is filled by all first choices in token order, then
    all second choices (GShard's priority); capacity_factor None means no dropping.
    """
    logits = _as_float_array("router_logits", router_logits)
    if logits.ndim != 2 or 0 in logits.shape:
        raise ValueError(f"router_logits must be (tokens, experts), got shape {logits.shape}")
    if not np.isfinite(logits).all():
        raise ValueError("router_logits must be finite")
    n_tokens, n_experts = logits.shape
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= n_experts:
        raise ValueError(f"k must be an int in [1, {n_experts}], got {k!r}")
    probs = _softmax(logits)
    # Ties: the lower expert index. On (T, E) axis 1 is the default axis -1, and numpy ignores
    # the case of kind.
    idx = np.argsort(-probs, axis=1, kind="stable")[:, :k]  # pragma: no mutate
    weights = np.take_along_axis(probs, idx, axis=1)  # pragma: no mutate (default axis is -1)
    weights = weights / weights.sum(axis=1, keepdims=True)  # = softmax over the top-k logits
    aux = load_balancing_loss(probs, idx, alpha)
    if capacity_factor is not None:
        capacity = expert_capacity(n_tokens, n_experts, k, capacity_factor)
        onehot = idx.T[..., None] == np.arange(n_experts)  # (k, T, E), choice-major order
        position = np.cumsum(onehot.reshape(k * n_tokens, n_experts), axis=0).reshape(onehot.shape)
        kept = capacity > ((position - 1) * onehot).sum(axis=-1).T  # (T, k)
        weights = weights * kept
    return idx, weights, aux


def moe_layer(
    x: np.ndarray, router_weight: np.ndarray, expert_weights: np.ndarray, **router_kwargs
) -> np.ndarray:
    """MoE with linear experts: y_t = sum_j w_tj W_{e_tj} x_t; dropped slots add nothing
    (in a Transformer the residual connection carries a fully dropped token on)."""
    x = _as_float_array("x", x)
    router_weight = _as_float_array("router_weight", router_weight)
    experts = _as_float_array("expert_weights", expert_weights)
    if x.ndim != 2 or router_weight.shape != (experts.shape[0], x.shape[1]):
        raise ValueError("need x (T, d), router_weight (E, d), expert_weights (E, d_out, d)")
    if experts.ndim != 3 or experts.shape[2] != x.shape[1]:
        raise ValueError(f"expert_weights must be (E, d_out, {x.shape[1]}), got {experts.shape}")
    idx, weights, _ = topk_router(x @ router_weight.T, **router_kwargs)
    out = np.zeros((x.shape[0], experts.shape[1]))
    for e in range(experts.shape[0]):  # each expert runs once on the tokens sent to it
        # weights > 0 only skips dropped slots, whose weight 0 would add nothing.
        rows, slots = np.nonzero((idx == e) & (weights > 0))  # pragma: no mutate
        out[rows] += weights[rows, slots, None] * (x[rows] @ experts[e].T)
    return out


# --8<-- [end:router]


if __name__ == "__main__":
    logits = np.log(np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]]))
    idx, w, aux = topk_router(logits, k=2, capacity_factor=None)
    assert idx.tolist() == [[0, 1], [2, 1]]
    assert np.allclose(w, [[0.5 / 0.8, 0.3 / 0.8], [0.7 / 0.9, 0.2 / 0.9]])
    uniform = np.zeros((8, 4))  # equal logits everywhere; with a balanced assignment:
    assert np.isclose(load_balancing_loss(np.full((8, 4), 0.25), np.arange(8)[:, None] % 4), 0.01)
    idx_wb, w_wb, _ = top2_router_whiteboard(logits, capacity=10)
    assert (idx_wb == idx).all()
    assert np.allclose(w_wb, w)
    print("expert choices:", idx.tolist(), "aux loss:", round(aux, 5))
