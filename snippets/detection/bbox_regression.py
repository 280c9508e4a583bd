"""Bounding-box regression targets (R-CNN / Faster R-CNN parametrisation) and their inverse."""

# --8<-- [start:imports]
import math

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:helpers]
def _check(boxes: np.ndarray, name: str) -> np.ndarray:
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {boxes.shape}")
    if not np.isfinite(boxes).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    return boxes


def _centre_size(boxes: np.ndarray, name: str) -> tuple[np.ndarray, ...]:
    """(x1, y1, x2, y2) -> centre x, centre y, width, height; widths must be > 0."""
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    if (w <= 0).any() or (h <= 0).any():
        raise ValueError(f"{name} must have x2 > x1 and y2 > y1")
    return boxes[:, 0] + 0.5 * w, boxes[:, 1] + 0.5 * h, w, h


# --8<-- [end:helpers]


# --8<-- [start:encode]
def encode(
    anchors: np.ndarray, gt_boxes: np.ndarray, weights: tuple = (1.0, 1.0, 1.0, 1.0)
) -> np.ndarray:
    """Targets (t_x, t_y, t_w, t_h) that move each anchor onto its ground-truth box."""
    anchors = _check(anchors, "anchors")
    xa, ya, wa, ha = _centre_size(anchors, "anchors")
    gt = _check(gt_boxes, "gt_boxes")
    if gt.shape != anchors.shape:
        raise ValueError(f"gt_boxes must have the shape of anchors {anchors.shape}, got {gt.shape}")
    x, y, w, h = _centre_size(gt, "gt_boxes")
    wx, wy, ww, wh = weights
    return np.stack(
        [
            wx * (x - xa) / wa,  # offset measured in anchor widths: scale invariant
            wy * (y - ya) / ha,
            ww * np.log(w / wa),  # log ratio: always defined, symmetric for x2 and /2
            wh * np.log(h / ha),
        ],
        axis=1,
    )


# --8<-- [end:encode]


# --8<-- [start:decode]
def decode(
    anchors: np.ndarray,
    deltas: np.ndarray,
    weights: tuple = (1.0, 1.0, 1.0, 1.0),
    clip: float = math.log(1000.0 / 16),
) -> np.ndarray:
    """Inverse of encode: apply predicted (t_x, t_y, t_w, t_h) to anchors -> (x1, y1, x2, y2)."""
    anchors = _check(anchors, "anchors")
    xa, ya, wa, ha = _centre_size(anchors, "anchors")
    deltas = _check(deltas, "deltas")
    if deltas.shape != anchors.shape:
        raise ValueError(
            f"deltas must have the shape of anchors {anchors.shape}, got {deltas.shape}"
        )
    wx, wy, ww, wh = weights
    tx, ty = deltas[:, 0] / wx, deltas[:, 1] / wy
    # Clip t_w, t_h before exp so that one wild prediction cannot overflow (torchvision does this).
    tw = np.minimum(deltas[:, 2] / ww, clip)
    th = np.minimum(deltas[:, 3] / wh, clip)
    x, y = xa + tx * wa, ya + ty * ha
    w, h = wa * np.exp(tw), ha * np.exp(th)
    return np.stack([x - 0.5 * w, y - 0.5 * h, x + 0.5 * w, y + 0.5 * h], axis=1)


# --8<-- [end:decode]


if __name__ == "__main__":
    anchor = np.array([[0.0, 0.0, 10.0, 20.0]])  # centre (5, 10), 10 x 20
    gt = np.array([[2.0, 4.0, 22.0, 24.0]])  # centre (12, 14), 20 x 20
    t = encode(anchor, gt)
    assert np.allclose(t, [[0.7, 0.2, np.log(2.0), 0.0]])
    assert np.allclose(decode(anchor, t), gt)
    weights = (10.0, 10.0, 5.0, 5.0)  # = 1 / variances (0.1, 0.1, 0.2, 0.2)
    assert np.allclose(encode(anchor, gt, weights), t * np.array(weights))
    assert np.allclose(decode(anchor, encode(anchor, gt, weights), weights), gt)
    print("targets:", t.round(4))
