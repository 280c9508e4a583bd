"""Image resizing as two matrix products, with the half-pixel-centre convention.

Output pixel i sits at source coordinate (i + 0.5) * in / out - 0.5 (align_corners=False in
PyTorch, the default of OpenCV). Each method is a 1-D kernel applied along rows, then columns.
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:kernels]
def _linear(x: np.ndarray) -> np.ndarray:
    return np.clip(1.0 - np.abs(x), 0.0, None)


def _cubic(x: np.ndarray, a: float = -0.75) -> np.ndarray:
    """Keys' cubic convolution kernel; a = -0.75 in OpenCV and PyTorch, -0.5 in PIL."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, np.where(x < 2, far, 0.0))


def _lanczos(x: np.ndarray, a: int = 4) -> np.ndarray:
    """sinc(x) * sinc(x / a) on |x| < a; a = 4 is OpenCV's INTER_LANCZOS4 (8 x 8 taps)."""
    return np.where(np.abs(x) < a, np.sinc(x) * np.sinc(x / a), 0.0)


KERNELS = {"bilinear": (_linear, 1), "bicubic": (_cubic, 2), "lanczos": (_lanczos, 4)}


# --8<-- [end:kernels]


# --8<-- [start:matrix]
def resize_matrix(in_size: int, out_size: int, method: str) -> np.ndarray:
    """(out_size, in_size) matrix W with output = W @ input along one axis."""
    if in_size < 1 or out_size < 1:
        raise ValueError(f"sizes must be >= 1, got in_size={in_size}, out_size={out_size}")
    scale = in_size / out_size
    i = np.arange(out_size)
    mat = np.zeros((out_size, in_size))
    if method in ("nearest", "nearest-exact"):
        # 'nearest' = floor(i * scale) (OpenCV INTER_NEAREST, PyTorch 'nearest');
        # 'nearest-exact' rounds the half-pixel centre instead.
        src = i * scale if method == "nearest" else (i + 0.5) * scale
        mat[i, np.minimum(np.floor(src).astype(int), in_size - 1)] = 1.0
    elif method == "area":
        # Each output pixel averages the input pixels its footprint [i*s, (i+1)*s) covers.
        lo, hi = i * scale, (i + 1) * scale
        j = np.arange(in_size)
        overlap = np.minimum(hi[:, None], j + 1) - np.maximum(lo[:, None], j)
        mat = np.clip(overlap, 0.0, None) / scale
    elif method in KERNELS:
        kernel, support = KERNELS[method]
        src = (i + 0.5) * scale - 0.5
        taps = np.floor(src)[:, None] + np.arange(-support + 1, support + 1)  # (out, 2 * support)
        weights = kernel(src[:, None] - taps)
        weights /= weights.sum(axis=1, keepdims=True)  # Lanczos does not sum to 1 by itself
        np.add.at(mat, (i[:, None], np.clip(taps, 0, in_size - 1).astype(int)), weights)
    else:
        raise ValueError(
            f"method must be one of nearest, nearest-exact, area, {', '.join(KERNELS)}"
        )
    return mat


def resize(image: np.ndarray, out_h: int, out_w: int, method: str = "bilinear") -> np.ndarray:
    """Resize an (H, W) or (H, W, C) image: rows with one matrix, columns with another."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim not in (2, 3) or 0 in image.shape:
        raise ValueError(f"image must have shape (H, W) or (H, W, C), got {image.shape}")
    rows = resize_matrix(image.shape[0], out_h, method)
    cols = resize_matrix(image.shape[1], out_w, method)
    return np.einsum("oh,hw...,pw->op...", rows, image, cols)


# --8<-- [end:matrix]


def make_pattern(size: int = 8) -> np.ndarray:
    """A small image with an edge, a diagonal and a bright dot."""
    y, x = np.mgrid[0:size, 0:size]
    img = (x >= size // 2).astype(float) * 0.6 + (np.abs(x - y) <= 0).astype(float) * 0.4
    img[1, size - 3] = 1.0
    return img


def zone_plate(size: int = 64) -> np.ndarray:
    """Rings whose frequency r / (size * sqrt(2)) grows from 0 to Nyquist (0.5) at the corners."""
    y, x = np.mgrid[0:size, 0:size] + 0.5 - size / 2
    return 0.5 + 0.5 * np.cos(np.pi * (x**2 + y**2) / (size * np.sqrt(2)))


def plot_methods():
    """Top: an 8 x 8 image enlarged 8 times. Bottom: a zone plate shrunk 4 times."""
    import matplotlib.pyplot as plt

    small, fine = make_pattern(), zone_plate()
    up = ["nearest", "bilinear", "bicubic", "lanczos"]
    down = ["nearest", "bilinear", "area"]
    fig, axs = plt.subplots(2, 4, figsize=(10, 5.4))
    for ax, m in zip(axs[0], up, strict=True):
        ax.imshow(np.clip(resize(small, 64, 64, m), 0, 1), cmap="viridis", vmin=0, vmax=1)
        ax.set_title(f"放大：{m}", fontsize=9)
    axs[1, 0].imshow(fine, cmap="viridis", vmin=0, vmax=1)
    axs[1, 0].set_title("原图 64×64 同心环", fontsize=9)
    for ax, m in zip(axs[1, 1:], down, strict=True):
        ax.imshow(resize(fine, 16, 16, m), cmap="viridis", vmin=0, vmax=1)
        ax.set_title(f"缩小到 16×16：{m}", fontsize=9)
    for ax in axs.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    img = np.arange(16.0).reshape(4, 4)
    assert np.array_equal(resize(img, 2, 2, "area"), [[2.5, 4.5], [10.5, 12.5]])
    assert np.array_equal(resize(img, 8, 8, "nearest")[::2, ::2], img)
    for m in ["nearest", "nearest-exact", "area", "bilinear", "bicubic", "lanczos"]:
        assert np.allclose(resize(img, 4, 4, m), img)  # same size: identity
        assert np.allclose(resize(np.ones((5, 7)), 3, 11, m), 1.0)  # constants stay constant
    # 1-D bilinear upscaling by 2 of [0, 1]: centres at -0.25, 0.25, 0.75, 1.25 -> clamped
    assert np.allclose(resize(np.array([[0.0, 1.0]]), 1, 4), [[0.0, 0.25, 0.75, 1.0]])
