"""Roofline arithmetic against hand-computed intensities and the published A100 numbers."""

import numpy as np
import pytest
from efficiency.latency import (
    A100_BANDWIDTH,
    A100_FP16_NON_TENSOR_PEAK,
    A100_FP16_PEAK,
    attainable_flops,
    depthwise_conv_intensity,
    matmul_intensity,
    ridge_point,
)


def test_roofline_is_the_minimum_of_the_two_roofs():
    peak, bw = 100.0, 10.0  # ridge at 10 FLOP/byte
    np.testing.assert_allclose(
        attainable_flops([1.0, 5.0, 10.0, 50.0], peak, bw), [10, 50, 100, 100]
    )
    assert ridge_point(peak, bw) == 10.0


def test_a100_ridge_point():
    assert A100_FP16_PEAK == 312e12
    assert A100_BANDWIDTH == 2039e9
    assert ridge_point(A100_FP16_PEAK, A100_BANDWIDTH) == pytest.approx(153.0, abs=0.05)


def test_matmul_intensity_by_hand():
    # (2, 3) @ (3, 4): 2·2·4·3 = 48 FLOPs; fp32 moves 4 · (6 + 12 + 8) = 104 bytes.
    assert matmul_intensity(2, 4, 3, bytes_per_value=4) == pytest.approx(48 / 104)
    assert matmul_intensity(4096, 4096, 4096) == pytest.approx(4096 / 3)  # square fp16: n / 3
    # A matrix-vector product (batch 1) is about 1 FLOP per byte in fp16 whatever the size.
    assert matmul_intensity(1, 4096, 4096) == pytest.approx(1.0, rel=1e-3)


def test_batch_size_raises_the_intensity_of_a_linear_layer():
    d = 4096
    # (B, d) @ (d, d) in fp16: 2Bd² / (2(2Bd + d²)) ≈ B while B << d.
    for b in (1, 8, 64):
        assert matmul_intensity(b, d, d) == pytest.approx(b * d / (2 * b + d))
    ridge = ridge_point(A100_FP16_PEAK, A100_BANDWIDTH)
    assert matmul_intensity(128, d, d) < ridge < matmul_intensity(256, d, d)


def test_depthwise_conv_intensity_by_hand():
    # 3x3 depthwise on 2 channels of 4x4 in fp16: 2·9·32 = 576 FLOPs over
    # 2 · (32 in + 32 out + 18 weights) = 164 bytes.
    assert depthwise_conv_intensity(2, 4, 4) == pytest.approx(576 / 164)
    ai = depthwise_conv_intensity(128, 56, 56)
    assert ai < 9 / 2  # below k² / 2 FLOP per byte
    share = attainable_flops(ai, A100_FP16_PEAK, A100_BANDWIDTH) / A100_FP16_PEAK
    assert 0.02 < share < 0.035  # about 3 % of the Tensor Core peak
    # Against the fp16 peak without Tensor Cores (78 TFLOP/s, A100 whitepaper), which a
    # depthwise conv can actually use: ridge 78e12 / 2039e9 ≈ 38.3, still memory-bound.
    assert A100_FP16_NON_TENSOR_PEAK == 78e12
    assert ridge_point(A100_FP16_NON_TENSOR_PEAK, A100_BANDWIDTH) == pytest.approx(38.25, abs=0.01)
    share = attainable_flops(ai, A100_FP16_NON_TENSOR_PEAK, A100_BANDWIDTH) / 78e12
    assert share == pytest.approx(ai * 2039e9 / 78e12)  # on the bandwidth slope: 4.49 · 2039 / 78e3
    assert 0.11 < share < 0.125


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: attainable_flops(0.0, 1.0, 1.0), ValueError),
        (lambda: attainable_flops(1.0, -1.0, 1.0), ValueError),
        (lambda: attainable_flops(1.0, 1.0, np.inf), ValueError),
        (lambda: attainable_flops("1", 1.0, 1.0), TypeError),
        (lambda: matmul_intensity(0, 1, 1), ValueError),
        (lambda: matmul_intensity(1.5, 1, 1), TypeError),
        (lambda: depthwise_conv_intensity(1, 1, 1, kernel=True), TypeError),
    ],
)
def test_bad_input(call, error):
    with pytest.raises(error, match=r"intensity|peak_flops|bandwidth|m |m\b|kernel"):
        call()


def test_integer_and_float32_inputs_are_accepted():
    assert attainable_flops(2, 100, 10) == 20.0
    assert attainable_flops(np.float32(2.0), 100.0, 10.0) == 20.0


def test_error_messages_name_the_argument():
    with pytest.raises(ValueError, match=r"^intensity must be finite and > 0, got 0.0$"):
        attainable_flops(0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"^peak_flops must be finite and > 0, got -1.0$"):
        attainable_flops(1.0, -1.0, 1.0)
    with pytest.raises(ValueError, match=r"^bandwidth must be finite and > 0, got inf$"):
        attainable_flops(1.0, 1.0, np.inf)
    with pytest.raises(ValueError, match=r"^peak_flops must be finite"):
        ridge_point(0.0, 1.0)
    with pytest.raises(ValueError, match=r"^bandwidth must be finite"):
        ridge_point(1.0, 0.0)
    with pytest.raises(TypeError, match=r"^m must be an int, got float$"):
        matmul_intensity(1.5, 1, 1)


@pytest.mark.parametrize("name", ["m", "n", "k", "bytes_per_value"])
def test_matmul_checks_every_size(name):
    sizes = {"m": 2, "n": 3, "k": 4, "bytes_per_value": 2} | {name: 0}
    with pytest.raises(ValueError, match=rf"^{name} must be >= 1, got 0$"):
        matmul_intensity(**sizes)


@pytest.mark.parametrize("name", ["channels", "height", "width", "kernel", "bytes_per_value"])
def test_depthwise_checks_every_size(name):
    sizes = {"channels": 2, "height": 4, "width": 4, "kernel": 3, "bytes_per_value": 2}
    with pytest.raises(ValueError, match=rf"^{name} must be >= 1, got 0$"):
        depthwise_conv_intensity(**(sizes | {name: 0}))
