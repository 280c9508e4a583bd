"""Dice coefficient and Dice loss in numpy, per sample over all non-batch axes.

Inputs are shaped (N, ...): axis 0 is the batch. Each sample's Dice is computed over all
its other axes, then the N values are averaged. A single mask is passed as mask[None].
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _check_masks(y_true: np.ndarray, y_pred: np.ndarray, smooth: float) -> tuple:
    """Validated float arrays reshaped to (N, -1), and smooth as a float."""
    arrays = []
    for name, a in (("y_true", y_true), ("y_pred", y_pred)):
        a = np.asarray(a)
        if a.dtype.kind not in "biuf":  # bool, signed, unsigned, float
            raise TypeError(f"{name} must be a numeric or boolean array, got dtype {a.dtype}")
        a = a.astype(np.float64)
        if a.ndim < 2 or a.shape[0] == 0:
            raise ValueError(f"{name} must have shape (N, ...) with N >= 1; use mask[None]")
        if np.isnan(a).any() or (a < 0).any() or (a > 1).any():
            raise ValueError(f"{name} must hold values in [0, 1] (no NaN)")
        arrays.append(a)
    if arrays[0].shape != arrays[1].shape:
        raise ValueError(f"y_true {arrays[0].shape} and y_pred {arrays[1].shape} differ in shape")
    if not isinstance(smooth, int | float | np.integer | np.floating):
        raise TypeError(f"smooth must be a real number, got {type(smooth).__name__}")
    if not (np.isfinite(smooth) and smooth >= 0):
        raise ValueError(f"smooth must be a finite number >= 0, got {smooth}")
    n = arrays[0].shape[0]
    return arrays[0].reshape(n, -1), arrays[1].reshape(n, -1), float(smooth)


# --8<-- [end:check]


# --8<-- [start:dice]
def _dice_terms(t: np.ndarray, p: np.ndarray, squared: bool) -> tuple:
    """Per-sample intersection sum(t * p) and denominator sum(t) + sum(p) (or squares)."""
    inter = (t * p).sum(axis=1)
    denom = (t**2).sum(axis=1) + (p**2).sum(axis=1) if squared else t.sum(axis=1) + p.sum(axis=1)
    return inter, denom


def dice_coefficient(
    y_true: np.ndarray, y_pred: np.ndarray, *, smooth: float = 1.0, squared: bool = False
) -> float:
    """Batch mean of the per-sample Dice (2 |X ∩ Y| + smooth) / (|X| + |Y| + smooth)."""
    t, p, smooth = _check_masks(y_true, y_pred, smooth)
    inter, denom = _dice_terms(t, p, squared)
    # 0/0 only when smooth = 0 and both masks are all zero: two empty sets agree, Dice 1
    # (also the limit smooth -> 0+, since smooth / smooth = 1).
    num, den = 2 * inter + smooth, denom + smooth
    dice = np.divide(num, den, out=np.ones_like(num), where=den > 0)
    return float(dice.mean())


def dice_loss(
    y_true: np.ndarray, y_pred: np.ndarray, *, smooth: float = 1.0, squared: bool = False
) -> float:
    """1 - dice_coefficient: 0 for a perfect prediction."""
    return 1.0 - dice_coefficient(y_true, y_pred, smooth=smooth, squared=squared)


# --8<-- [end:dice]


# --8<-- [start:grad]
def dice_loss_grad(
    y_true: np.ndarray, y_pred: np.ndarray, *, smooth: float = 1.0, squared: bool = False
) -> np.ndarray:
    """Gradient of dice_loss with respect to y_pred, same shape as y_pred."""
    t, p, smooth = _check_masks(y_true, y_pred, smooth)
    inter, denom = _dice_terms(t, p, squared)
    den = (denom + smooth)[:, None]
    if (den == 0).any():
        raise ValueError("gradient undefined: a sample has empty masks and smooth = 0")
    d_denom = 2 * p if squared else np.ones_like(p)  # d(denominator) / d(p_j)
    d_dice = 2 * t / den - (2 * inter[:, None] + smooth) * d_denom / den**2
    return (-d_dice / len(p)).reshape(np.shape(y_pred))


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
    truth = np.array([[1, 1, 0, 0]])
    pred = np.array([[1, 0, 1, 0]])
    # |X ∩ Y| = 1, |X| + |Y| = 4.
    assert dice_coefficient(truth, pred, smooth=0) == 0.5
    assert dice_coefficient(truth, pred, smooth=1) == 3 / 5
    assert dice_coefficient(np.zeros((1, 4)), np.zeros((1, 4)), smooth=0) == 1.0
    soft = np.array([[0.5, 0.5, 0.0, 0.0]])
    assert dice_coefficient(truth, soft, smooth=0) == 2 * 1.0 / (2 + 1.0)
    assert dice_coefficient(truth, soft, smooth=0, squared=True) == 2 * 1.0 / (2 + 0.5)
    assert dice_loss_grad(truth, soft).shape == soft.shape
    print("Dice:", dice_coefficient(truth, pred, smooth=0), "loss:", dice_loss(truth, pred))
