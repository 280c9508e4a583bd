"""FCOS regression targets (l, t, r, b), centre-ness, and the distribution focal loss, in numpy.

Boxes are (x1, y1, x2, y2) in image coordinates; a location is a point (x, y) in the same
coordinates (for FCOS, the centre of a feature-map cell mapped back to the image).
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def centerness_whiteboard(ltrb):
    """FCOS 的 centerness：ltrb (..., 4) 是点到框左、上、右、下边的距离。"""
    left, top, right, bottom = ltrb[..., 0], ltrb[..., 1], ltrb[..., 2], ltrb[..., 3]
    lr = np.minimum(left, right) / np.maximum(left, right)
    tb = np.minimum(top, bottom) / np.maximum(top, bottom)
    return np.sqrt(lr * tb)


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _check_real_array(a, name: str, last: int | None = None) -> np.ndarray:
    a = np.asarray(a)
    if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
    a = a.astype(np.float64)  # pragma: no mutate (numpy reads astype(None) as float64)
    if last is not None and (a.ndim != 2 or a.shape[1] != last):
        raise ValueError(f"{name} must have shape (N, {last}), got {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    return a


def _check_size_range(size_range) -> tuple[float, float]:
    try:
        low, high = (float(s) for s in size_range)
    except (TypeError, ValueError):
        raise TypeError(f"size_range must be two numbers (low, high), got {size_range!r}") from None
    if not 0 <= low < high:
        raise ValueError(f"size_range must satisfy 0 <= low < high, got {size_range!r}")
    return low, high


# --8<-- [end:check]


# --8<-- [start:centerness]
def centerness(ltrb) -> np.ndarray:
    """sqrt(min(l, r) / max(l, r) * min(t, b) / max(t, b)) for ltrb (..., 4) -> (...)."""
    ltrb = np.asarray(ltrb, dtype=np.float64)
    if ltrb.ndim == 0 or ltrb.shape[-1] != 4:
        raise ValueError(f"ltrb must have shape (..., 4), got {ltrb.shape}")
    if not np.isfinite(ltrb).all() or (ltrb < 0).any():
        raise ValueError("ltrb must be finite and >= 0 (the point must lie inside its box)")
    left, top, right, bottom = np.moveaxis(ltrb, -1, 0)
    if (np.maximum(left, right) == 0).any() or (np.maximum(top, bottom) == 0).any():
        raise ValueError("ltrb must have l + r > 0 and t + b > 0 (a box of positive size)")
    lr = np.minimum(left, right) / np.maximum(left, right)
    tb = np.minimum(top, bottom) / np.maximum(top, bottom)
    return np.sqrt(lr * tb)


# --8<-- [end:centerness]


# --8<-- [start:fcos_targets]
def fcos_targets(points, boxes, size_range=(0.0, np.inf)) -> tuple[np.ndarray, np.ndarray]:
    """FCOS assignment for one FPN level: (matched box index or -1, ltrb targets (P, 4))."""
    points = _check_real_array(points, "points", last=2)
    boxes = _check_real_array(boxes, "boxes", last=4)
    if (boxes[:, 2] <= boxes[:, 0]).any() or (boxes[:, 3] <= boxes[:, 1]).any():
        raise ValueError("boxes must satisfy x1 < x2 and y1 < y2")
    low, high = _check_size_range(size_range)
    x, y = points[:, 0, None], points[:, 1, None]  # (P, 1) against (M,)
    ltrb = np.stack([x - boxes[:, 0], y - boxes[:, 1], boxes[:, 2] - x, boxes[:, 3] - y], -1)
    inside = ltrb.min(-1) > 0  # the point lies strictly inside the box
    longest = ltrb.max(-1)  # this level handles boxes whose max(l, t, r, b) is in its range
    candidate = inside & (longest >= low) & (longest <= high)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    # A point inside several boxes regresses the smallest one (ties: the lower index).
    masked_area = np.where(candidate, area, np.inf)
    index = np.argmin(masked_area, axis=1) if len(boxes) else np.zeros(len(points), np.int64)
    positive = candidate.any(axis=1) if len(boxes) else np.zeros(len(points), bool)
    targets = np.zeros((len(points), 4))
    targets[positive] = ltrb[np.flatnonzero(positive), index[positive]]
    return np.where(positive, index, -1).astype(np.int64), targets


# --8<-- [end:fcos_targets]


# --8<-- [start:dfl]
def distribution_focal_loss(logits, target) -> np.ndarray:
    """DFL (GFL, Li et al. 2020): -((y_{i+1} - y) log S_i + (y - y_i) log S_{i+1}) per row."""
    logits = _check_real_array(logits, "logits")
    target = _check_real_array(target, "target")
    if logits.ndim != 2 or target.shape != (len(logits),):
        raise ValueError(
            f"need logits (N, n_bins), target (N,); got {logits.shape}, {target.shape}"
        )
    n_bins = logits.shape[1]
    if n_bins < 2 or (target < 0).any() or (target > n_bins - 1).any():
        raise ValueError(f"target must lie in [0, n_bins - 1] = [0, {n_bins - 1}]")
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_s = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # log softmax
    left = np.minimum(np.floor(target).astype(np.int64), n_bins - 2)  # y_i <= y <= y_{i+1}
    w_left, w_right = left + 1 - target, target - left
    rows = np.arange(len(target))
    return -(w_left * log_s[rows, left] + w_right * log_s[rows, left + 1])


# --8<-- [end:dfl]


# --8<-- [start:plot]
def plot_centerness(width: float = 6.0, height: float = 3.0):
    """Centre-ness target over the inside of one box: 1 at the centre, 0 on the edges."""
    import matplotlib.pyplot as plt

    xs = np.linspace(0, width, 241)[1:-1]
    ys = np.linspace(0, height, 121)[1:-1]
    gx, gy = np.meshgrid(xs, ys)
    ltrb = np.stack([gx, gy, width - gx, height - gy], axis=-1)
    fig, ax = plt.subplots(figsize=(5.2, 2.9))
    image = ax.imshow(
        centerness(ltrb), extent=(0, width, height, 0), cmap="viridis", vmin=0, vmax=1
    )
    ax.contour(gx, gy, centerness(ltrb), levels=[0.25, 0.5, 0.75], colors="white", linewidths=0.8)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    fig.colorbar(image, ax=ax, label="centerness")
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    # A point 1 from the left, 3 from the right, 2 from the top and bottom.
    assert np.isclose(centerness([1.0, 2.0, 3.0, 2.0]), np.sqrt(1 / 3))
    assert np.isclose(centerness_whiteboard(np.array([1.0, 2.0, 3.0, 2.0])), np.sqrt(1 / 3))
    pts = np.array([[2.0, 2.0], [5.0, 5.0], [20.0, 20.0]])
    bxs = np.array([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 6.0, 6.0]])
    idx, tgt = fcos_targets(pts, bxs)
    assert idx.tolist() == [1, 1, -1]  # inside both boxes: the smaller one wins
    assert tgt[0].tolist() == [1.0, 1.0, 4.0, 4.0]
    loss = distribution_focal_loss(np.log([[0.1, 0.6, 0.3, 1e-9]]), np.array([1.4]))
    print("indices", idx, "targets", tgt.tolist(), "DFL", loss.round(4))
