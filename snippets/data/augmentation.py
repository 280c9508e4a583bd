"""Data augmentation in numpy: random crop with padding, horizontal flip, mixup and CutMix.

Images are arrays of shape (N, H, W, C); labels for mixup/CutMix are one-hot (N, K).
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _check_images(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[0] == 0:
        raise ValueError(f"images must have shape (N >= 1, H, W, C), got {images.shape}")
    return images


# --8<-- [end:check]


# --8<-- [start:crop_flip]
def random_crop_flip(
    images: np.ndarray, padding: int, rng: np.random.Generator, flip_prob: float = 0.5
) -> np.ndarray:
    """Zero-pad by `padding`, crop back to H x W at a random offset, flip left-right at random."""
    images = _check_images(images)
    if padding < 0 or not 0.0 <= flip_prob <= 1.0:
        raise ValueError(
            f"padding must be >= 0 and flip_prob in [0, 1], got {padding}, {flip_prob}"
        )
    n, h, w, _ = images.shape
    padded = np.pad(images, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    top = rng.integers(0, 2 * padding + 1, size=n)
    left = rng.integers(0, 2 * padding + 1, size=n)
    rows = top[:, None] + np.arange(h)  # (N, H): the rows each crop takes
    cols = left[:, None] + np.arange(w)  # (N, W)
    flip = rng.random(n) < flip_prob
    cols = np.where(flip[:, None], cols[:, ::-1], cols)  # a flip reverses the column order
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


# --8<-- [end:crop_flip]


# --8<-- [start:mixup]
def mixup(
    x: np.ndarray, y_onehot: np.ndarray, alpha: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """x' = lam x + (1 - lam) x[perm], same for labels; lam ~ Beta(alpha, alpha)."""
    x = np.asarray(x, dtype=np.float64)
    y_onehot = np.asarray(y_onehot, dtype=np.float64)
    if x.shape[0] == 0 or y_onehot.ndim != 2 or y_onehot.shape[0] != x.shape[0]:
        raise ValueError(f"y_onehot must have shape ({x.shape[0]}, K) with N >= 1")
    if alpha <= 0:
        raise ValueError(f"alpha must be > 0, got {alpha}")
    lam = float(rng.beta(alpha, alpha))
    perm = rng.permutation(len(x))  # pair each sample with another one of the same batch
    return lam * x + (1 - lam) * x[perm], lam * y_onehot + (1 - lam) * y_onehot[perm], lam, perm


def cutmix(
    images: np.ndarray, y_onehot: np.ndarray, alpha: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Paste a random box from a shuffled batch; labels mixed by the pasted area fraction."""
    images = _check_images(images)
    y_onehot = np.asarray(y_onehot, dtype=np.float64)
    if y_onehot.ndim != 2 or y_onehot.shape[0] != images.shape[0]:
        raise ValueError(f"y_onehot must have shape ({images.shape[0]}, K)")
    if alpha <= 0:
        raise ValueError(f"alpha must be > 0, got {alpha}")
    n, h, w, _ = images.shape
    lam = rng.beta(alpha, alpha)
    cut_h, cut_w = int(h * np.sqrt(1 - lam)), int(w * np.sqrt(1 - lam))  # area ~ (1 - lam) HW
    cy, cx = rng.integers(h), rng.integers(w)  # box centre; the box is clipped at the border
    y1, y2 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, h)
    x1, x2 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, w)
    perm = rng.permutation(n)
    out = images.copy()
    out[:, y1:y2, x1:x2] = images[perm, y1:y2, x1:x2]
    lam_area = 1 - (y2 - y1) * (x2 - x1) / (h * w)  # the fraction actually kept
    return out, lam_area * y_onehot + (1 - lam_area) * y_onehot[perm]


# --8<-- [end:mixup]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    imgs = np.arange(2 * 4 * 4 * 1, dtype=np.float64).reshape(2, 4, 4, 1)
    out = random_crop_flip(imgs, padding=0, rng=rng, flip_prob=1.0)
    assert np.array_equal(out, imgs[:, :, ::-1])
    y = np.eye(2)
    xm, ym, lam, perm = mixup(imgs, y, alpha=0.4, rng=rng)
    assert np.allclose(ym.sum(axis=1), 1)
    assert 0 <= lam <= 1
    xc, yc = cutmix(imgs, y, alpha=1.0, rng=rng)
    assert xc.shape == imgs.shape
    assert np.allclose(yc.sum(axis=1), 1)
