"""MobileNet blocks against conv2d/PyTorch, and the 1/N + 1/K^2 cost ratio against FLOP counts."""

from fractions import Fraction

import numpy as np
import pytest
from cnn.convolution import conv2d
from cnn.mobilenet import (
    _best_scale,
    arithmetic_intensity,
    depthwise_conv2d,
    depthwise_separable_conv2d,
    hard_sigmoid,
    hard_swish,
    inverted_residual,
    pointwise_conv2d,
    relu_roundtrip,
    roundtrip_error,
    separable_conv_macs,
    spiral,
    standard_conv_macs,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(("k", "stride"), [(3, 1), (3, 2), (5, 1), (1, 1)])
def test_depthwise_equals_grouped_conv(k, stride):
    rng = np.random.default_rng(k + stride)
    x = rng.standard_normal((2, 6, 9, 8))
    weight = rng.standard_normal((6, k, k))
    ref = conv2d(x, weight[:, None], stride=stride, padding=k // 2, groups=6)
    np.testing.assert_allclose(depthwise_conv2d(x, weight, stride), ref)


def test_depthwise_separable_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch grouped conv is the reference")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 8, 10, 9))
    dw, pw = rng.standard_normal((8, 3, 3)), rng.standard_normal((16, 8))
    f = torch.nn.functional
    h = f.conv2d(torch.from_numpy(x), torch.from_numpy(dw[:, None]), stride=2, padding=1, groups=8)
    ref = f.conv2d(h, torch.from_numpy(pw[:, :, None, None])).numpy()
    np.testing.assert_allclose(depthwise_separable_conv2d(x, dw, pw, stride=2), ref, atol=1e-12)


def test_separable_is_a_rank_one_factorised_standard_conv():
    # Without a nonlinearity in between, depthwise then pointwise is one standard conv whose
    # kernel is W[o, c] = P[o, c] * D[c]: a restricted (factorised) standard convolution.
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 4, 7, 7))
    dw, pw = rng.standard_normal((4, 3, 3)), rng.standard_normal((5, 4))
    combined = pw[:, :, None, None] * dw[None]
    np.testing.assert_allclose(
        depthwise_separable_conv2d(x, dw, pw), conv2d(x, combined, padding=1), atol=1e-12
    )


@settings(max_examples=100, deadline=None)
@given(
    m=st.integers(1, 512), n=st.integers(1, 512), k=st.sampled_from([1, 3, 5, 7]),
    h=st.integers(1, 64), w=st.integers(1, 64),
)  # fmt: skip
def test_cost_ratio_is_one_over_n_plus_one_over_k_squared(m, n, k, h, w):
    ratio = Fraction(separable_conv_macs(m, n, k, h, w), standard_conv_macs(m, n, k, h, w))
    assert ratio == Fraction(1, n) + Fraction(1, k * k)


@pytest.mark.parametrize(("m", "n", "k"), [(32, 64, 3), (64, 128, 3), (16, 24, 5)])
def test_cost_ratio_from_pytorch_flop_counts(m, n, k):
    torch = pytest.importorskip("torch", reason="PyTorch's FlopCounterMode counts real layers")
    from torch.utils.flop_counter import FlopCounterMode

    nn = torch.nn
    standard = nn.Conv2d(m, n, k, padding=k // 2, bias=False)
    separable = nn.Sequential(
        nn.Conv2d(m, m, k, padding=k // 2, groups=m, bias=False),
        nn.Conv2d(m, n, 1, bias=False),
    )
    x = torch.zeros(1, m, 14, 14)
    flops = []
    for layer in (standard, separable):
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            layer(x)
        flops.append(counter.get_total_flops())
    assert flops[0] == 2 * standard_conv_macs(m, n, k, 14, 14)
    assert flops[1] == 2 * separable_conv_macs(m, n, k, 14, 14)
    assert Fraction(flops[1], flops[0]) == Fraction(1, n) + Fraction(1, k * k)
    params = [sum(p.numel() for p in layer.parameters()) for layer in (standard, separable)]
    assert Fraction(params[1], params[0]) == Fraction(1, n) + Fraction(1, k * k)


def test_depthwise_has_low_arithmetic_intensity():
    c, k, s = 128, 3, 56
    act = c * s * s  # input and output feature maps have the same size
    dw = arithmetic_intensity(c * k * k * s * s, act, act, c * k * k)
    standard = arithmetic_intensity(standard_conv_macs(c, c, k, s, s), act, act, c * c * k * k)
    assert dw < 2  # roughly k^2 / (2 * 4 bytes): below one multiply-add per byte times two
    assert standard / dw > 50


def test_inverted_residual_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference block")
    nn = torch.nn
    rng = np.random.default_rng(2)
    c, t = 8, 6
    x = rng.standard_normal((2, c, 7, 7))
    expand, dw, project = (
        rng.standard_normal((c * t, c)),
        rng.standard_normal((c * t, 3, 3)),
        rng.standard_normal((c, c * t)),
    )
    block = nn.Sequential(
        nn.Conv2d(c, c * t, 1, bias=False), nn.ReLU6(),
        nn.Conv2d(c * t, c * t, 3, padding=1, groups=c * t, bias=False), nn.ReLU6(),
        nn.Conv2d(c * t, c, 1, bias=False),
    ).double()  # fmt: skip
    with torch.no_grad():
        block[0].weight.copy_(torch.from_numpy(expand[:, :, None, None]))
        block[2].weight.copy_(torch.from_numpy(dw[:, None]))
        block[4].weight.copy_(torch.from_numpy(project[:, :, None, None]))
        xt = torch.from_numpy(x)
        ref = (xt + block(xt)).numpy()
        ref_strided = nn.functional.conv2d(
            nn.functional.relu6(
                nn.functional.conv2d(block[1](block[0](xt)), block[2].weight, stride=2,
                                     padding=1, groups=c * t)
            ),
            block[4].weight,
        ).numpy()  # fmt: skip
    np.testing.assert_allclose(inverted_residual(x, expand, dw, project), ref, atol=1e-10)
    # Stride 2: no shortcut (the shapes differ).
    got = inverted_residual(x, expand, dw, project, stride=2)
    np.testing.assert_allclose(got, ref_strided, atol=1e-10)


def test_projection_is_linear():
    # No ReLU after the projection: negative outputs survive (ReLU would zero them).
    rng = np.random.default_rng(3)
    x = np.zeros((1, 4, 5, 5))
    out = inverted_residual(
        x + 1.0, np.ones((24, 4)), rng.standard_normal((24, 3, 3)), -np.ones((4, 24))
    )
    assert (out < 0).any()


def test_hard_activations_match_torch():
    torch = pytest.importorskip("torch", reason="PyTorch hardswish/hardsigmoid are the reference")
    x = np.linspace(-8, 8, 1601)
    xt = torch.from_numpy(x)
    np.testing.assert_allclose(hard_swish(x), torch.nn.functional.hardswish(xt).numpy())
    np.testing.assert_allclose(hard_sigmoid(x), torch.nn.functional.hardsigmoid(xt).numpy())


def test_hard_swish_is_close_to_swish():
    x = np.linspace(-10, 10, 20001)
    swish = x / (1 + np.exp(-x))
    gap = np.abs(hard_swish(x) - swish)
    assert gap.max() < 0.15
    assert gap[np.abs(x) >= 6].max() < 0.02  # identical shape far from 0: 0 or x


def test_bad_input():
    x = np.zeros((1, 4, 5, 5))
    with pytest.raises(ValueError, match="weight"):
        depthwise_conv2d(x, np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="K odd"):
        depthwise_conv2d(x, np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match=r"^weight must be \(C_out, 4\), got \(4, 3\)$"):
        pointwise_conv2d(x, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"^need x \(N, C, H, W\)"):  # no batch axis
        depthwise_conv2d(np.zeros((2, 3, 3)), np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match=r"^weight must be \(C, K, K\)"):  # not square
        depthwise_conv2d(x, np.zeros((4, 3, 5)))


def test_defaults_stride_1_and_fp32_bytes():
    x = np.random.default_rng(4).standard_normal((1, 2, 5, 5))
    weight = np.zeros((2, 3, 3))
    weight[:, 1, 1] = 1.0  # identity kernel
    np.testing.assert_allclose(depthwise_conv2d(x, weight), x)  # stride 1 keeps H x W
    assert arithmetic_intensity(8, 1, 1) == 1.0  # 8 MACs over 2 float32 values = 8 bytes


def test_stride_2_has_no_shortcut_even_when_shapes_agree():
    # A 1 x 1 map stays 1 x 1 at stride 2; the block must still not add x (zero projection).
    x = np.ones((1, 4, 1, 1))
    out = inverted_residual(x, np.ones((8, 4)), np.ones((8, 3, 3)), np.zeros((4, 8)), stride=2)
    np.testing.assert_array_equal(out, 0.0)


def test_spiral_by_hand():
    x = spiral()
    assert x.shape == (400, 2)
    t = np.array([0.5, 4 * np.pi])  # first and last parameter value
    np.testing.assert_allclose(x[[0, -1]], np.c_[t * np.cos(t), t * np.sin(t)] / (4 * np.pi))


def test_relu_roundtrip_is_relu_then_pseudo_inverse():
    x = spiral(50)
    t = np.random.default_rng(0).standard_normal((5, 2))
    expected = np.maximum(x @ t.T, 0.0) @ np.linalg.pinv(t.T)
    np.testing.assert_allclose(relu_roundtrip(x, 5), expected)  # default seed 0
    assert relu_roundtrip(x, 1).shape == (50, 2)  # one dimension is allowed
    with pytest.raises(ValueError, match="n_dims must be >= 1, got 0"):
        relu_roundtrip(x, 0)


def test_best_scale_and_roundtrip_error():
    x = np.array([[0.1, 0.2]])
    assert _best_scale(2 * x, x) == pytest.approx(0.5)
    assert _best_scale(np.zeros_like(x), x) == 0.0  # no 0 / 0
    errors = {n: roundtrip_error(n) for n in (2, 5, 30)}  # the page's numbers
    assert errors[2] > errors[5] > errors[30]
    assert errors[2] > 0.7
    assert errors[30] < 0.35
    assert roundtrip_error(5) == roundtrip_error(5, n_seeds=20)  # 20 random T by default
