"""Vision Transformer input in numpy: patch embedding (a convolution with kernel = stride =
patch size, written as reshape + matmul), the class token, and resizing learned position
embeddings to a new grid with bicubic interpolation (torch's align_corners=False)."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def patch_embed_whiteboard(images, weight, bias):
    """patch embedding：images (N, C, H, W) 切成 P × P 的块，拉平后乘卷积核 weight (D, C, P, P)。"""
    n, c, h, w = images.shape
    d, p = weight.shape[0], weight.shape[-1]
    x = images.reshape(n, c, h // p, p, w // p, p)  # 切成 P x P 的块
    x = x.transpose(0, 2, 4, 1, 3, 5)  # (N, 行, 列, C, P, P)
    x = x.reshape(n, (h // p) * (w // p), c * p * p)  # 每块拉平成一个向量
    return x @ weight.reshape(d, -1).T + bias  # 一次矩阵乘法 = 步长为 P 的卷积


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _as_float_array(name: str, x: object) -> np.ndarray:
    """x as a float64 array; TypeError for anything that is not real numbers."""
    a = np.asarray(x)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    return a.astype(np.float64)  # pragma: no mutate (astype(None) also gives float64)


# --8<-- [end:check]


# --8<-- [start:patch_embed]
def patch_embed(
    images: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None
) -> np.ndarray:
    """ViT's patch embedding: Conv2d(C, D, kernel_size=P, stride=P) as (N, patches, D)."""
    x = _as_float_array("images", images)
    w = _as_float_array("weight", weight)
    if x.ndim != 4:
        raise ValueError(f"images must be (N, C, H, W), got shape {x.shape}")
    if w.ndim != 4 or w.shape[1] != x.shape[1] or w.shape[2] != w.shape[3] or w.shape[2] == 0:
        raise ValueError(f"weight must be (D, {x.shape[1]}, P, P), got shape {w.shape}")
    n, c, h, wd = x.shape
    d, p = w.shape[0], w.shape[2]
    if h % p or wd % p:
        raise ValueError(f"image size {h}x{wd} must be divisible by the patch size {p}")
    patches = x.reshape(n, c, h // p, p, wd // p, p).transpose(0, 2, 4, 1, 3, 5)
    out = patches.reshape(n, (h // p) * (wd // p), c * p * p) @ w.reshape(d, -1).T
    if bias is not None:
        b = _as_float_array("bias", bias)
        if b.shape != (d,):
            raise ValueError(f"bias must have shape ({d},), got {b.shape}")
        out = out + b
    return out  # patch k is row k // (W/P), column k % (W/P): row-major, like flatten(2)


# --8<-- [end:patch_embed]


# --8<-- [start:resize_pos_embed]
def _cubic_weights(t: np.ndarray, a: float = -0.75) -> np.ndarray:
    """Keys' cubic weights of the neighbours at offsets -1, 0, 1, 2 (torch uses a = -0.75)."""

    def near(s):  # |s| <= 1
        return ((a + 2) * s - (a + 3)) * s * s + 1

    def far(s):  # 1 < |s| < 2
        return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a

    return np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=-1)


def bicubic_matrix(in_size: int, out_size: int) -> np.ndarray:
    """(out, in) matrix M: M @ x is torch's bicubic resize of x with align_corners=False."""
    src = (np.arange(out_size) + 0.5) * (in_size / out_size) - 0.5  # pixel centres line up
    i0 = np.floor(src).astype(int)
    weights = _cubic_weights(src - i0)  # (out, 4)
    m = np.zeros((out_size, in_size))
    for k in range(4):  # neighbours outside the grid repeat the border value
        np.add.at(m, (np.arange(out_size), np.clip(i0 - 1 + k, 0, in_size - 1)), weights[:, k])
    return m


def resize_pos_embed(
    pos_embed: np.ndarray,
    new_size: tuple[int, int],
    old_size: tuple[int, int] | None = None,
    num_prefix_tokens: int = 1,
) -> np.ndarray:
    """(1, prefix + h*w, D) -> (1, prefix + H*W, D): the grid part resized bicubically, the
    class token (prefix) kept as it is. old_size defaults to a square grid."""
    pe = _as_float_array("pos_embed", pos_embed)
    if pe.ndim != 3 or pe.shape[0] != 1:
        raise ValueError(f"pos_embed must be (1, tokens, D), got shape {pe.shape}")
    if isinstance(num_prefix_tokens, bool) or not isinstance(num_prefix_tokens, int | np.integer):
        raise TypeError(f"num_prefix_tokens must be an int, got {type(num_prefix_tokens).__name__}")
    if not 0 <= num_prefix_tokens <= pe.shape[1]:
        raise ValueError(
            f"num_prefix_tokens must be in [0, {pe.shape[1]}], got {num_prefix_tokens}"
        )
    n_grid = pe.shape[1] - num_prefix_tokens
    if old_size is None:
        side = round(float(np.sqrt(n_grid)))
        old_size = (side, side)
    for name, size in (("old_size", old_size), ("new_size", new_size)):
        if (
            not isinstance(size, tuple | list)
            or len(size) != 2
            or any(isinstance(s, bool) or not isinstance(s, int | np.integer) for s in size)
        ):
            raise TypeError(f"{name} must be a pair of ints, got {size!r}")
        if min(size) < 1:
            raise ValueError(f"{name} must be two positive ints, got {size}")
    if old_size[0] * old_size[1] != n_grid:
        raise ValueError(f"old_size {old_size} does not hold the {n_grid} grid tokens")
    prefix, grid = pe[:, :num_prefix_tokens], pe[0, num_prefix_tokens:]
    grid = grid.reshape(*old_size, -1)  # (h, w, D), row-major as the patches
    rows = bicubic_matrix(old_size[0], new_size[0])
    cols = bicubic_matrix(old_size[1], new_size[1])
    grid = np.einsum(
        "ih,hwd,jw->ijd", rows, grid, cols, optimize=True
    )  # separable: rows, then columns
    return np.concatenate([prefix, grid.reshape(1, -1, grid.shape[-1])], axis=1)


# --8<-- [end:resize_pos_embed]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    images, weight, bias = rng.normal(size=(2, 3, 8, 8)), rng.normal(size=(5, 3, 4, 4)), np.ones(5)
    tokens = patch_embed(images, weight, bias)
    assert tokens.shape == (2, 4, 5)  # (8 / 4)^2 = 4 patches of dimension 5
    top_right = (images[0, :, 0:4, 4:8] * weight[1]).sum() + 1  # patch 1, output channel 1
    assert np.isclose(tokens[0, 1, 1], top_right)
    assert np.allclose(patch_embed_whiteboard(images, weight, bias), tokens)
    pos = rng.normal(size=(1, 1 + 14 * 14, 8))
    assert resize_pos_embed(pos, (24, 24)).shape == (1, 1 + 24 * 24, 8)  # 224 -> 384 for ViT-B/16
    assert np.allclose(resize_pos_embed(pos, (14, 14)), pos)  # same size: unchanged
    print(tokens.shape, resize_pos_embed(pos, (24, 24)).shape)
