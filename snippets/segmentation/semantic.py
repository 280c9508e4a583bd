"""Semantic-segmentation metrics from a confusion matrix: PA, mPA, per-class IoU, mIoU, FWIoU."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def miou_whiteboard(y_true, y_pred, K, ignore_index=255):
    """mIoU：用 bincount 数出 K×K 混淆矩阵 n，IoU_i = n_ii / (t_i + p_i - n_ii)，再平均。"""
    keep = y_true != ignore_index  # 去掉忽略的像素
    n = np.bincount(K * y_true[keep] + y_pred[keep], minlength=K * K).reshape(K, K)
    tp = np.diag(n)
    union = n.sum(axis=1) + n.sum(axis=0) - tp  # t_i + p_i - n_ii
    present = union > 0  # 真值和预测里都没有出现的类别不计入
    return (tp[present] / union[present]).mean()


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _check_label_maps(y_true, y_pred, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {y_true.shape}, {y_pred.shape}"
        )
    if not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    for name, a in (("y_true", y_true), ("y_pred", y_pred)):
        if a.dtype.kind not in "iu":  # pragma: no mutate (no dtype kind is "X")
            raise TypeError(f"{name} must hold integer class ids, got dtype {a.dtype}")
    return y_true, y_pred


def _check_class_ids(t: np.ndarray, p: np.ndarray, num_classes: int) -> None:
    """Class ids left after removing ignore_index must lie in [0, num_classes)."""
    if ((t < 0) | (t >= num_classes)).any() or ((p < 0) | (p >= num_classes)).any():
        raise ValueError(f"class ids must be in [0, {num_classes}) (or ignore_index in y_true)")


# --8<-- [end:check]


# --8<-- [start:confusion_matrix]
def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, num_classes: int, ignore_index: int | None = 255
) -> np.ndarray:
    """(K, K) counts: entry [i, j] = pixels of true class i predicted as class j."""
    y_true, y_pred = _check_label_maps(y_true, y_pred, num_classes)
    keep = np.ones(y_true.shape, dtype=bool) if ignore_index is None else y_true != ignore_index
    t, p = y_true[keep].astype(np.int64), y_pred[keep].astype(np.int64)
    _check_class_ids(t, p, num_classes)
    # Pair (i, j) -> one integer i * K + j, counted in a single bincount.
    return np.bincount(t * num_classes + p, minlength=num_classes**2).reshape(
        num_classes, num_classes
    )


# --8<-- [end:confusion_matrix]


# --8<-- [start:scores]
def segmentation_scores(cm: np.ndarray) -> dict[str, float | np.ndarray]:
    """PA, mPA, per-class IoU, mIoU and FWIoU; classes absent from truth and prediction are NaN."""
    cm = np.asarray(cm, dtype=np.float64)  # pragma: no mutate (tp / gt is float anyway)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or (cm < 0).any() or cm.sum() == 0:
        raise ValueError("cm must be a square, non-negative confusion matrix with a positive sum")
    tp = np.diag(cm)
    gt = cm.sum(axis=1)  # pixels of each true class: TP + FN
    pred = cm.sum(axis=0)  # pixels predicted as each class: TP + FP
    union = gt + pred - tp  # TP + FP + FN
    with np.errstate(invalid="ignore"):  # 0 / 0 for absent classes; x / 0 with x > 0 cannot occur
        class_acc = np.where(gt > 0, tp / gt, np.nan)  # pragma: no mutate (0 / 0 is NaN too)
        iou = np.where(union > 0, tp / union, np.nan)  # pragma: no mutate (0 / 0 is NaN too)
    freq = gt / gt.sum()
    return {
        "pixel_accuracy": float(tp.sum() / cm.sum()),
        "mean_pixel_accuracy": float(np.nanmean(class_acc)),
        "iou": iou,
        "miou": float(np.nanmean(iou)),
        "fwiou": float(np.nansum(freq * iou)),
    }


# --8<-- [end:scores]


if __name__ == "__main__":
    truth = np.array([[0, 0, 1], [1, 2, 2], [255, 2, 2]])
    guess = np.array([[0, 1, 1], [1, 2, 0], [0, 2, 2]])
    cm = confusion_matrix(truth, guess, 3)
    assert cm.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 3]]
    s = segmentation_scores(cm)
    assert np.isclose(s["pixel_accuracy"], 6 / 8)
    assert np.allclose(s["iou"], [1 / 3, 2 / 3, 3 / 4])
    assert np.isclose(s["miou"], (1 / 3 + 2 / 3 + 3 / 4) / 3)
    assert np.isclose(miou_whiteboard(truth, guess, 3), s["miou"])
    print(cm, {k: np.round(v, 4) for k, v in s.items()}, sep="\n")
