"""GIoU, DIoU and CIoU between two sets of boxes, pairwise N x M, like torchvision.ops,
and the losses 1 - GIoU / DIoU / CIoU of N one-to-one pairs.

Boxes are (x1, y1, x2, y2) with x1 < x2 and y1 < y2 (torchvision's stated precondition;
CIoU divides by the height). The eps conventions are torchvision's: none in GIoU, eps
added to the squared diagonal c² (DIoU, CIoU) and to CIoU's 1 - IoU + v.
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def iou_family_whiteboard(a, b, eps=1e-7):
    """GIoU、DIoU、CIoU 矩阵：a (N, 4) 与 b (M, 4) 两两计算，框为 (x1, y1, x2, y2)。"""
    wa, ha = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]
    wb, hb = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    lt, rb = np.maximum(a[:, None, :2], b[:, :2]), np.minimum(a[:, None, 2:], b[:, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=-1)  # 交集面积
    union = (wa * ha)[:, None] + wb * hb - inter
    iou = inter / union
    c_wh = np.maximum(a[:, None, 2:], b[:, 2:]) - np.minimum(a[:, None, :2], b[:, :2])  # 外接框 C
    c_area = c_wh[..., 0] * c_wh[..., 1]
    giou = iou - (c_area - union) / c_area
    center_a, center_b = (a[:, :2] + a[:, 2:]) / 2, (b[:, :2] + b[:, 2:]) / 2
    rho2 = ((center_a[:, None] - center_b) ** 2).sum(-1)  # 中心距离的平方
    c2 = (c_wh**2).sum(-1) + eps  # C 的对角线长度的平方
    diou = iou - rho2 / c2
    v = 4 / np.pi**2 * (np.arctan(wb / hb) - np.arctan(wa / ha)[:, None]) ** 2
    alpha = v / (1 - iou + v + eps)
    return giou, diou, diou - alpha * v


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _check_boxes(boxes, name: str) -> np.ndarray:
    boxes = np.asarray(boxes)
    if not (np.issubdtype(boxes.dtype, np.integer) or np.issubdtype(boxes.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers, got dtype {boxes.dtype}")
    boxes = boxes.astype(np.float64)  # pragma: no mutate (numpy reads astype(None) as float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {boxes.shape}")
    if not np.isfinite(boxes).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    if (boxes[:, 2] <= boxes[:, 0]).any() or (boxes[:, 3] <= boxes[:, 1]).any():
        raise ValueError(f"{name} must satisfy x1 < x2 and y1 < y2 (positive width and height)")
    return boxes


def _check_eps(eps) -> float:
    if not isinstance(eps, int | float | np.integer | np.floating):
        raise TypeError(f"eps must be a real number, got {type(eps).__name__}")
    if not (np.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")
    return float(eps)


# --8<-- [end:check]


# --8<-- [start:helpers]
# Every helper works on boxes (..., 4) and broadcasts: a[:, None] against b[None] gives the
# (N, M) matrices, a against b (both (N, 4)) gives the N one-to-one pairs.
def _iou_and_enclosing(boxes1: np.ndarray, boxes2: np.ndarray):
    """IoU, union and the width/height of the smallest enclosing box C, broadcast."""
    area1 = (boxes1[..., 2] - boxes1[..., 0]) * (boxes1[..., 3] - boxes1[..., 1])
    area2 = (boxes2[..., 2] - boxes2[..., 0]) * (boxes2[..., 3] - boxes2[..., 1])
    top_left = np.maximum(boxes1[..., :2], boxes2[..., :2])
    bottom_right = np.minimum(boxes1[..., 2:], boxes2[..., 2:])
    wh = np.clip(bottom_right - top_left, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    union = area1 + area2 - inter  # > 0: every box has a positive area
    enclosing_wh = np.maximum(boxes1[..., 2:], boxes2[..., 2:]) - np.minimum(
        boxes1[..., :2], boxes2[..., :2]
    )
    return inter / union, union, enclosing_wh


def _giou(boxes1: np.ndarray, boxes2: np.ndarray) -> np.ndarray:
    iou, union, enclosing_wh = _iou_and_enclosing(boxes1, boxes2)
    enclosing = enclosing_wh[..., 0] * enclosing_wh[..., 1]
    return iou - (enclosing - union) / enclosing


def _diou_and_iou(boxes1: np.ndarray, boxes2: np.ndarray, eps: float):
    iou, _, enclosing_wh = _iou_and_enclosing(boxes1, boxes2)
    diagonal2 = (enclosing_wh**2).sum(-1) + eps  # c², torchvision adds eps here
    center1 = (boxes1[..., :2] + boxes1[..., 2:]) / 2
    center2 = (boxes2[..., :2] + boxes2[..., 2:]) / 2
    rho2 = ((center1 - center2) ** 2).sum(-1)
    return iou - rho2 / diagonal2, iou


def _ciou(boxes1: np.ndarray, boxes2: np.ndarray, eps: float) -> np.ndarray:
    diou, iou = _diou_and_iou(boxes1, boxes2, eps)
    w1, h1 = boxes1[..., 2] - boxes1[..., 0], boxes1[..., 3] - boxes1[..., 1]
    w2, h2 = boxes2[..., 2] - boxes2[..., 0], boxes2[..., 3] - boxes2[..., 1]
    v = (4 / np.pi**2) * (np.arctan(w2 / h2) - np.arctan(w1 / h1)) ** 2
    alpha = v / (1 - iou + v + eps)  # a constant in training (no gradient), as in torchvision
    return diou - alpha * v


# --8<-- [end:helpers]


# --8<-- [start:giou]
def generalized_box_iou(boxes1, boxes2) -> np.ndarray:
    """GIoU = IoU - |C minus (A union B)| / |C| for every pair -> (N, M), in [-1, 1]."""
    boxes1, boxes2 = _check_boxes(boxes1, "boxes1"), _check_boxes(boxes2, "boxes2")
    return _giou(boxes1[:, None], boxes2[None])


# --8<-- [end:giou]


# --8<-- [start:diou]
def distance_box_iou(boxes1, boxes2, eps: float = 1e-7) -> np.ndarray:
    """DIoU = IoU - rho² / c² for every pair -> (N, M), in (-1, 1]."""
    boxes1, boxes2 = _check_boxes(boxes1, "boxes1"), _check_boxes(boxes2, "boxes2")
    return _diou_and_iou(boxes1[:, None], boxes2[None], _check_eps(eps))[0]


# --8<-- [end:diou]


# --8<-- [start:ciou]
def complete_box_iou(boxes1, boxes2, eps: float = 1e-7) -> np.ndarray:
    """CIoU = DIoU - alpha v for every pair -> (N, M); boxes2 plays the ground truth."""
    boxes1, boxes2 = _check_boxes(boxes1, "boxes1"), _check_boxes(boxes2, "boxes2")
    return _ciou(boxes1[:, None], boxes2[None], _check_eps(eps))


# --8<-- [end:ciou]


# --8<-- [start:loss]
def box_iou_loss(pred, target, kind: str = "giou", eps: float = 1e-7) -> np.ndarray:
    """1 - GIoU / DIoU / CIoU of the N pairs (pred[i], target[i]) -> (N,), O(N) not O(N²)."""
    pred, target = _check_boxes(pred, "pred"), _check_boxes(target, "target")
    if len(pred) != len(target):
        raise ValueError(f"pred and target must pair up, got {len(pred)} and {len(target)} boxes")
    eps = _check_eps(eps)
    if kind == "giou":
        return 1 - _giou(pred, target)
    if kind == "diou":
        return 1 - _diou_and_iou(pred, target, eps)[0]
    if kind == "ciou":
        return 1 - _ciou(pred, target, eps)
    raise ValueError(f"kind must be 'giou', 'diou' or 'ciou', got {kind!r}")


# --8<-- [end:loss]


# --8<-- [start:plot]
def plot_iou_family():
    """IoU, GIoU, DIoU of a unit box sliding right past another, against the offset."""
    import matplotlib.pyplot as plt

    target = np.array([[0.0, 0.0, 1.0, 1.0]])
    offsets = np.linspace(-3, 3, 241)
    moving = np.column_stack([offsets, np.full(241, 0.25), offsets + 1, np.full(241, 1.25)])
    iou, _, _ = _iou_and_enclosing(moving, target)  # target broadcasts: one IoU per offset
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    ax.plot(offsets, iou, label="IoU")
    ax.plot(offsets, generalized_box_iou(moving, target)[:, 0], label="GIoU")
    ax.plot(offsets, distance_box_iou(moving, target)[:, 0], "--", label="DIoU")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("horizontal offset of the predicted box")
    ax.set_ylabel("value")
    ax.set_xlim(-3, 3)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    a = np.array([[0.0, 0.0, 1.0, 1.0]])
    b = np.array([[2.0, 0.0, 3.0, 1.0], [0.0, 0.0, 1.0, 1.0], [0.25, 0.25, 0.75, 0.75]])
    giou = generalized_box_iou(a, b)
    assert np.allclose(giou, [[-1 / 3, 1.0, 0.25]])  # disjoint, identical, nested
    assert np.allclose(distance_box_iou(a, b), [[-0.4, 1.0, 0.25]])
    assert np.allclose(complete_box_iou(a, b), distance_box_iou(a, b))  # same aspect ratios
    full = (giou, distance_box_iou(a, b), complete_box_iou(a, b))
    assert all(np.allclose(x, y) for x, y in zip(iou_family_whiteboard(a, b), full, strict=True))
    losses = box_iou_loss(b, np.repeat(a, 3, axis=0))  # the same three pairs, one to one
    assert np.allclose(losses, 1 - giou[0])
    print("GIoU loss 1 - GIoU:", losses.round(4))
