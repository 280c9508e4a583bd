"""conv2d, its backward, im2col, output sizes and costs against loops, hand cases and PyTorch."""

import itertools
import re

import numpy as np
import pytest
from cnn.convolution import (
    conv2d,
    conv2d_backward,
    conv2d_backward_whiteboard,
    conv2d_im2col,
    conv2d_im2col_whiteboard,
    conv2d_macs,
    conv2d_params,
    conv2d_whiteboard,
    conv_output_size,
    conv_transpose_output_size,
    fully_connected_params,
    im2col,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.gradcheck import numerical_gradient
from tests.page_math import equations, evaluate, page_formulas


def conv2d_by_loops(x, weight, stride, padding, dilation, groups):
    """Cross-correlation written as the textbook sum, one output value at a time."""
    n, _, h, w = x.shape
    c_out, cg, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out_h = out_w = None
    rows = []
    oh = 0
    while oh * stride + dilation * (kh - 1) < h + 2 * padding:
        rows.append(oh)
        oh += 1
    cols = []
    ow = 0
    while ow * stride + dilation * (kw - 1) < w + 2 * padding:
        cols.append(ow)
        ow += 1
    out_h, out_w = len(rows), len(cols)
    out = np.zeros((n, c_out, out_h, out_w))
    per_group = c_out // groups
    for b in range(n):
        for o in range(c_out):
            g = o // per_group
            for i in range(out_h):
                for j in range(out_w):
                    total = 0.0
                    for ci in range(cg):
                        for u in range(kh):
                            for v in range(kw):
                                total += (
                                    xp[
                                        b,
                                        g * cg + ci,
                                        i * stride + u * dilation,
                                        j * stride + v * dilation,
                                    ]
                                    * weight[o, ci, u, v]
                                )
                    out[b, o, i, j] = total
    return out


def test_output_size_hand_cases():
    assert conv_output_size(32, 5) == 28  # LeNet: 32 - 5 + 1
    assert conv_output_size(227, 11, stride=4) == 55  # AlexNet conv1
    assert conv_output_size(224, 3, padding=1) == 224  # "same" 3x3
    assert conv_output_size(224, 7, stride=2, padding=3) == 112  # ResNet stem
    # (7 - 3 + 0) / 2 = 2 exactly, (8 - 3) / 2 = 2.5 -> floor: both give 3 outputs.
    assert conv_output_size(7, 3, stride=2) == 3
    assert conv_output_size(8, 3, stride=2) == 3
    # Dilation 2 turns a 3x3 kernel into a 5x5 span: 9 - 5 + 1.
    assert conv_output_size(9, 3, dilation=2) == 5


small = st.integers(1, 4)
SEED = {"seed": st.integers(0, 2**16)}
# A square kernel, with the same stride and padding on both axes.
SQUARE = {"k": st.integers(1, 3), "stride": st.integers(1, 3), "padding": st.integers(0, 2)}
# A rectangular kernel, with a stride and a padding per axis.
RECTANGLE = {
    "kh": st.integers(1, 3),
    "kw": st.integers(1, 3),
    "stride": st.tuples(small, small),
    "padding": st.tuples(st.integers(0, 2), st.integers(0, 2)),
}
DILATION_PER_AXIS = {"dilation": st.tuples(st.integers(1, 2), st.integers(1, 2))}


def image(low: int, high: int) -> dict:
    """Height and width of the input image, each drawn from [low, high]."""
    return {"h": st.integers(low, high), "w": st.integers(low, high)}


@settings(max_examples=40, deadline=None)
@given(
    **image(1, 9),
    k=st.integers(1, 4),
    stride=small,
    padding=st.integers(0, 2),
    dilation=st.integers(1, 3),
    groups=st.sampled_from([1, 2]),
    **SEED,
)
def test_conv2d_matches_loops_and_formula(h, w, k, stride, padding, dilation, groups, seed):
    span = dilation * (k - 1) + 1
    if min(h, w) + 2 * padding < span:
        with pytest.raises(ValueError, match="kernel"):
            conv_output_size(min(h, w), k, stride, padding, dilation)
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 2 * groups, h, w))
    weight = rng.standard_normal((2 * groups, 2, k, k))
    got = conv2d(x, weight, stride=stride, padding=padding, dilation=dilation, groups=groups)
    ref = conv2d_by_loops(x, weight, stride, padding, dilation, groups)
    assert got.shape == ref.shape
    assert got.shape[2:] == (
        conv_output_size(h, k, stride, padding, dilation),
        conv_output_size(w, k, stride, padding, dilation),
    )
    np.testing.assert_allclose(got, ref, atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(**image(3, 9), **SQUARE, **SEED)
def test_whiteboard_matches_full_version(h, w, k, stride, padding, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, h, w))
    weight, bias = rng.standard_normal((4, 3, k, k)), rng.standard_normal(4)
    np.testing.assert_allclose(
        conv2d_whiteboard(x, weight, bias, stride, padding),
        conv2d(x, weight, bias, stride, padding),
        atol=1e-10,
    )


@settings(max_examples=25, deadline=None)
@given(**image(3, 12), **RECTANGLE, **DILATION_PER_AXIS, groups=st.sampled_from([1, 2, 4]), **SEED)
def test_conv2d_matches_torch(h, w, kh, kw, stride, padding, dilation, groups, seed):
    torch = pytest.importorskip("torch", reason="PyTorch is the reference conv2d")
    assume(
        h + 2 * padding[0] > dilation[0] * (kh - 1) and w + 2 * padding[1] > dilation[1] * (kw - 1)
    )
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 4, h, w))
    weight = rng.standard_normal((8, 4 // groups, kh, kw))
    bias = rng.standard_normal(8)
    ref = torch.nn.functional.conv2d(
        torch.from_numpy(x),
        torch.from_numpy(weight),
        torch.from_numpy(bias),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
    ).numpy()
    got = conv2d(x, weight, bias, stride, padding, dilation, groups)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 10),
    k=st.integers(1, 5),
    stride=small,
    padding=st.integers(0, 3),
    dilation=st.integers(1, 3),
    output_padding=st.integers(0, 3),
)
def test_transposed_output_size_matches_torch(size, k, stride, padding, dilation, output_padding):
    torch = pytest.importorskip("torch", reason="PyTorch is the reference transposed conv")
    if output_padding >= max(stride, dilation):
        with pytest.raises(ValueError, match="output_padding"):
            conv_transpose_output_size(size, k, stride, padding, output_padding, dilation)
        return
    expected = (size - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1
    if expected < 1:
        with pytest.raises(ValueError, match="size"):
            conv_transpose_output_size(size, k, stride, padding, output_padding, dilation)
        return
    out = torch.nn.functional.conv_transpose2d(
        torch.zeros(1, 1, size, size),
        torch.zeros(1, 1, k, k),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )
    assert out.shape[-1] == conv_transpose_output_size(
        size, k, stride, padding, output_padding, dilation
    )


def test_transposed_conv_undoes_the_size_change():
    # A stride-2 3x3 conv with padding 1 maps 7 and 8 to 4; output_padding picks which one.
    assert conv_output_size(7, 3, 2, 1) == conv_output_size(8, 3, 2, 1) == 4
    assert conv_transpose_output_size(4, 3, 2, 1, output_padding=0) == 7
    assert conv_transpose_output_size(4, 3, 2, 1, output_padding=1) == 8


def test_params_and_macs_hand_cases():
    assert conv2d_params(3, 64, 3) == 3 * 64 * 9 + 64
    assert conv2d_params(64, 64, 3, groups=64, bias=False) == 64 * 9
    assert conv2d_macs(3, 64, 7, (112, 112)) == 64 * 112 * 112 * 3 * 49
    assert fully_connected_params((2, 2), (3,)) == 4 * 3 + 3


@pytest.mark.parametrize(
    ("c_in", "c_out", "k", "groups", "bias"),
    [(3, 64, 3, 1, True), (16, 32, (1, 5), 1, False), (32, 32, 3, 32, False), (8, 12, 3, 4, True)],
)
def test_params_and_macs_match_torch(c_in, c_out, k, groups, bias):
    torch = pytest.importorskip("torch", reason="PyTorch counts parameters and FLOPs")
    from torch.utils.flop_counter import FlopCounterMode

    layer = torch.nn.Conv2d(c_in, c_out, k, stride=2, padding=1, groups=groups, bias=bias)
    assert conv2d_params(c_in, c_out, k, groups, bias) == sum(p.numel() for p in layer.parameters())
    x = torch.zeros(1, c_in, 15, 17)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        out = layer(x)
    # PyTorch counts 2 FLOPs (a multiply and an add) per multiply-accumulate.
    assert counter.get_total_flops() == 2 * conv2d_macs(
        c_in, c_out, k, tuple(out.shape[2:]), groups
    )


@settings(max_examples=30, deadline=None)
@given(dy=st.integers(-3, 3), dx=st.integers(-3, 3), **SEED)
def test_stride_1_convolution_is_translation_equivariant(dy, dx, seed):
    rng = np.random.default_rng(seed)
    image = np.zeros((1, 2, 20, 20))
    image[:, :, 6:14, 6:14] = rng.standard_normal((1, 2, 8, 8))  # content away from the border
    weight = rng.standard_normal((3, 2, 3, 3))
    shifted = np.roll(image, (dy, dx), axis=(2, 3))
    out = conv2d(image, weight, padding=1)
    np.testing.assert_allclose(conv2d(shifted, weight, padding=1), np.roll(out, (dy, dx), (2, 3)))


def test_stride_2_is_equivariant_only_to_even_shifts():
    rng = np.random.default_rng(0)
    image = np.zeros((1, 1, 20, 20))
    image[:, :, 6:14, 6:14] = rng.standard_normal((8, 8))
    weight = rng.standard_normal((1, 1, 3, 3))
    out = conv2d(image, weight, stride=2, padding=1)
    even = conv2d(np.roll(image, 2, axis=3), weight, stride=2, padding=1)
    np.testing.assert_allclose(even, np.roll(out, 1, axis=3))
    odd = conv2d(np.roll(image, 1, axis=3), weight, stride=2, padding=1)
    assert not any(np.allclose(odd, np.roll(out, s, axis=3)) for s in range(-3, 4))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"size": 0, "kernel_size": 3}, ValueError),
        ({"size": 5, "kernel_size": 3, "stride": 0}, ValueError),
        ({"size": 5, "kernel_size": 3, "padding": -1}, ValueError),
        ({"size": 5.0, "kernel_size": 3}, TypeError),
        ({"size": 2, "kernel_size": 3}, ValueError),
    ],
)
def test_output_size_bad_input(kwargs, error):
    with pytest.raises(error, match=r"size|stride|padding|kernel"):
        conv_output_size(**kwargs)


def test_conv2d_bad_input():
    x = np.zeros((1, 4, 5, 5))
    with pytest.raises(ValueError, match="4-D"):
        conv2d(x[0], np.zeros((2, 4, 3, 3)))
    with pytest.raises(ValueError, match="groups"):
        conv2d(x, np.zeros((2, 3, 3, 3)))
    with pytest.raises(ValueError, match="groups"):
        conv2d(x, np.zeros((3, 2, 3, 3)), groups=2)
    with pytest.raises(ValueError, match="bias"):
        conv2d(x, np.zeros((2, 4, 3, 3)), bias=np.zeros(3))
    with pytest.raises(TypeError, match="stride"):
        conv2d(x, np.zeros((2, 4, 3, 3)), stride=(1, 1, 1))
    with pytest.raises(ValueError, match="kernel"):
        conv2d(x, np.zeros((2, 4, 7, 7)))


def test_the_page_formulas_are_the_output_sizes():
    # The formulas as the page states them (read from its LaTeX): plain, dilated, transposed.
    plain, dilated = (
        f.split("=")[1]
        for f in page_formulas("cnn/convolution.md", "## 卷积层的输出尺寸怎么算？")
        if f.startswith("O =")
    )
    [formula] = page_formulas("cnn/convolution.md", "## 转置卷积的输出尺寸是多少？")
    [(left, transposed)] = equations(formula)
    assert left == "O"
    rng = np.random.default_rng(0)
    for w, f, s, p, d in itertools.product(range(1, 10), range(1, 5), (1, 2, 3), (0, 1, 2), (1, 2)):
        if w + 2 * p < d * (f - 1) + 1:
            continue
        size = conv_output_size(w, f, stride=s, padding=p, dilation=d)
        assert evaluate(dilated, W=w, F=f, S=s, P=p, D=d) == size
        if d == 1:
            assert evaluate(plain, W=w, F=f, S=s, P=p) == size
        if w <= 4 and f <= 3:  # and a real convolution has that many columns
            x, k = rng.normal(size=(1, 1, 2, w)), rng.normal(size=(1, 1, 1, f))
            assert conv2d(x, k, stride=s, padding=(0, p), dilation=d).shape[-1] == size
        for op in range(max(s, d)):
            expected = evaluate(transposed, W=w, F=f, S=s, P=p, D=d, output_padding=op)
            if expected >= 1:
                assert conv_transpose_output_size(w, f, s, p, op, d) == expected


# ---- backward and im2col ------------------------------------------------------------------


def backward_case(seed, h=5, w=6, k=3, stride=1, padding=0, c=2, c_out=3):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, c, h, w))
    weight = rng.standard_normal((c_out, c, k, k))
    oh = conv_output_size(h, k, stride, padding)
    ow = conv_output_size(w, k, stride, padding)
    return x, weight, rng.standard_normal((2, c_out, oh, ow))


@pytest.mark.parametrize(
    ("h", "w", "k", "stride", "padding"),
    [(5, 6, 3, 1, 0), (5, 6, 3, 1, 1), (7, 6, 3, 2, 1), (8, 7, 2, 3, 0), (6, 6, 1, 2, 0)],
)
def test_backward_matches_central_differences(h, w, k, stride, padding):
    # Loss L = sum(conv2d(x, W, b) * dY) has dL/dY = dY, so its gradients are the backward pass.
    x, weight, dy = backward_case(0, h, w, k, stride, padding)
    bias = np.zeros(weight.shape[0])
    loss = lambda: (conv2d(x, weight, bias, stride, padding) * dy).sum()  # noqa: E731
    dx, dw, db = conv2d_backward(x, weight, dy, stride, padding)
    np.testing.assert_allclose(dx, numerical_gradient(loss, x), atol=1e-6)
    np.testing.assert_allclose(dw, numerical_gradient(loss, weight), atol=1e-6)
    np.testing.assert_allclose(db, numerical_gradient(loss, bias), atol=1e-6)


@settings(max_examples=20, deadline=None)
@given(**image(3, 9), **RECTANGLE, **SEED)
def test_backward_matches_torch_autograd(h, w, kh, kw, stride, padding, seed):
    torch = pytest.importorskip("torch", reason="PyTorch autograd is the reference backward")
    rng = np.random.default_rng(seed)
    x, weight = rng.standard_normal((2, 3, h, w)), rng.standard_normal((4, 3, kh, kw))
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(weight, requires_grad=True)
    bt = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=padding)
    dy = rng.standard_normal(tuple(y.shape))
    y.backward(torch.from_numpy(dy))
    dx, dw, db = conv2d_backward(x, weight, dy, stride, padding)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(dw, wt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(db, bt.grad.numpy(), atol=1e-10)
    # dX is the transposed convolution of dY; output_padding restores the rows the floor dropped.
    extra = [
        (n + 2 * p - k) % s for n, p, k, s in zip((h, w), padding, (kh, kw), stride, strict=True)
    ]
    transposed = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(dy), wt.detach(), stride=stride, padding=padding, output_padding=extra
    )
    np.testing.assert_allclose(dx, transposed.numpy(), atol=1e-10)


@settings(max_examples=20, deadline=None)
@given(**image(3, 8), **SQUARE, **SEED)
def test_backward_whiteboard_matches_full_version(h, w, k, stride, padding, seed):
    x, weight, dy = backward_case(seed, h, w, k, stride, padding)
    for board, full in zip(
        conv2d_backward_whiteboard(x, weight, dy, stride, padding),
        conv2d_backward(x, weight, dy, stride, padding),
        strict=True,
    ):
        np.testing.assert_allclose(board, full, atol=1e-10)


def test_dx_is_a_full_convolution_with_the_rotated_kernel():
    # 1 channel, stride 1, no padding: dX = pad(dY, K - 1) cross-correlated with W rotated 180°.
    x, weight, dy = backward_case(1, 4, 5, 3, c=1, c_out=1)
    dx, dw, _ = conv2d_backward(x, weight, dy)
    full = np.pad(dy[0, 0], 2)
    rotated = weight[0, 0, ::-1, ::-1]
    by_hand = np.array(
        [[(full[i : i + 3, j : j + 3] * rotated).sum() for j in range(5)] for i in range(4)]
    )
    np.testing.assert_allclose(dx[0, 0], by_hand)
    # dW = X cross-correlated with dY (summed over the batch).
    np.testing.assert_allclose(
        dw[0, 0], conv2d(x.transpose(1, 0, 2, 3), dy.transpose(1, 0, 2, 3))[0, 0]
    )
    # With the kernel NOT rotated the result differs (the kernel is not symmetric).
    wrong = np.array(
        [[(full[i : i + 3, j : j + 3] * weight[0, 0]).sum() for j in range(5)] for i in range(4)]
    )
    assert not np.allclose(dx[0, 0], wrong)


def test_backward_bad_input():
    x, weight, dy = backward_case(0)
    with pytest.raises(ValueError, match="grad_output"):
        conv2d_backward(x, weight, dy[:, :, :-1])
    with pytest.raises(ValueError, match="grad_output"):
        conv2d_backward(x, weight, dy, stride=2)
    with pytest.raises(ValueError, match="4-D"):
        conv2d_backward(x[0], weight, dy)
    with pytest.raises(TypeError, match="stride"):
        conv2d_backward(x, weight, dy, stride=1.0)


@settings(max_examples=20, deadline=None)
@given(**image(2, 8), **RECTANGLE, **DILATION_PER_AXIS, **SEED)
def test_im2col_matches_torch_unfold(h, w, kh, kw, dilation, padding, stride, seed):
    torch = pytest.importorskip("torch", reason="torch.nn.functional.unfold is the reference")
    assume(
        h + 2 * padding[0] > dilation[0] * (kh - 1) and w + 2 * padding[1] > dilation[1] * (kw - 1)
    )
    x = np.random.default_rng(seed).standard_normal((2, 3, h, w))
    ref = torch.nn.functional.unfold(
        torch.from_numpy(x), (kh, kw), dilation=dilation, padding=padding, stride=stride
    ).numpy()
    got = im2col(x, (kh, kw), dilation, padding, stride)
    assert got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)


@settings(max_examples=20, deadline=None)
@given(**image(3, 9), **SQUARE, dilation=st.integers(1, 2), **SEED)
def test_im2col_conv_is_the_direct_conv(h, w, k, stride, padding, dilation, seed):
    assume(min(h, w) + 2 * padding > dilation * (k - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, h, w))
    weight, bias = rng.standard_normal((4, 3, k, k)), rng.standard_normal(4)
    direct = conv2d_by_loops(x, weight, stride, padding, dilation, 1) + bias[:, None, None]
    np.testing.assert_allclose(
        conv2d_im2col(x, weight, bias, stride, padding, dilation), direct, atol=1e-10
    )
    if dilation == 1:
        np.testing.assert_allclose(
            conv2d_im2col_whiteboard(x, weight, bias, stride, padding),
            conv2d_im2col(x, weight, bias, stride, padding),
            atol=1e-10,
        )


def test_im2col_hand_case_and_bad_input():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    # 2x2 windows of [[0,1,2],[3,4,5],[6,7,8]]: one column per window, rows in (Kh, Kw) order.
    assert im2col(x, 2)[0].tolist() == [[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]
    with pytest.raises(ValueError, match="4-D"):
        im2col(x[0], 2)
    with pytest.raises(ValueError, match="kernel"):
        im2col(x, 4)
    with pytest.raises(ValueError, match="groups"):
        conv2d_im2col(x, np.zeros((1, 2, 2, 2)))


def test_defaults_are_stride_1_and_no_padding():
    # Every version called without stride/padding/dilation is the plain "valid" convolution.
    x, weight, dy = backward_case(4, h=5, w=4, k=3)
    bias = np.random.default_rng(4).standard_normal(3)
    ref = conv2d_by_loops(x, weight, 1, 0, 1, 1) + bias[:, None, None]
    for conv in (conv2d, conv2d_whiteboard, conv2d_im2col, conv2d_im2col_whiteboard):
        np.testing.assert_allclose(conv(x, weight, bias), ref, atol=1e-10)
    for board, full in zip(
        conv2d_backward_whiteboard(x, weight, dy),
        conv2d_backward(x, weight, dy, stride=1, padding=0),
        strict=True,
    ):
        np.testing.assert_allclose(board, full, atol=1e-10)
    np.testing.assert_array_equal(im2col(x, 3), im2col(x, 3, 1, 0, 1))


@pytest.mark.parametrize("conv", [conv2d, conv2d_im2col])
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"stride": 0}, ValueError, "stride must be >= 1, got 0"),
        ({"padding": (0, -1)}, ValueError, "padding must be >= 0, got (0, -1)"),
        ({"dilation": (1, 0)}, ValueError, "dilation must be >= 1, got (1, 0)"),
        ({"stride": 1.0}, TypeError, "stride must be an int or a pair of ints, got 1.0"),
        ({"padding": (1, 1, 1)}, TypeError, "padding must be an int or a pair of ints"),
        ({"dilation": (1, 2.0)}, TypeError, "dilation must be an int or a pair of ints"),
        ({"bias": np.zeros(3)}, ValueError, "bias must have shape (2,), got (3,)"),
    ],
)
def test_bad_arguments_are_named_in_the_error(conv, kwargs, error, message):
    x, weight = np.zeros((1, 4, 5, 5)), np.zeros((2, 4, 3, 3))
    with pytest.raises(error, match="^" + re.escape(message)):
        conv(x, weight, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kernel_size": 0}, ValueError, "kernel_size must be >= 1, got 0"),
        ({"kernel_size": (2, 2.0)}, TypeError, "kernel_size must be an int or a pair of ints"),
        ({"dilation": 0}, ValueError, "dilation must be >= 1, got 0"),
        ({"dilation": "1"}, TypeError, "dilation must be an int or a pair of ints, got '1'"),
        ({"padding": -1}, ValueError, "padding must be >= 0, got -1"),
        ({"padding": None}, TypeError, "padding must be an int or a pair of ints, got None"),
        ({"stride": (2, 0)}, ValueError, "stride must be >= 1, got (2, 0)"),
        ({"stride": [1]}, TypeError, "stride must be an int or a pair of ints, got [1]"),
    ],
)
def test_im2col_names_the_bad_argument(kwargs, error, message):
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(error, match="^" + re.escape(message)):
        im2col(x, **({"kernel_size": 2} | kwargs))


def test_im2col_of_an_integer_image_is_float64():
    # Like every function here, im2col computes in float64 whatever the input's dtype.
    x = np.arange(16).reshape(1, 1, 4, 4)
    cols = im2col(x, 2, stride=2)
    assert cols.dtype == np.float64
    assert cols[0, :, 0].tolist() == [0.0, 1.0, 4.0, 5.0]


def test_transposed_output_size_defaults_and_message():
    # Stride 1, no padding, no output_padding: a "valid" conv's inverse adds K - 1.
    assert conv_transpose_output_size(4, 3) == 6
    assert conv_transpose_output_size(4, 3, dilation=2) == 8
    with pytest.raises(ValueError, match=r"^output_padding must be in \[0, max\(stride, dila"):
        conv_transpose_output_size(4, 3, stride=2, output_padding=2)


def test_backward_names_the_bad_argument():
    x, weight, dy = backward_case(0)
    with pytest.raises(ValueError, match=r"^stride must be >= 1, got 0"):
        conv2d_backward(x, weight, dy, stride=0)
    with pytest.raises(ValueError, match=r"^padding must be >= 0, got \(-1, 0\)"):
        conv2d_backward(x, weight, dy, padding=(-1, 0))
    with pytest.raises(TypeError, match=r"^padding must be an int or a pair of ints, got 0.5"):
        conv2d_backward(x, weight, dy, padding=0.5)


def test_backward_of_integer_arrays_is_float64():
    # dY of ones: db counts the output positions per channel, in float64 like dX and dW.
    x = np.arange(50).reshape(1, 2, 5, 5)
    weight = np.ones((3, 2, 3, 3), dtype=int)
    dx, dw, db = conv2d_backward(x, weight, np.ones((1, 3, 3, 3), dtype=int))
    assert dx.dtype == dw.dtype == db.dtype == np.float64
    assert db.tolist() == [9.0, 9.0, 9.0]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kernel_size": 0}, ValueError, "kernel_size must be >= 1, got 0"),
        ({"dilation": 0}, ValueError, "dilation must be >= 1, got 0"),
        ({"size": 5.0}, TypeError, "size must be an int, got float"),
        ({"kernel_size": np.float64(3)}, TypeError, "kernel_size must be an int, got float64"),
    ],
)
def test_output_size_names_the_bad_argument(kwargs, error, message):
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        conv_output_size(**({"size": 5, "kernel_size": 3} | kwargs))


def test_groups_must_be_a_positive_int():
    x, weight = np.zeros((1, 4, 5, 5)), np.zeros((2, 4, 3, 3))
    with pytest.raises(ValueError, match=r"^groups must be >= 1, got 0$"):
        conv2d(x, weight, groups=0)
    with pytest.raises(TypeError, match=r"^groups must be an int, got float$"):
        conv2d(x, weight, groups=2.0)
    for count, args in ((conv2d_params, (4, 4, 3)), (conv2d_macs, (4, 4, 3, (5, 5)))):
        with pytest.raises(ValueError, match=r"^groups must be >= 1, got 0$"):
            count(*args, groups=0)


@pytest.mark.parametrize("count", [conv2d_params, conv2d_macs])
def test_costs_are_ints_and_check_their_arguments(count):
    args = (64, 128, 3, (56, 56)) if count is conv2d_macs else (64, 128, 3)
    assert type(count(*args, groups=32)) is int
    with pytest.raises(ValueError, match=r"^groups=4 must divide c_in=4 and c_out=6$"):
        count(4, 6, *args[2:], groups=4)
    with pytest.raises(ValueError, match=r"^groups=4 must divide c_in=6 and c_out=4$"):
        count(6, 4, *args[2:], groups=4)
    with pytest.raises(TypeError, match=r"^kernel_size must be an int or a pair of ints, got 3.0"):
        count(4, 4, 3.0, *args[3:])
    with pytest.raises(ValueError, match=r"^kernel_size must be >= 1, got \(3, 0\)$"):
        count(4, 4, (3, 0), *args[3:])
