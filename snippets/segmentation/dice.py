"""Dice coefficient and Dice loss in numpy.

The Dice of two arrays is taken over all their elements, whatever their shape: one (H, W) mask,
or a whole batch pooled into one set (torchmetrics' multidim_average="global"). One Dice per
sample and/or per class, then their mean, is asked for explicitly with sample_axis and
class_axis; include_background=False then leaves out class 0 (as MONAI's DiceMetric).
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def dice_loss_whiteboard(t, p, s=1.0):
    """多类软 Dice Loss：t 为 one-hot 真值、p 为概率，(N, C, H, W)，逐样本逐类求 Dice，不算背景。"""
    inter = (t * p).sum(axis=(2, 3))  # (N, C)：每个样本、每个类别的交集
    denom = t.sum(axis=(2, 3)) + p.sum(axis=(2, 3))  # |X| + |Y|
    dice = (2 * inter + s) / (denom + s)
    return 1 - dice[:, 1:].mean()  # 去掉第 0 类（背景）再平均


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _check_masks(y_true: np.ndarray, y_pred: np.ndarray, smooth: float) -> tuple:
    """Validated float arrays of one shape, and smooth as a float."""
    arrays = []
    for name, a in (("y_true", y_true), ("y_pred", y_pred)):
        a = np.asarray(a)
        if a.dtype.kind not in "biuf":  # bool, signed, unsigned, float
            raise TypeError(f"{name} must be a numeric or boolean array, got dtype {a.dtype}")
        a = a.astype(np.float64)
        if a.size == 0:
            raise ValueError(f"{name} must not be empty, got shape {a.shape}")
        if np.isnan(a).any() or (a < 0).any() or (a > 1).any():
            raise ValueError(f"{name} must hold values in [0, 1] (no NaN)")
        arrays.append(a)
    if arrays[0].shape != arrays[1].shape:
        raise ValueError(f"y_true {arrays[0].shape} and y_pred {arrays[1].shape} differ in shape")
    if not isinstance(smooth, int | float | np.integer | np.floating):
        raise TypeError(f"smooth must be a real number, got {type(smooth).__name__}")
    if not (np.isfinite(smooth) and smooth >= 0):
        raise ValueError(f"smooth must be a finite number >= 0, got {smooth}")
    return arrays[0], arrays[1], float(smooth)


def _check_axes(
    shape: tuple, sample_axis: int | None, class_axis: int | None, include_background: bool
) -> tuple:
    """sample_axis and class_axis as non-negative ints (or None), checked against shape."""
    axes = []
    for name, axis in (("sample_axis", sample_axis), ("class_axis", class_axis)):
        if axis is not None and (not isinstance(axis, int | np.integer) or isinstance(axis, bool)):
            raise TypeError(f"{name} must be an int or None, got {type(axis).__name__}")
        if axis is not None and not -len(shape) <= axis < len(shape):
            raise ValueError(f"{name}={axis} is out of range for arrays of shape {shape}")
        axes.append(None if axis is None else int(axis) % len(shape))
    if axes[0] is not None and axes[0] == axes[1]:
        raise ValueError(f"sample_axis and class_axis must differ, both are {axes[0]}")
    if not isinstance(include_background, bool | np.bool_):
        raise TypeError(f"include_background must be a bool, got {include_background!r}")
    if not include_background and (axes[1] is None or shape[axes[1]] < 2):
        raise ValueError("include_background=False needs a class_axis with at least 2 classes")
    return axes[0], axes[1], bool(include_background)


# --8<-- [end:check]


# --8<-- [start:groups]
def _grouped(a: np.ndarray, sample_axis: int | None, class_axis: int | None, background: bool):
    """View of a with the sample and class axes first (no class 0 if not background), and k.

    The first k axes index the groups; k = 0 means all elements form one group.
    """
    if not background:
        index = [slice(None)] * a.ndim
        index[class_axis] = slice(1, None)  # leave out class 0
        a = a[tuple(index)]
    kept = [axis for axis in (sample_axis, class_axis) if axis is not None]
    return np.moveaxis(a, kept, range(len(kept))), len(kept)


def _groups(a: np.ndarray, *axes) -> np.ndarray:
    """a as a (groups, elements) array: one row per sample and/or class, a single row by default."""
    view, k = _grouped(a, *axes)
    return view.reshape(int(np.prod(view.shape[:k])), -1)


# --8<-- [end:groups]


# --8<-- [start:dice]
def _dice_terms(t: np.ndarray, p: np.ndarray, squared: bool) -> tuple:
    """Per-group intersection sum(t * p) and denominator sum(t) + sum(p) (or squares)."""
    inter = (t * p).sum(axis=1)
    denom = (t**2).sum(axis=1) + (p**2).sum(axis=1) if squared else t.sum(axis=1) + p.sum(axis=1)
    return inter, denom


def dice_coefficient(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    smooth: float = 1.0,
    squared: bool = False,
    sample_axis: int | None = None,
    class_axis: int | None = None,
    include_background: bool = True,
) -> float:
    """Soft Dice (2 |X ∩ Y| + smooth) / (|X| + |Y| + smooth) over all elements.

    With sample_axis and/or class_axis: one Dice per sample and/or class, then their mean.
    """
    t, p, smooth = _check_masks(y_true, y_pred, smooth)
    axes = _check_axes(t.shape, sample_axis, class_axis, include_background)
    inter, denom = _dice_terms(_groups(t, *axes), _groups(p, *axes), squared)
    # 0/0 only when smooth = 0 and both masks are all zero: two empty sets agree, Dice 1
    # (also the limit smooth -> 0+, since smooth / smooth = 1).
    num, den = 2 * inter + smooth, denom + smooth
    dice = np.divide(num, den, out=np.ones_like(num), where=den > 0)
    return float(dice.mean())


def dice_loss(y_true: np.ndarray, y_pred: np.ndarray, **options) -> float:
    """1 - dice_coefficient(y_true, y_pred, **options): 0 for a perfect prediction."""
    return 1.0 - dice_coefficient(y_true, y_pred, **options)


# --8<-- [end:dice]


# --8<-- [start:grad]
def dice_loss_grad(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    smooth: float = 1.0,
    squared: bool = False,
    sample_axis: int | None = None,
    class_axis: int | None = None,
    include_background: bool = True,
) -> np.ndarray:
    """Gradient of dice_loss (same options) with respect to y_pred, same shape as y_pred."""
    t, p, smooth = _check_masks(y_true, y_pred, smooth)
    axes = _check_axes(t.shape, sample_axis, class_axis, include_background)
    tg, pg = _groups(t, *axes), _groups(p, *axes)
    inter, denom = _dice_terms(tg, pg, squared)
    den = (denom + smooth)[:, None]
    if (den == 0).any():
        raise ValueError("gradient undefined: a group has empty masks and smooth = 0")
    d_denom = 2 * pg if squared else np.ones_like(pg)  # d(denominator) / d(p_j)
    d_dice = 2 * tg / den - (2 * inter[:, None] + smooth) * d_denom / den**2
    grad = np.zeros_like(p)  # class 0 stays 0 when include_background=False
    view, _ = _grouped(grad, *axes)  # writing into the view writes into grad
    view[...] = (-d_dice / len(pg)).reshape(view.shape)  # 1 / len(pg): the mean over groups
    return grad


# --8<-- [end:grad]


# --8<-- [start:plot]
def plot_dice_vs_iou():
    """Dice = 2 IoU / (1 + IoU) against IoU, with the diagonal for comparison."""
    import matplotlib.pyplot as plt

    iou = np.linspace(0, 1, 201)
    fig, ax = plt.subplots(figsize=(4.2, 3.4))
    ax.plot(iou, 2 * iou / (1 + iou), label="Dice = 2 IoU / (1 + IoU)")
    ax.plot(iou, iou, linestyle="--", linewidth=1, label="y = IoU")
    ax.set_xlabel("IoU")
    ax.set_ylabel("Dice")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    truth = np.array([1, 1, 0, 0])
    pred = np.array([1, 0, 1, 0])
    # |X ∩ Y| = 1, |X| + |Y| = 4.
    assert dice_coefficient(truth, pred, smooth=0) == 0.5
    assert dice_coefficient(truth, pred, smooth=1) == 3 / 5
    assert dice_coefficient(np.zeros(4), np.zeros(4), smooth=0) == 1.0
    soft = np.array([0.5, 0.5, 0.0, 0.0])
    assert dice_coefficient(truth, soft, smooth=0) == 2 * 1.0 / (2 + 1.0)
    assert dice_coefficient(truth, soft, smooth=0, squared=True) == 2 * 1.0 / (2 + 0.5)
    assert dice_loss_grad(truth, soft).shape == soft.shape
    # A 2-D mask is one set of pixels, not a batch of rows.
    mask_t, mask_p = truth.reshape(2, 2), pred.reshape(2, 2)
    assert dice_coefficient(mask_t, mask_p, smooth=0) == 0.5
    per_row = dice_coefficient(mask_t, mask_p, smooth=0, sample_axis=0)
    assert np.isclose(per_row, (2 / 3 + 0) / 2)  # rows as samples: only if asked for
    # One-hot (N=1, C=2, 2, 2): class 1 is the mask above, class 0 its complement.
    onehot_t, onehot_p = np.stack([1 - mask_t, mask_t])[None], np.stack([1 - mask_p, mask_p])[None]
    assert dice_coefficient(onehot_t, onehot_p, smooth=0, class_axis=1) == 0.5
    kw = {"sample_axis": 0, "class_axis": 1, "include_background": False}
    assert dice_coefficient(onehot_t, onehot_p, smooth=0, **kw) == 0.5
    # The whiteboard: per sample and class, no background.
    assert np.isclose(dice_loss_whiteboard(onehot_t, onehot_p, s=0), 1 - 0.5)
    print("Dice:", dice_coefficient(truth, pred, smooth=0), "loss:", dice_loss(truth, pred))
