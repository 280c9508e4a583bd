"""Max and average pooling, forward and backward, in numpy (torch.nn.functional layout).

x is (N, C, H, W); no padding; windows may overlap (stride < kernel_size).
"""

# --8<-- [start:imports]
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def max_pool_forward(x, k, s):
    """最大池化的前向和反向：x (N, C, H, W)，k × k 窗口，步幅 s，不补零。"""
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i * s : i * s + k, j * s : j * s + k].max(axis=(2, 3))
    return out


def max_pool_backward(dout, x, k, s):
    n, c, oh, ow = dout.shape
    dx = np.zeros_like(x)
    ni, ci = np.arange(n)[:, None], np.arange(c)[None, :]
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, i * s : i * s + k, j * s : j * s + k].reshape(n, c, k * k)
            r, q = np.divmod(win.argmax(axis=2), k)  # 每个窗口最大值的位置，并列取第一个
            dx[ni, ci, i * s + r, j * s + q] += dout[:, :, i, j]  # 窗口重叠时累加
    return dx


# --8<-- [end:whiteboard]


# --8<-- [start:windows]
def _windows(x: np.ndarray, kernel_size: int, stride: int | None) -> tuple[np.ndarray, int]:
    """All pooling windows as a (N, C, H', W', k, k) view, and the stride used."""
    x = np.asarray(x, dtype=np.float64)
    stride = kernel_size if stride is None else stride
    _check_pool(x, kernel_size, stride)
    win = sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))
    return win[:, :, ::stride, ::stride], stride


# --8<-- [end:windows]


# --8<-- [start:forward]
def max_pool2d(x: np.ndarray, kernel_size: int, stride: int | None = None) -> np.ndarray:
    """Maximum of every k x k window (stride defaults to kernel_size)."""
    win, _ = _windows(x, kernel_size, stride)
    return win.max(axis=(4, 5))


def avg_pool2d(x: np.ndarray, kernel_size: int, stride: int | None = None) -> np.ndarray:
    """Mean of every k x k window (stride defaults to kernel_size)."""
    win, _ = _windows(x, kernel_size, stride)
    return win.mean(axis=(4, 5))


# --8<-- [end:forward]


# --8<-- [start:backward]
def max_pool2d_backward(
    grad_output: np.ndarray, x: np.ndarray, kernel_size: int, stride: int | None = None
) -> np.ndarray:
    """dL/dx: each window's gradient goes to its (first) maximum; overlaps accumulate."""
    win, stride = _windows(x, kernel_size, stride)
    n, c, oh, ow = win.shape[:4]
    grad_output = np.asarray(grad_output, dtype=np.float64)  # pragma: no mutate (float64 anyway)
    if grad_output.shape != (n, c, oh, ow):
        raise ValueError(f"grad_output must have shape {(n, c, oh, ow)}, got {grad_output.shape}")
    # The flat index of the maximum inside each window.
    argmax = win.reshape(n, c, oh, ow, -1).argmax(axis=-1)  # pragma: no mutate (-2 acts as -1)
    grad_x = np.zeros(np.shape(x))
    for i in range(kernel_size):  # loop over the k*k offsets inside a window, not over data
        for j in range(kernel_size):
            routed = np.where(argmax == i * kernel_size + j, grad_output, 0.0)
            grad_x[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride] += routed
    return grad_x


def avg_pool2d_backward(
    grad_output: np.ndarray, x_shape: tuple[int, ...], kernel_size: int, stride: int | None = None
) -> np.ndarray:
    """dL/dx: each window's gradient is spread evenly, 1/k^2 to each of its inputs."""
    win, stride = _windows(np.zeros(x_shape), kernel_size, stride)
    n, c, oh, ow = win.shape[:4]
    grad_output = np.asarray(grad_output, dtype=np.float64)  # pragma: no mutate (float64 anyway)
    if grad_output.shape != (n, c, oh, ow):
        raise ValueError(f"grad_output must have shape {(n, c, oh, ow)}, got {grad_output.shape}")
    share = grad_output / kernel_size**2
    grad_x = np.zeros(x_shape)
    for i in range(kernel_size):
        for j in range(kernel_size):
            grad_x[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride] += share
    return grad_x


# --8<-- [end:backward]


# --8<-- [start:check]
def _check_pool(x: np.ndarray, kernel_size: int, stride: int) -> None:
    """x of shape (N, C, H, W) without NaN; int kernel_size and stride >= 1 that fit x."""
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {x.shape}")
    if np.isnan(x).any():
        raise ValueError("x must not contain NaN")
    if not isinstance(kernel_size, int) or not isinstance(stride, int):
        raise TypeError("kernel_size and stride must be ints")
    if kernel_size < 1 or stride < 1:
        raise ValueError(f"kernel_size and stride must be >= 1, got {kernel_size}, {stride}")
    if min(x.shape[2:]) < kernel_size:
        raise ValueError(f"x spatial size {x.shape[2:]} is smaller than kernel_size")


# --8<-- [end:check]


if __name__ == "__main__":
    demo = np.array([[1.0, 2, 0, 1], [3, 0, 1, 4], [0, 1, 2, 0], [5, 1, 0, 2]])[None, None]
    assert max_pool2d(demo, 2).squeeze().tolist() == [[3, 4], [5, 2]]
    g = max_pool2d_backward(np.ones((1, 1, 2, 2)), demo, 2).squeeze()
    assert g.tolist() == [[0, 0, 0, 0], [1, 0, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0]]
    # Overlapping 3x3 windows, stride 1: the 4 at (1, 3) is the max of two windows.
    g = max_pool2d_backward(np.ones((1, 1, 2, 2)), demo, 3, 1).squeeze()
    assert g[1, 3] == 2
    assert g[1, 0] == g[3, 0] == 1
    assert g.sum() == 4
    assert np.allclose(avg_pool2d_backward(np.ones((1, 1, 1, 1)), (1, 1, 2, 2), 2), 0.25)
    assert np.array_equal(max_pool_backward(np.ones((1, 1, 2, 2)), demo, 3, 1), g[None, None])
    print(max_pool2d(demo, 2).squeeze())
