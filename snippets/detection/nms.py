"""Non-maximum suppression (NMS) in numpy, with torchvision.ops' conventions.

Boxes are (x1, y1, x2, y2) in continuous coordinates: width = x2 - x1.
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check_boxes]
def _check_boxes(boxes: np.ndarray, name: str) -> np.ndarray:
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {boxes.shape}")
    if not np.isfinite(boxes).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    if (boxes[:, 2] < boxes[:, 0]).any() or (boxes[:, 3] < boxes[:, 1]).any():
        raise ValueError(f"{name} must satisfy x2 >= x1 and y2 >= y1")
    return boxes


# --8<-- [end:check_boxes]


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
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (len(boxes),):
        raise ValueError(f"scores must have shape ({len(boxes)},), got {scores.shape}")
    if not np.isfinite(scores).all():
        raise ValueError("scores must not contain NaN or inf")
    if not 0.0 <= iou_threshold <= 1.0:
        raise ValueError(f"iou_threshold must be in [0, 1], got {iou_threshold}")

    order = np.argsort(-scores, kind="stable")  # ties: the earlier box wins
    keep = []
    while order.size > 0:
        best, rest = order[0], order[1:]
        keep.append(best)
        # A box is suppressed when its IoU with a kept box is > the threshold.
        iou = box_iou(boxes[best][None], boxes[rest])[0]
        order = rest[iou <= iou_threshold]
    return np.array(keep, dtype=np.int64)


# --8<-- [end:nms]


if __name__ == "__main__":
    demo_boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]])
    demo_scores = np.array([0.9, 0.8, 0.7])
    assert np.isclose(box_iou(demo_boxes[:1], demo_boxes[1:2])[0, 0], 81 / 119)
    assert nms(demo_boxes, demo_scores, 0.5).tolist() == [0, 2]
    assert nms(demo_boxes, demo_scores, 0.7).tolist() == [0, 1, 2]
    assert nms(np.empty((0, 4)), np.empty(0), 0.5).dtype == np.int64
    print("kept:", nms(demo_boxes, demo_scores, 0.5))
