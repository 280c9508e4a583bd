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
    # optimize=True contracts one axis at a time, in the cheaper order (one fused loop over
    # all four indices took minutes for a 720x1280 image); order="C": a row-major result.
    return np.einsum("oh,hw...,pw->op...", rows, image, cols, optimize=True, order="C")


# --8<-- [end:matrix]


# --8<-- [start:whiteboard_bilinear]
def bilinear_whiteboard(img, out_h, out_w):
    """逐像素双线性缩放一张 (H, W) 图：像素中心对齐（align_corners=False），越界取边缘。"""
    in_h, in_w = img.shape
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        y = min(max((i + 0.5) * in_h / out_h - 0.5, 0), in_h - 1)
        y0 = int(y)
        y1, ty = min(y0 + 1, in_h - 1), y - y0
        for j in range(out_w):
            x = min(max((j + 0.5) * in_w / out_w - 0.5, 0), in_w - 1)
            x0 = int(x)
            x1, tx = min(x0 + 1, in_w - 1), x - x0
            top = (1 - tx) * img[y0, x0] + tx * img[y0, x1]
            bottom = (1 - tx) * img[y1, x0] + tx * img[y1, x1]
            out[i, j] = (1 - ty) * top + ty * bottom
    return out


# --8<-- [end:whiteboard_bilinear]


# --8<-- [start:whiteboard_letterbox]
def letterbox_whiteboard(img, new_h, new_w, color=114.0):
    """等比缩放到能放进 new_h × new_w 的最大尺寸，居中填充灰边；返回图、比例 r 和 (left, top)。"""
    h, w = img.shape
    r = min(new_h / h, new_w / w)
    nh, nw = round(h * r), round(w * r)
    top, left = (new_h - nh) // 2, (new_w - nw) // 2  # 多出的一个像素给下边、右边
    out = np.full((new_h, new_w), color)
    out[top : top + nh, left : left + nw] = bilinear_whiteboard(img, nh, nw)
    return out, r, (left, top)


def boxes_back_whiteboard(boxes, r, pad):
    """letterbox 图上的框 (x1, y1, x2, y2) 映射回原图：先减去填充，再除以比例。"""
    left, top = pad
    return (boxes - np.array([left, top, left, top])) / r


# --8<-- [end:whiteboard_letterbox]


# --8<-- [start:letterbox]
def letterbox(
    image: np.ndarray,
    new_shape: tuple[int, int] = (640, 640),
    color: float = 114.0,
    center: bool = True,
    scaleup: bool = True,
) -> tuple[np.ndarray, tuple[float, float], tuple[int, int]]:
    """Resize keeping the aspect ratio, then pad to new_shape = (height, width).

    YOLOv5's convention: scale r = min(H / h, W / w), new size round(h * r) x round(w * r),
    grey 114 padding split evenly (the odd pixel goes to the bottom / right); scaleup=False
    only shrinks. Returns the image, the exact scales (new_w / w, new_h / h) and the pads
    (left, top) that map a point: x' = x * sx + left, y' = y * sy + top.
    """
    image, (H, W) = _check_letterbox(image, new_shape)
    h, w = image.shape[:2]
    r = min(H / h, W / w)
    if not scaleup:
        r = min(r, 1.0)
    new_h, new_w = max(round(h * r), 1), max(round(w * r), 1)
    top, left = ((H - new_h) // 2, (W - new_w) // 2) if center else (0, 0)
    out = np.full((H, W, *image.shape[2:]), float(color))
    out[top : top + new_h, left : left + new_w] = resize(image, new_h, new_w, "bilinear")
    return out, (new_w / w, new_h / h), (left, top)


def boxes_to_letterbox(
    boxes: np.ndarray, scale: tuple[float, float], pad: tuple[int, int]
) -> np.ndarray:
    """Boxes (N, 4) as (x1, y1, x2, y2) in the original image -> in the letterboxed image."""
    boxes, gain, offset = _check_boxes(boxes, scale, pad)
    return boxes * gain + offset


def boxes_from_letterbox(
    boxes: np.ndarray,
    scale: tuple[float, float],
    pad: tuple[int, int],
    orig_shape: tuple[int, int],
) -> np.ndarray:
    """Predicted boxes on the letterboxed image -> the original (h, w) image, clipped to it."""
    boxes, gain, offset = _check_boxes(boxes, scale, pad)
    h, w = orig_shape
    back = (boxes - offset) / gain  # undo the shift first, then the scale
    return np.clip(back, 0.0, np.array([w, h, w, h], dtype=float))


# --8<-- [end:letterbox]


# --8<-- [start:letterbox_check]
def _check_letterbox(image: np.ndarray, new_shape: tuple[int, int]) -> tuple:
    image = np.asarray(image, dtype=np.float64)
    if image.ndim not in (2, 3) or 0 in image.shape:
        raise ValueError(f"image must have shape (H, W) or (H, W, C), got {image.shape}")
    if (
        len(new_shape) != 2
        or not all(isinstance(n, int | np.integer) and not isinstance(n, bool) for n in new_shape)
        or min(new_shape) < 1
    ):
        raise ValueError(f"new_shape must be two ints >= 1 (height, width), got {new_shape!r}")
    return image, tuple(new_shape)


def _check_boxes(boxes: np.ndarray, scale: tuple[float, float], pad: tuple[int, int]) -> tuple:
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4 or not np.isfinite(boxes).all():
        raise ValueError(f"boxes must be finite (N, 4) as (x1, y1, x2, y2), got {boxes.shape}")
    if len(scale) != 2 or min(scale) <= 0 or len(pad) != 2:
        raise ValueError(f"scale must be two positive numbers and pad two offsets: {scale}, {pad}")
    (sx, sy), (left, top) = scale, pad
    return boxes, np.array([sx, sy, sx, sy]), np.array([left, top, left, top], dtype=float)


# --8<-- [end:letterbox_check]


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

    # --8<-- [start:demo_letterbox]
    image = np.random.default_rng(0).random((10, 20, 3))  # h = 10, w = 20, 3 channels
    boxed, (sx, sy), (left, top) = letterbox(image, (64, 64))
    assert boxed.shape == (64, 64, 3)
    assert (sx, sy) == (3.2, 3.2)  # r = min(64 / 10, 64 / 20): the content is 32 x 64
    assert (left, top) == (0, 16)  # (64 - 32) / 2 rows of grey above and below
    assert (boxed[:16] == 114).all()
    assert (boxed[48:] == 114).all()
    box = np.array([[1.0, 2.0, 5.0, 6.0]])
    moved = boxes_to_letterbox(box, (sx, sy), (left, top))
    assert np.allclose(moved, [[3.2, 22.4, 16.0, 35.2]])  # x * 3.2, y * 3.2 + 16
    assert np.allclose(boxes_from_letterbox(moved, (sx, sy), (left, top), (10, 20)), box)

    gray = image[..., 0]
    board, r, pad = letterbox_whiteboard(gray, 64, 64)
    assert np.allclose(board, letterbox(gray, (64, 64))[0])
    assert np.allclose(boxes_back_whiteboard(moved, r, pad), box)
    assert np.allclose(bilinear_whiteboard(gray, 7, 13), resize(gray, 7, 13, "bilinear"))
    # --8<-- [end:demo_letterbox]
