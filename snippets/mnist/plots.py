"""Figures and a confusion matrix for the MNIST notebook."""

# --8<-- [start:imports]
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

# --8<-- [end:imports]


# --8<-- [start:confusion_matrix]
def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """C[i, j] = number of samples of class i predicted as class j (rows: truth)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D of equal length, got {y_true.shape}, {y_pred.shape}"
        )
    if y_true.size and (
        min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= num_classes
    ):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}")
    flat = y_true.astype(np.int64) * num_classes + y_pred.astype(np.int64)
    return np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


# --8<-- [end:confusion_matrix]


# --8<-- [start:plots]
def plot_digits(
    images: np.ndarray, labels: np.ndarray, predicted: np.ndarray | None = None, ncols: int = 10
) -> Figure:
    """A grid of digits titled with their label, or 'label→prediction' when predicted is given."""
    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0 or len(images) != len(labels):
        raise ValueError(f"images must be (N, H, W) with N = len(labels) > 0, got {images.shape}")
    if predicted is not None and len(predicted) != len(labels):
        raise ValueError(f"predicted must have {len(labels)} entries, got {len(predicted)}")
    n, h, w = images.shape
    nrows, pad, top = -(-n // ncols), 2, 10  # pixels between tiles and above each for the title
    # One mosaic image instead of one axes per digit: much faster to draw.
    tile_h, tile_w = h + top + pad, w + pad
    tiles = np.zeros((nrows * ncols, tile_h, tile_w), dtype=images.dtype)
    tiles[:n, top : top + h, :w] = images
    mosaic = tiles.reshape(nrows, ncols, tile_h, tile_w).transpose(0, 2, 1, 3)
    mosaic = mosaic.reshape(nrows * tile_h, ncols * tile_w)
    rows, cols = np.divmod(np.arange(n), ncols)
    ys, xs = rows * tile_h + top, cols * tile_w
    fig, ax = plt.subplots(figsize=(ncols * 0.75, nrows * 0.95))
    ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=255, interpolation="nearest")
    for i in range(n):
        title = str(labels[i]) if predicted is None else f"{labels[i]}→{predicted[i]}"
        ax.text(xs[i] + w / 2, ys[i] - 1, title, ha="center", va="bottom", fontsize=8)
    ax.axis("off")
    fig.tight_layout()
    return fig


def plot_history(train_loss: list[float], val_accuracy: list[float]) -> Figure:
    """Training loss and held-out accuracy per epoch, side by side."""
    if len(train_loss) == 0 or len(train_loss) != len(val_accuracy):
        raise ValueError("train_loss and val_accuracy must be non-empty and equally long")
    epochs = np.arange(1, len(train_loss) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    left.plot(epochs, train_loss, marker="o")
    left.set(xlabel="epoch", ylabel="mean training loss (cross-entropy)", ylim=(0, None))
    right.plot(epochs, val_accuracy, marker="o", color="tab:orange")
    right.set(xlabel="epoch", ylabel="held-out accuracy")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.set_xticks(epochs)
    fig.tight_layout()
    return fig


# --8<-- [end:plots]


if __name__ == "__main__":
    truth = np.array([0, 1, 2, 2, 1])
    guess = np.array([0, 2, 2, 2, 1])
    matrix = confusion_matrix(truth, guess, num_classes=3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 2]]
    assert np.trace(matrix) == 4
    assert matrix.sum() == 5
    digits = np.zeros((3, 28, 28), dtype=np.uint8)
    figure = plot_digits(digits, truth[:3], guess[:3], ncols=2)
    assert [t.get_text() for t in figure.axes[0].texts] == ["0→0", "1→2", "2→2"]
    assert len(plot_history([1.0, 0.5], [0.8, 0.9]).axes) == 2
    print(matrix)
