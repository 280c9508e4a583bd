"""IoU, NMS, per-class NMS and Soft-NMS in numpy, with torchvision.ops' conventions.

Boxes are (x1, y1, x2, y2) in continuous coordinates: width = x2 - x1.
`nms_pixel` is the classic variant for inclusive integer pixel indices: width = x2 - x1 + 1.
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard_iou]
def box_iou_whiteboard(a, b):
    """IoU 矩阵：a (N, 4) 与 b (M, 4) 两两的 IoU，框为 (x1, y1, x2, y2)。"""
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    top_left = np.maximum(a[:, None, :2], b[:, :2])  # 交集左上角 (N, M, 2)
    bottom_right = np.minimum(a[:, None, 2:], b[:, 2:])  # 交集右下角
    wh = np.clip(bottom_right - top_left, 0, None)  # 不重叠时截成 0
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area_a[:, None] + area_b - inter)


# --8<-- [end:whiteboard_iou]


# --8<-- [start:whiteboard]
def nms_whiteboard(boxes, scores, iou_threshold):
    """NMS：按分数从高到低保留框，删掉与它 IoU > 阈值的框，返回保留的下标。"""
    order = np.argsort(-scores, kind="stable")  # 分数相同：下标小的优先
    keep = []
    while order.size > 0:
        M, rest = order[0], order[1:]
        keep.append(M)
        iou = box_iou_whiteboard(boxes[M][None], boxes[rest])[0]
        order = rest[iou <= iou_threshold]
    return np.array(keep, dtype=np.int64)


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _check_boxes(boxes: np.ndarray, name: str) -> np.ndarray:
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {boxes.shape}")
    if not np.isfinite(boxes).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    if (boxes[:, 2] < boxes[:, 0]).any() or (boxes[:, 3] < boxes[:, 1]).any():
        raise ValueError(f"{name} must satisfy x2 >= x1 and y2 >= y1")
    return boxes


def _check_scores(scores: np.ndarray, n: int) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (n,):
        raise ValueError(f"scores must have shape ({n},), got {scores.shape}")
    if not np.isfinite(scores).all():
        raise ValueError("scores must not contain NaN or inf")
    return scores


def _check_real(value: float, name: str) -> float:
    if not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    return float(value)


def _check_threshold(value: float, name: str) -> float:
    if not 0.0 <= _check_real(value, name) <= 1.0:  # also rejects NaN
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return float(value)


def _check_soft_nms_args(scores, method, sigma, iou_threshold, score_threshold) -> None:
    if (scores < 0).any():
        raise ValueError("scores must be >= 0 (decay multiplies them)")
    if method not in ("linear", "gaussian"):
        raise ValueError(f"method must be 'linear' or 'gaussian', got {method!r}")
    if not (np.isfinite(_check_real(sigma, "sigma")) and sigma > 0):
        raise ValueError(f"sigma must be a finite number > 0, got {sigma}")
    _check_threshold(iou_threshold, "iou_threshold")
    if not (np.isfinite(_check_real(score_threshold, "score_threshold")) and score_threshold >= 0):
        raise ValueError(f"score_threshold must be a finite number >= 0, got {score_threshold}")


# --8<-- [end:check]


# --8<-- [start:box_iou]
def box_iou(boxes1: np.ndarray, boxes2: np.ndarray) -> np.ndarray:
    """IoU of every box in boxes1 (N, 4) with every box in boxes2 (M, 4) -> (N, M)."""
    boxes1 = _check_boxes(boxes1, "boxes1")
    boxes2 = _check_boxes(boxes2, "boxes2")
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    # Intersection rectangle of every pair, by broadcasting (N, 1, 2) against (M, 2).
    top_left = np.maximum(boxes1[:, None, :2], boxes2[:, :2])
    bottom_right = np.minimum(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = np.clip(bottom_right - top_left, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    union = area1[:, None] + area2 - inter
    # Two degenerate (zero-area) boxes have union 0: define their IoU as 0.
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


# --8<-- [end:box_iou]


# --8<-- [start:nms]
def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Indices of the kept boxes, by decreasing score (like torchvision.ops.nms)."""
    boxes = _check_boxes(boxes, "boxes")
    scores = _check_scores(scores, len(boxes))
    iou_threshold = _check_threshold(iou_threshold, "iou_threshold")
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    # A stable sort: among equal scores the earlier box wins.
    order = np.argsort(-scores, kind="stable")  # pragma: no mutate (kind is case-insensitive)
    keep = []
    while order.size > 0:
        best, rest = order[0], order[1:]
        keep.append(best)
        # IoU of the best box with all remaining boxes at once (same arithmetic as box_iou).
        w = np.maximum(0.0, np.minimum(x2[best], x2[rest]) - np.maximum(x1[best], x1[rest]))
        h = np.maximum(0.0, np.minimum(y2[best], y2[rest]) - np.maximum(y1[best], y1[rest]))
        inter = w * h
        union = areas[best] + areas[rest] - inter
        iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        # A box is suppressed when its IoU with a kept box is > the threshold.
        order = rest[iou <= iou_threshold]
    return np.array(keep, dtype=np.int64)


# --8<-- [end:nms]


# --8<-- [start:batched_nms]
def batched_nms(
    boxes: np.ndarray, scores: np.ndarray, idxs: np.ndarray, iou_threshold: float
) -> np.ndarray:
    """NMS within each class idxs[i]; kept indices by decreasing score (torchvision-like)."""
    boxes = _check_boxes(boxes, "boxes")
    idxs = np.asarray(idxs)
    if idxs.shape != (len(boxes),):
        raise ValueError(f"idxs must have shape ({len(boxes)},), got {idxs.shape}")
    if idxs.size > 0 and not np.issubdtype(idxs.dtype, np.integer):
        raise TypeError(f"idxs must hold integer class ids, got dtype {idxs.dtype}")
    if boxes.size == 0:
        return nms(boxes, scores, iou_threshold)
    # Shift each class to its own region of the plane: boxes of different classes
    # then never overlap, and one NMS pass over all boxes is NMS per class.
    low, high = boxes.min(), boxes.max()
    # (Not mutated: any gap > 0, and either sign of low or of the offsets, keeps classes apart.)
    offsets = (idxs.astype(np.float64) * (high - low + 1.0))[:, None]  # pragma: no mutate
    return nms(boxes - low + offsets, scores, iou_threshold)  # pragma: no mutate


# --8<-- [end:batched_nms]


# --8<-- [start:soft_nms]
def soft_nms(
    boxes: np.ndarray,
    scores: np.ndarray,
    *,
    method: str = "gaussian",
    sigma: float = 0.5,
    iou_threshold: float = 0.3,
    score_threshold: float = 0.001,
) -> tuple[np.ndarray, np.ndarray]:
    """Soft-NMS (Bodla et al. 2017): kept indices and their decayed scores, best first."""
    boxes = _check_boxes(boxes, "boxes")
    scores = _check_scores(scores, len(boxes))
    _check_soft_nms_args(scores, method, sigma, iou_threshold, score_threshold)
    current = scores.copy()
    remaining = np.flatnonzero(current >= score_threshold)
    keep, kept_scores = [], []
    while remaining.size > 0:
        # Highest current score; np.argmax takes the first maximum, i.e. the lowest index.
        pos = np.argmax(current[remaining])
        best = remaining[pos]
        keep.append(best)
        kept_scores.append(current[best])
        remaining = np.delete(remaining, pos)
        iou = box_iou(boxes[best][None], boxes[remaining])[0]
        if method == "linear":
            decay = np.where(iou > iou_threshold, 1.0 - iou, 1.0)
        else:
            decay = np.exp(-(iou**2) / sigma)
        current[remaining] *= decay
        remaining = remaining[current[remaining] >= score_threshold]
    return np.array(keep, dtype=np.int64), np.array(kept_scores)  # float64, as `current` is


# --8<-- [end:soft_nms]


# --8<-- [start:nms_pixel]
def nms_pixel(dets: np.ndarray, thresh: float) -> np.ndarray:
    """Classic NMS on rows (x1, y1, x2, y2, score) of inclusive integer pixel indices."""
    dets = np.asarray(dets, dtype=np.float64)
    if dets.ndim != 2 or dets.shape[1] != 5:
        raise ValueError(f"dets must have shape (N, 5), got {dets.shape}")
    if not np.isfinite(dets).all():
        raise ValueError("dets must not contain NaN or inf")
    x1, y1, x2, y2, scores = dets.T
    if (x2 < x1).any() or (y2 < y1).any():
        raise ValueError("dets must satisfy x2 >= x1 and y2 >= y1")
    thresh = _check_threshold(thresh, "thresh")
    # x1..x2 are pixel indices, both ends included: a box covers x2 - x1 + 1 pixels.
    areas = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = np.argsort(-scores, kind="stable")  # pragma: no mutate (kind is case-insensitive)
    keep = []
    while order.size > 0:
        i, rest = order[0], order[1:]
        keep.append(i)
        w = np.maximum(0.0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]) + 1)
        h = np.maximum(0.0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]) + 1)
        inter = w * h
        iou = inter / (areas[i] + areas[rest] - inter)
        order = rest[iou <= thresh]
    return np.array(keep, dtype=np.int64)


# --8<-- [end:nms_pixel]


# --8<-- [start:plot]
def plot_decay_functions(iou_threshold: float = 0.3, sigma: float = 0.5):
    """Score multiplier against IoU with the selected box: hard NMS, linear and Gaussian."""
    import matplotlib.pyplot as plt

    iou = np.linspace(0, 1, 401)
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.plot(iou, np.where(iou > iou_threshold, 0.0, 1.0), label=f"NMS ($N_t$={iou_threshold})")
    ax.plot(
        iou,
        np.where(iou > iou_threshold, 1 - iou, 1.0),
        label=f"Soft-NMS linear ($N_t$={iou_threshold})",
    )
    ax.plot(iou, np.exp(-(iou**2) / sigma), label=f"Soft-NMS Gaussian ($\\sigma$={sigma})")
    ax.set_xlabel("IoU(M, b)")
    ax.set_ylabel("score multiplier")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.02, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    demo_boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]])
    demo_scores = np.array([0.9, 0.8, 0.7])
    assert np.isclose(box_iou(demo_boxes[:1], demo_boxes[1:2])[0, 0], 81 / 119)
    assert nms(demo_boxes, demo_scores, 0.5).tolist() == [0, 2]
    assert nms(demo_boxes, demo_scores, 0.7).tolist() == [0, 1, 2]
    assert nms(np.empty((0, 4)), np.empty(0), 0.5).dtype == np.int64
    assert np.allclose(box_iou_whiteboard(demo_boxes, demo_boxes), box_iou(demo_boxes, demo_boxes))
    assert nms_whiteboard(demo_boxes, demo_scores, 0.5).tolist() == [0, 2]
    # Different classes never suppress each other.
    assert batched_nms(demo_boxes, demo_scores, np.array([0, 1, 0]), 0.5).tolist() == [0, 1, 2]
    kept, new_scores = soft_nms(demo_boxes, demo_scores, method="linear", iou_threshold=0.3)
    assert kept.tolist() == [0, 2, 1]
    assert np.allclose(new_scores, [0.9, 0.7, 0.8 * (1 - 81 / 119)])
    dets = np.column_stack([demo_boxes - [0, 0, 1, 1], demo_scores])  # inclusive pixel indices
    assert nms_pixel(dets, 0.5).tolist() == nms(demo_boxes, demo_scores, 0.5).tolist()
    print("kept:", nms(demo_boxes, demo_scores, 0.5))
    print("soft-NMS:", kept, new_scores.round(3))
