"""A 1x1 convolution equals a per-pixel fully connected layer: checked three ways."""

import numpy as np
import pytest
from cnn.conv1x1 import conv1x1, per_pixel_linear
from cnn.convolution import conv2d
from hypothesis import given, settings
from hypothesis import strategies as st

shapes = st.tuples(
    st.integers(1, 3), st.integers(1, 6), st.integers(1, 5), st.integers(1, 5), st.integers(1, 6)
)


@settings(max_examples=50, deadline=None)
@given(shapes, st.integers(0, 2**16))
def test_conv1x1_equals_per_pixel_linear_and_conv2d(shape, seed):
    n, c_in, h, w, c_out = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in, h, w))
    weight, bias = rng.standard_normal((c_out, c_in)), rng.standard_normal(c_out)
    y = conv1x1(x, weight, bias)
    assert y.shape == (n, c_out, h, w)
    np.testing.assert_allclose(y, per_pixel_linear(x, weight, bias))
    np.testing.assert_allclose(y, conv2d(x, weight[:, :, None, None], bias))
    # One pixel by hand: a matrix-vector product of that pixel's channel vector.
    np.testing.assert_allclose(y[0, :, h - 1, 0], weight @ x[0, :, h - 1, 0] + bias)


def test_conv1x1_equals_torch_linear_on_channels_last():
    torch = pytest.importorskip("torch", reason="PyTorch nn.Linear is the reference")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 8, 5, 7))
    linear = torch.nn.Linear(8, 4).double()
    with torch.no_grad():
        ref = linear(torch.from_numpy(x).permute(0, 2, 3, 1)).permute(0, 3, 1, 2).numpy()
    weight, bias = linear.weight.detach().numpy(), linear.bias.detach().numpy()
    np.testing.assert_allclose(conv1x1(x, weight, bias), ref)


def test_conv1x1_does_not_mix_pixels():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, 4, 4))
    weight = rng.standard_normal((2, 3))
    bumped = x.copy()
    bumped[0, :, 2, 1] += 1.0
    changed = np.abs(conv1x1(bumped, weight) - conv1x1(x, weight)).sum(axis=(0, 1)) > 0
    assert changed.sum() == 1
    assert changed[2, 1]


def test_without_bias_both_forms_agree():
    rng = np.random.default_rng(1)
    x, weight = rng.standard_normal((2, 3, 2, 4)), rng.standard_normal((5, 3))
    y = conv1x1(x, weight)
    np.testing.assert_allclose(y, per_pixel_linear(x, weight))
    np.testing.assert_allclose(y[1, :, 1, 3], weight @ x[1, :, 1, 3])


def test_bad_input():
    with pytest.raises(
        ValueError,
        match=r"^need x \(N, C_in, H, W\) and weight \(C_out, C_in\), got \(1, 3, 2, 2\)",
    ):
        conv1x1(np.zeros((1, 3, 2, 2)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"^need x \(N, C_in, H, W\)"):  # x without a batch axis
        conv1x1(np.zeros((3, 2, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"^bias must have shape \(2,\), got \(3,\)$"):
        conv1x1(np.zeros((1, 3, 2, 2)), np.zeros((2, 3)), np.zeros(3))
