"""2D convolution in numpy: forward (im2col by stride tricks), backward, im2col as one matmul.

Also the output-size formulas, parameter and MAC counts.

Layout and argument names follow torch.nn.functional.conv2d: x is (N, C, H, W),
weight is (C_out, C_in / groups, K_h, K_w).
"""

# --8<-- [start:imports]
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def conv2d_whiteboard(x, w, b, stride=1, padding=0):
    """conv2d 前向（互相关）：x (N, C, H, W)，w (C_out, C, K, K)，b (C_out,)。"""
    n, _, h, wd = x.shape
    c_out, _, k, _ = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - k) // stride + 1
    ow = (wd + 2 * padding - k) // stride + 1
    out = np.zeros((n, c_out, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
            # (N, C, K, K) 与 (C_out, C, K, K) 在 C、K、K 上求和 -> (N, C_out)
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


# --8<-- [end:whiteboard]


# --8<-- [start:output_size]
def conv_output_size(
    size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Output length of a convolution along one axis: floor((W + 2P - D(F-1) - 1)/S) + 1."""
    _check_sizes(
        size=size, kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    span = dilation * (kernel_size - 1) + 1  # extent of the dilated kernel
    if size + 2 * padding < span:
        raise ValueError(f"kernel (span {span}) is larger than the padded input")
    return (size + 2 * padding - span) // stride + 1


def conv_transpose_output_size(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """Output length of a transposed convolution: (W-1)S - 2P + D(F-1) + output_padding + 1."""
    if output_padding < 0 or output_padding >= max(stride, dilation):
        raise ValueError("output_padding must be in [0, max(stride, dilation))")
    out = (size - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1
    if size < 1 or out < 1:
        raise ValueError(f"size={size} gives no output with these parameters")
    return out


# --8<-- [end:output_size]


# --8<-- [start:conv2d]
def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """Cross-correlation like torch.nn.functional.conv2d: (N, C, H, W) -> (N, C_out, H', W')."""
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    _check_conv2d(x, weight, bias, groups)
    (sh, sw), (ph, pw) = _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    dh, dw = _pair(dilation, "dilation", 1)
    n, c, h, w = x.shape
    c_out, c_per_group, kh, kw = weight.shape
    out_h = conv_output_size(h, kh, sh, ph, dh)
    out_w = conv_output_size(w, kw, sw, pw, dw)

    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    # Every window of the dilated kernel's extent, then keep every D-th tap and every S-th window.
    win = sliding_window_view(xp, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    win = win[:, :, : sh * out_h : sh, : sw * out_w : sw, ::dh, ::dw]  # (N, C, H', W', Kh, Kw)
    win = win.reshape(n, groups, c // groups, out_h, out_w, kh, kw)
    wg = weight.reshape(groups, c_out // groups, c_per_group, kh, kw)
    out = np.einsum("ngchwij,gocij->ngohw", win, wg, optimize=True)
    out = out.reshape(n, c_out, out_h, out_w)
    if bias is not None:
        out = out + np.asarray(bias, dtype=np.float64)[:, None, None]
    return out


# --8<-- [end:conv2d]


# --8<-- [start:whiteboard_backward]
def conv2d_backward_whiteboard(x, w, dy, stride=1, padding=0):
    """conv2d 反向：已知 dY，求 dX、dW、db（按前向的窗口逐个累加）。"""
    s, p, k = stride, padding, w.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            patch = xp[:, :, i * s : i * s + k, j * s : j * s + k]  # (N, C, K, K)
            g = dy[:, :, i, j]  # (N, C_out)
            dw += np.tensordot(g, patch, axes=([0], [0]))  # (C_out, C, K, K)
            # y[:, :, i, j] 对这个窗口的导数是 W：梯度按原路加回窗口
            dxp[:, :, i * s : i * s + k, j * s : j * s + k] += np.tensordot(g, w, axes=([1], [0]))
    dx = dxp[:, :, p : xp.shape[2] - p, p : xp.shape[3] - p]
    return dx, dw, dy.sum(axis=(0, 2, 3))


# --8<-- [end:whiteboard_backward]


# --8<-- [start:conv2d_backward]
def conv2d_backward(
    x: np.ndarray,
    weight: np.ndarray,
    grad_output: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (dX, dW, db) of conv2d(x, weight, bias, stride, padding) given dY = grad_output."""
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    dy = np.asarray(grad_output, dtype=np.float64)
    _check_conv2d(x, weight, None, 1)
    (sh, sw), (ph, pw) = _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    out_hw = (conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw))
    if dy.shape != (n, c_out, *out_hw):
        raise ValueError(f"grad_output must have shape {(n, c_out, *out_hw)}, got {dy.shape}")
    hp, wp = h + 2 * ph, w + 2 * pw

    # dilate: put S - 1 zeros between neighbouring entries of dY (stride 1 leaves it as is)
    dyd = np.zeros((n, c_out, sh * (out_hw[0] - 1) + 1, sw * (out_hw[1] - 1) + 1))
    dyd[:, :, ::sh, ::sw] = dy

    # dW = X_pad (cross-correlated with) dilated dY: batch and channels swap roles
    dw = conv2d(
        np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))).transpose(1, 0, 2, 3),
        dyd.transpose(1, 0, 2, 3),
    )
    dw = dw[:, :, :kh, :kw].transpose(1, 0, 2, 3)  # rows the floor dropped never met dY

    # dX_pad = full convolution of dilated dY with W = dY padded by K - 1, kernel rotated 180°
    full = np.pad(dyd, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    dxp = conv2d(full, weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    dxp = np.pad(dxp, ((0, 0), (0, 0), (0, hp - dxp.shape[2]), (0, wp - dxp.shape[3])))
    dx = dxp[:, :, ph : ph + h, pw : pw + w]  # the padding's gradient is thrown away
    return dx, dw, dy.sum(axis=(0, 2, 3))


# --8<-- [end:conv2d_backward]


# --8<-- [start:whiteboard_im2col]
def conv2d_im2col_whiteboard(x, w, b, stride=1, padding=0):
    """im2col：把每个窗口拉成一列，卷积变成一次矩阵乘法。"""
    n, c, h, wd = x.shape
    c_out, _, k, _ = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - k) // stride + 1
    ow = (wd + 2 * padding - k) // stride + 1
    cols = np.empty((n, c * k * k, oh * ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
            cols[:, :, i * ow + j] = patch.reshape(n, -1)  # 列按 (C, K, K) 展开
    out = w.reshape(c_out, -1) @ cols + b[:, None]  # (C_out, CKK) @ (N, CKK, L)
    return out.reshape(n, c_out, oh, ow)


# --8<-- [end:whiteboard_im2col]


# --8<-- [start:im2col]
def im2col(
    x: np.ndarray,
    kernel_size: int | tuple[int, int],
    dilation: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Windows as columns, like torch.nn.functional.unfold: (N, C, H, W) -> (N, C*Kh*Kw, L)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, C, H, W), got shape {x.shape}")
    (kh, kw), (dh, dw) = _pair(kernel_size, "kernel_size", 1), _pair(dilation, "dilation", 1)
    (ph, pw), (sh, sw) = _pair(padding, "padding", 0), _pair(stride, "stride", 1)
    n, c, h, w = x.shape
    out_h, out_w = conv_output_size(h, kh, sh, ph, dh), conv_output_size(w, kw, sw, pw, dw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    win = sliding_window_view(xp, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    win = win[:, :, : sh * out_h : sh, : sw * out_w : sw, ::dh, ::dw]  # (N, C, H', W', Kh, Kw)
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, out_h * out_w)


def conv2d_im2col(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """conv2d as one matrix product: (C_out, C*Kh*Kw) @ im2col(x) -> (N, C_out, H', W')."""
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    _check_conv2d(x, weight, bias, 1)
    c_out, _, kh, kw = weight.shape
    (sh, sw), (ph, pw) = _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    dh, dw = _pair(dilation, "dilation", 1)
    cols = im2col(x, (kh, kw), (dh, dw), (ph, pw), (sh, sw))
    out = weight.reshape(c_out, -1) @ cols  # (C_out, C*Kh*Kw) @ (N, C*Kh*Kw, L) -> (N, C_out, L)
    if bias is not None:
        out = out + np.asarray(bias, dtype=np.float64)[:, None]
    out_h = conv_output_size(x.shape[2], kh, sh, ph, dh)
    return out.reshape(x.shape[0], c_out, out_h, -1)


# --8<-- [end:im2col]


# --8<-- [start:check]
def _check_sizes(**values: int) -> None:
    """Every value an int; padding >= 0, the others >= 1."""
    for name, value in values.items():
        minimum = 0 if name == "padding" else 1
        if not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value}")


def _pair(value: int | tuple[int, int], name: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints as a pair, each at least `minimum`."""
    pair = (value, value) if isinstance(value, int | np.integer) else value
    if not isinstance(pair, tuple | list) or len(pair) != 2:
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if not all(isinstance(v, int | np.integer) for v in pair):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_conv2d(x: np.ndarray, weight: np.ndarray, bias, groups: int) -> None:
    """4-D x and weight whose channels fit `groups`, and a bias of shape (C_out,)."""
    _check_sizes(groups=groups)
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(f"x and weight must be 4-D, got {x.shape} and {weight.shape}")
    c, (c_out, c_per_group) = x.shape[1], weight.shape[:2]
    if groups < 1 or c % groups or c_out % groups or c_per_group != c // groups:
        raise ValueError(
            f"groups={groups} does not fit x channels {c} and weight shape {weight.shape}"
        )
    if bias is not None and np.shape(bias) != (c_out,):
        raise ValueError(f"bias must have shape ({c_out},), got {np.shape(bias)}")


# --8<-- [end:check]


# --8<-- [start:cost]
def conv2d_params(
    c_in: int, c_out: int, kernel_size: int | tuple[int, int], groups: int = 1, bias: bool = True
) -> int:
    """Number of learnable parameters: C_out * (C_in/groups * K_h * K_w) + C_out (bias)."""
    kh, kw = _pair(kernel_size, "kernel_size", 1)
    _check_sizes(groups=groups)
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide c_in={c_in} and c_out={c_out}")
    return c_out * (c_in // groups) * kh * kw + (c_out if bias else 0)


def conv2d_macs(
    c_in: int,
    c_out: int,
    kernel_size: int | tuple[int, int],
    out_hw: tuple[int, int],
    groups: int = 1,
) -> int:
    """Multiply-accumulates: one per weight per output position (bias ignored); FLOPs ~ 2 * MACs."""
    kh, kw = _pair(kernel_size, "kernel_size", 1)
    _check_sizes(groups=groups)
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide c_in={c_in} and c_out={c_out}")
    return c_out * out_hw[0] * out_hw[1] * (c_in // groups) * kh * kw


# --8<-- [end:cost]


# --8<-- [start:fully_connected]
def fully_connected_params(in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> int:
    """Parameters of a dense layer from every input unit to every output unit (with bias)."""
    n_in, n_out = int(np.prod(in_shape)), int(np.prod(out_shape))
    return n_in * n_out + n_out


# --8<-- [end:fully_connected]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    assert conv_output_size(224, 7, stride=2, padding=3) == 112
    assert conv_output_size(6, 3, stride=2) == 2  # (6 - 3) / 2 = 1.5 -> floor 1, + 1
    assert conv_output_size(7, 3, dilation=2, padding=2) == 7
    assert conv_transpose_output_size(2, 3, stride=2) == 5
    demo_x = rng.standard_normal((2, 4, 7, 6))
    demo_w = rng.standard_normal((6, 2, 3, 3))
    y = conv2d(demo_x, demo_w, stride=2, padding=1, dilation=(1, 2), groups=2)
    assert y.shape == (2, 6, 4, 2)
    # One output value by hand: group 0, channel 0, position (0, 0), zero padding on top/left.
    xp = np.pad(demo_x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    by_hand = (xp[0, :2, 0:3, 0:5:2] * demo_w[0]).sum()
    assert np.isclose(y[0, 0, 0, 0], by_hand)
    assert conv2d_params(3, 64, 3) == 1792
    # Backward: the directional derivative of sum(conv2d * dY) along a random dX is <dX, grad>.
    demo_w1 = rng.standard_normal((3, 4, 3, 3))
    demo_dy = rng.standard_normal((2, 3, 4, 3))
    gx, gw, gb = conv2d_backward(demo_x, demo_w1, demo_dy, stride=2, padding=1)
    step = 1e-6 * rng.standard_normal(demo_x.shape)
    change = conv2d(demo_x + step, demo_w1, stride=2, padding=1) - conv2d(
        demo_x - step, demo_w1, stride=2, padding=1
    )
    assert np.isclose((change * demo_dy).sum() / 2, (gx * step).sum())
    assert np.allclose(
        conv2d_im2col(demo_x, demo_w1, stride=2, padding=1),
        conv2d(demo_x, demo_w1, stride=2, padding=1),
    )
    print("output shape:", y.shape)
