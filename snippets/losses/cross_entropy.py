"""Entropy, KL divergence, cross-entropy, and cross-entropy losses from logits with gradients.

Logarithms are natural (nats). 0 * log 0 is taken as 0.
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check_dist]
def _check_dist(p: np.ndarray, name: str) -> np.ndarray:
    """p as float64 probability vectors along the last axis (non-negative, summing to 1)."""
    arr = np.asarray(p)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name} must have a non-empty last axis, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    if not np.allclose(arr.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError(f"{name} must sum to 1 along the last axis")
    return arr


def _plogq(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """p * log q elementwise, with 0 * log(anything) = 0 and p * log 0 = -inf for p > 0."""
    with np.errstate(divide="ignore"):
        return np.where(p > 0, p * np.log(np.where(p > 0, q, 1.0)), 0.0)


# --8<-- [end:check_dist]


# --8<-- [start:entropy]
def entropy(p: np.ndarray) -> np.ndarray:
    """H(p) = -sum_i p_i log p_i along the last axis."""
    p = _check_dist(p, "p")
    return -np.sum(_plogq(p, p), axis=-1)


def cross_entropy(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """H(p, q) = -sum_i p_i log q_i: p is the true distribution, q the model's."""
    p, q = _check_dist(p, "p"), _check_dist(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    return -np.sum(_plogq(p, q), axis=-1)


def kl_divergence(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """KL(p || q) = sum_i p_i log(p_i / q_i) = H(p, q) - H(p) >= 0."""
    p, q = _check_dist(p, "p"), _check_dist(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    return np.sum(_plogq(p, p) - _plogq(p, q), axis=-1)


# --8<-- [end:entropy]


# --8<-- [start:check_logits]
def _check_logits(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """logits (N, K) floats and integer labels (N,) in [0, K)."""
    z, y = np.asarray(logits), np.asarray(labels)
    if z.dtype.kind not in "iuf" or z.ndim != 2 or z.shape[0] == 0:
        raise ValueError(f"logits must be a non-empty real array (N, K), got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("logits must be finite")
    if y.dtype.kind not in "iu":
        raise TypeError(f"labels must be integer class indices, got dtype {y.dtype}")
    if y.shape != (z.shape[0],) or np.any(y < 0) or np.any(y >= z.shape[1]):
        raise ValueError(f"labels must have shape ({z.shape[0]},) and values in [0, {z.shape[1]})")
    return z.astype(np.float64), y


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log softmax, shifted by the row maximum."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


# --8<-- [end:check_logits]


# --8<-- [start:softmax_ce]
def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean of -log softmax(z)_y over the batch (like torch.nn.functional.cross_entropy)."""
    z, y = _check_logits(logits, labels)
    return float(-_log_softmax(z)[np.arange(len(y)), y].mean())


def softmax_cross_entropy_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """dL/dz = (softmax(z) - onehot(y)) / N, i.e. a - y per sample."""
    z, y = _check_logits(logits, labels)
    a = np.exp(_log_softmax(z))
    a[np.arange(len(y)), y] -= 1.0
    return a / len(y)


# --8<-- [end:softmax_ce]


# --8<-- [start:whiteboard_label_smoothing]
def label_smoothing_ce_whiteboard(logits, labels, eps=0.1):
    """带标签平滑的交叉熵：目标 q = (1 - eps) · onehot + eps / K，对 batch 取平均。"""
    n, k = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))  # log softmax
    q = np.full((n, k), eps / k)
    q[np.arange(n), labels] += 1 - eps
    return -(q * log_p).sum(axis=1).mean()


# --8<-- [end:whiteboard_label_smoothing]


# --8<-- [start:label_smoothing]
def smoothed_targets(labels: np.ndarray, num_classes: int, label_smoothing: float) -> np.ndarray:
    """q = (1 - eps) · onehot(y) + eps / K: every class, the true one included, gets eps / K."""
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    q = np.full((len(labels), num_classes), label_smoothing / num_classes)
    q[np.arange(len(labels)), labels] += 1.0 - label_smoothing
    return q


def label_smoothing_cross_entropy(
    logits: np.ndarray, labels: np.ndarray, label_smoothing: float = 0.0
) -> float:
    """Mean of -sum_k q_k log softmax(z)_k, as F.cross_entropy(..., label_smoothing=eps)."""
    z, y = _check_logits(logits, labels)
    q = smoothed_targets(y, z.shape[1], label_smoothing)
    return float(-(q * _log_softmax(z)).sum(axis=1).mean())


def label_smoothing_cross_entropy_grad(
    logits: np.ndarray, labels: np.ndarray, label_smoothing: float = 0.0
) -> np.ndarray:
    """dL/dz = (softmax(z) - q) / N: the same a - y as before, with the smoothed target."""
    z, y = _check_logits(logits, labels)
    q = smoothed_targets(y, z.shape[1], label_smoothing)
    return (np.exp(_log_softmax(z)) - q) / len(y)


# --8<-- [end:label_smoothing]


# --8<-- [start:linear_grads]
def linear_softmax_grads(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """dL/dW = (a - y)^T x / N and dL/db = mean(a - y) for z = x W^T + b."""
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    if x.ndim != 2 or weight.ndim != 2 or x.shape[1] != weight.shape[1]:
        raise ValueError(f"x (N, d) and weight (K, d) disagree: {x.shape}, {weight.shape}")
    dz = softmax_cross_entropy_grad(x @ weight.T + bias, labels)  # (N, K), already / N
    return dz.T @ x, dz.sum(axis=0)


# --8<-- [end:linear_grads]


# --8<-- [start:sigmoid_ce]
def _check_binary(logits: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z, t = np.asarray(logits), np.asarray(targets)
    if z.dtype.kind not in "iuf" or t.dtype.kind not in "biuf":
        raise TypeError("logits and targets must be arrays of real numbers")
    if z.shape != t.shape or z.size == 0:
        raise ValueError(
            f"logits and targets must have the same non-empty shape: {z.shape}, {t.shape}"
        )
    if not np.all(np.isfinite(z)):
        raise ValueError("logits must be finite")
    t = t.astype(np.float64)
    if np.any(~((t >= 0) & (t <= 1))):
        raise ValueError("targets must lie in [0, 1]")
    return z.astype(np.float64), t


def sigmoid_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Mean binary CE from logits: max(z, 0) - z y + log(1 + exp(-|z|)), no overflow."""
    z, y = _check_binary(logits, targets)
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def sigmoid_cross_entropy_grad(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """dL/dz = (sigmoid(z) - y) / N."""
    z, y = _check_binary(logits, targets)
    e = np.exp(-np.abs(z))
    a = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return (a - y) / z.size


# --8<-- [end:sigmoid_ce]


if __name__ == "__main__":
    p, q = np.array([0.5, 0.5]), np.array([0.25, 0.75])
    assert np.isclose(entropy(p), np.log(2))
    assert np.isclose(kl_divergence(p, q), 0.5 * np.log(4 / 3))
    assert np.isclose(cross_entropy(p, q), entropy(p) + kl_divergence(p, q))
    assert kl_divergence(p, p) == 0
    z = np.array([[2.0, 0.0, -1.0], [1000.0, 0.0, 0.0]])
    labels = np.array([0, 1])
    assert np.isfinite(softmax_cross_entropy(z, labels))
    assert np.allclose(softmax_cross_entropy_grad(z, labels).sum(axis=1), 0)
    assert np.isclose(sigmoid_cross_entropy(np.array([0.0]), np.array([1.0])), np.log(2))
    print("KL(p||q) =", kl_divergence(p, q), " KL(q||p) =", kl_divergence(q, p))
