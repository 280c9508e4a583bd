"""Metric learning and knowledge distillation in numpy: the contrastive (pair) loss, the triplet
loss as torch.nn.functional.triplet_margin_loss (p = 2), batch-hard mining, and Hinton's
distillation loss with the gradient of its soft term."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def triplet_loss_whiteboard(anchor, positive, negative, margin=1.0):
    """Write mean(max(d(a, p) − d(a, n) + margin, 0)) with Euclidean d, for (N, D) inputs."""
    d_pos = np.linalg.norm(anchor - positive, axis=-1)
    d_neg = np.linalg.norm(anchor - negative, axis=-1)
    return np.maximum(d_pos - d_neg + margin, 0.0).mean()


# --8<-- [end:whiteboard]


# --8<-- [start:whiteboard_kd]
def distillation_loss_whiteboard(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
    """Write α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, labels), batch means."""

    def log_softmax(z):
        z = z - z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    log_p_t, log_p_s = log_softmax(teacher_logits / T), log_softmax(student_logits / T)
    kl = (np.exp(log_p_t) * (log_p_t - log_p_s)).sum(axis=1).mean()
    ce = -log_softmax(student_logits)[np.arange(len(labels)), labels].mean()
    return alpha * T**2 * kl + (1 - alpha) * ce


# --8<-- [end:whiteboard_kd]


# --8<-- [start:check]
def _float_array(name: str, x, ndims: tuple[int, ...]) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise TypeError(f"{name} must be a real number array, got dtype {x.dtype}")
    if x.ndim not in ndims or x.size == 0:
        raise ValueError(f"{name} must be a non-empty array with ndim in {ndims}, got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    # Equivalent mutants: astype(None) is float64 too; a copy or not, nothing writes to it.
    return x.astype(np.float64, copy=False)  # pragma: no mutate


def _number(name: str, x, low: float, high: float = np.inf, low_open: bool = False) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {type(x).__name__}")
    if not (np.isfinite(x) and (x > low if low_open else x >= low) and x <= high):
        raise ValueError(f"{name} must lie in {'(' if low_open else '['}{low}, {high}], got {x}")
    return float(x)


def _labels(labels, n: int, n_classes: int | None = None) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.dtype == bool or not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got {labels.shape}")
    if n_classes is not None and ((labels < 0) | (labels >= n_classes)).any():
        raise ValueError(f"labels must lie in [0, {n_classes})")
    return labels


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


# --8<-- [end:check]


# --8<-- [start:pair]
def contrastive_loss(x1, x2, same, margin: float = 1.0) -> float:
    """Hadsell et al. (2006) without their ½: mean of d² for similar pairs and
    max(margin − d, 0)² for dissimilar ones; d the Euclidean distance, x1 and x2 (N, D)."""
    x1, x2 = _float_array("x1", x1, (2,)), _float_array("x2", x2, (2,))
    if x1.shape != x2.shape:
        raise ValueError(f"x1 and x2 need the same shape, got {x1.shape}, {x2.shape}")
    same = np.asarray(same)
    if same.dtype != bool or same.shape != (x1.shape[0],):
        raise ValueError(f"same must be a boolean array of shape ({x1.shape[0]},)")
    margin = _number("margin", margin, 0.0)
    d = np.linalg.norm(x1 - x2, axis=1)
    return float(np.where(same, d**2, np.maximum(margin - d, 0.0) ** 2).mean())


# --8<-- [end:pair]


# --8<-- [start:triplet]
def triplet_loss(anchor, positive, negative, margin: float = 1.0) -> float:
    """torch.nn.functional.triplet_margin_loss with p = 2 (eps = 1e-6, swap = False, mean):
    mean(max(d(a, p) − d(a, n) + margin, 0)), d(x, y) = ‖x − y + eps‖₂ as in pairwise_distance.
    Inputs are (N, D), or (D,) for one triplet."""
    eps = 1e-6  # torch adds it to the difference, not to the norm
    arrays = [_float_array(n, x, (1, 2)) for n, x in
              [("anchor", anchor), ("positive", positive), ("negative", negative)]]  # fmt: skip
    if len({a.shape for a in arrays}) != 1:
        raise ValueError(
            f"anchor, positive, negative need one shape, got {[a.shape for a in arrays]}"
        )
    anchor, positive, negative = arrays
    margin = _number("margin", margin, 0.0, low_open=True)
    d_pos = np.linalg.norm(anchor - positive + eps, axis=-1)
    d_neg = np.linalg.norm(anchor - negative + eps, axis=-1)
    return float(np.maximum(d_pos - d_neg + margin, 0.0).mean())


# --8<-- [end:triplet]


# --8<-- [start:batch_hard]
def batch_hard_triplet_loss(embeddings, labels, margin: float = 1.0) -> float:
    """Hermans et al. (2017): for every anchor, its farthest positive and nearest negative in
    the batch; mean of max(d_pos − d_neg + margin, 0) over anchors that have both."""
    x = _float_array("embeddings", embeddings, (2,))
    labels = _labels(labels, x.shape[0])
    margin = _number("margin", margin, 0.0, low_open=True)
    sq = (x**2).sum(axis=1)
    dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * x @ x.T, 0.0))  # (N, N)
    same = labels[:, None] == labels[None, :]
    other = ~np.eye(len(x), dtype=bool)
    hardest_pos = np.where(same & other, dist, -np.inf).max(axis=1)
    hardest_neg = np.where(~same, dist, np.inf).min(axis=1)
    valid = np.isfinite(hardest_pos) & np.isfinite(hardest_neg)
    if not valid.any():
        raise ValueError("no anchor has both a positive and a negative in the batch")
    return float(np.maximum(hardest_pos - hardest_neg + margin, 0.0)[valid].mean())


# --8<-- [end:batch_hard]


# --8<-- [start:distillation]
def distillation_loss(
    student_logits, teacher_logits, labels, *, temperature: float = 4.0, alpha: float = 0.9
) -> float:
    """Hinton et al. (2015): alpha · T² · KL(softmax(teacher/T) ‖ softmax(student/T))
    + (1 − alpha) · CE(student, labels); logits (N, C), labels (N,), both terms batch means."""
    s = _float_array("student_logits", student_logits, (2,))
    t = _float_array("teacher_logits", teacher_logits, (2,))
    if s.shape != t.shape:
        raise ValueError(f"student and teacher logits need one shape, got {s.shape}, {t.shape}")
    labels = _labels(labels, s.shape[0], s.shape[1])
    T = _number("temperature", temperature, 0.0, low_open=True)
    alpha = _number("alpha", alpha, 0.0, 1.0)
    log_p_t, log_p_s = _log_softmax(t / T), _log_softmax(s / T)
    kl = (np.exp(log_p_t) * (log_p_t - log_p_s)).sum(axis=1).mean()  # KLDiv, batchmean
    ce = -_log_softmax(s)[np.arange(len(labels)), labels].mean()
    return float(alpha * T**2 * kl + (1 - alpha) * ce)


def soft_target_grad(student_logits, teacher_logits, temperature: float) -> np.ndarray:
    """∂ KL(softmax(t/T) ‖ softmax(s/T)) / ∂ s, batch mean: (softmax(s/T) − softmax(t/T)) / (TN)."""
    s = _float_array("student_logits", student_logits, (2,))
    t = _float_array("teacher_logits", teacher_logits, (2,))
    if s.shape != t.shape:
        raise ValueError(f"student and teacher logits need one shape, got {s.shape}, {t.shape}")
    T = _number("temperature", temperature, 0.0, low_open=True)
    p_s, p_t = np.exp(_log_softmax(s / T)), np.exp(_log_softmax(t / T))
    return (p_s - p_t) / (T * s.shape[0])


# --8<-- [end:distillation]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    a, p, n = rng.normal(size=(3, 5, 4))
    assert np.isclose(triplet_loss(a, p, n), triplet_loss_whiteboard(a, p, n), atol=1e-5)
    assert triplet_loss(a, a, a + 10.0) == 0.0  # negative far beyond the margin
    s, t = rng.normal(size=(2, 6, 10))
    y = rng.integers(0, 10, 6)
    kd = distillation_loss(s, t, y)
    assert np.isclose(kd, distillation_loss_whiteboard(s, t, y))
    assert np.isclose(distillation_loss(t, t, y, alpha=1.0), 0.0)  # student = teacher
    emb = rng.normal(size=(8, 3))
    labels = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    hard = batch_hard_triplet_loss(emb, labels)
    print(f"triplet {triplet_loss(a, p, n):.3f}, batch-hard {hard:.3f}, KD {kd:.3f}")
