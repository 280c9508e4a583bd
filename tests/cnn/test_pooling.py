"""Pooling forward/backward against loops, numerical gradients and PyTorch."""

import numpy as np
import pytest
from cnn.pooling import (
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    max_pool_backward,
    max_pool_forward,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gradcheck import numerical_gradient


def pool_by_loops(x, k, s, reduce):
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = reduce(x[:, :, i * s : i * s + k, j * s : j * s + k], axis=(2, 3))
    return out


configs = st.tuples(
    st.integers(1, 3),  # kernel_size
    st.integers(1, 3),  # stride: < kernel_size means overlapping windows
    st.integers(3, 7),  # height
    st.integers(3, 7),  # width
    st.integers(0, 2**16),
)


@settings(max_examples=40, deadline=None)
@given(configs)
def test_forward_matches_loops(config):
    k, s, h, w, seed = config
    x = np.random.default_rng(seed).standard_normal((2, 3, h, w))
    np.testing.assert_allclose(max_pool2d(x, k, s), pool_by_loops(x, k, s, np.max))
    np.testing.assert_allclose(avg_pool2d(x, k, s), pool_by_loops(x, k, s, np.mean))


@settings(max_examples=25, deadline=None)
@given(configs)
def test_backward_matches_numerical_gradient(config):
    k, s, h, w, seed = config
    rng = np.random.default_rng(seed)
    x = rng.permutation(h * w * 2).reshape(1, 2, h, w) * 0.1  # distinct values: no ties
    g = rng.standard_normal(max_pool2d(x, k, s).shape)
    num_max = numerical_gradient(lambda: (max_pool2d(x, k, s) * g).sum(), x)
    num_avg = numerical_gradient(lambda: (avg_pool2d(x, k, s) * g).sum(), x)
    np.testing.assert_allclose(max_pool2d_backward(g, x, k, s), num_max, atol=1e-6)
    np.testing.assert_allclose(avg_pool2d_backward(g, x.shape, k, s), num_avg, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(configs)
def test_whiteboard_matches_full_version(config):
    k, s, h, w, seed = config
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, size=(2, 3, h, w)).astype(float)  # many ties: the first max wins
    out = max_pool2d(x, k, s)
    np.testing.assert_array_equal(max_pool_forward(x, k, s), out)
    g = rng.standard_normal(out.shape)
    np.testing.assert_allclose(max_pool_backward(g, x, k, s), max_pool2d_backward(g, x, k, s))


def test_overlapping_windows_accumulate():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1.0  # the centre is the max of all four 2x2 windows (stride 1)
    grad = max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2, 1)
    assert grad[0, 0, 1, 1] == 4
    assert grad.sum() == 4
    spread = avg_pool2d_backward(np.ones((1, 1, 2, 2)), (1, 1, 3, 3), 2, 1)[0, 0]
    np.testing.assert_allclose(spread, np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4)


def test_gradient_is_conserved():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 2, 8, 8))
    g = rng.standard_normal((2, 2, 3, 3))
    assert max_pool2d_backward(g, x, 3, 2).sum() == pytest.approx(g.sum())
    assert avg_pool2d_backward(g, x.shape, 3, 2).sum() == pytest.approx(g.sum())


@pytest.mark.parametrize(("k", "s"), [(2, 2), (3, 2), (3, 1), (2, 3)])
@pytest.mark.parametrize("ties", [False, True])
def test_matches_torch(k, s, ties):
    torch = pytest.importorskip("torch", reason="PyTorch pooling is the reference")
    rng = np.random.default_rng(k * 10 + s)
    x = rng.standard_normal((2, 3, 9, 8))
    if ties:  # few distinct values: PyTorch also routes to the first maximum
        x = np.round(x)
    g = rng.standard_normal(max_pool2d(x, k, s).shape)
    for ours, back, theirs in [
        (max_pool2d, max_pool2d_backward, torch.nn.functional.max_pool2d),
        (avg_pool2d, None, torch.nn.functional.avg_pool2d),
    ]:
        xt = torch.tensor(x, requires_grad=True)
        out = theirs(xt, k, s)
        out.backward(torch.from_numpy(g))
        np.testing.assert_allclose(ours(x, k, s), out.detach().numpy())
        grad = back(g, x, k, s) if back else avg_pool2d_backward(g, x.shape, k, s)
        np.testing.assert_allclose(grad, xt.grad.numpy(), atol=1e-12)


def test_bad_input():
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(ValueError, match=r"^x must have shape \(N, C, H, W\), got \(4, 4\)$"):
        max_pool2d(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError, match=r"^x must not contain NaN$"):
        avg_pool2d(np.full((1, 1, 4, 4), np.nan), 2)
    with pytest.raises(ValueError, match=r"^kernel_size and stride must be >= 1, got 0, 0$"):
        max_pool2d(x, 0)
    with pytest.raises(ValueError, match=r"^kernel_size and stride must be >= 1, got 2, 0$"):
        max_pool2d(x, 2, 0)
    with pytest.raises(ValueError, match=r"^x spatial size \(4, 4\) is smaller than kernel_size$"):
        max_pool2d(x, 5)
    with pytest.raises(TypeError, match=r"^kernel_size and stride must be ints$"):
        max_pool2d(x, 2.0)
    with pytest.raises(TypeError, match=r"^kernel_size and stride must be ints$"):
        max_pool2d(x, 2, 1.0)
    with pytest.raises(
        ValueError, match=r"^grad_output must have shape \(1, 1, 2, 2\), got \(1, 1, 3, 3\)$"
    ):
        max_pool2d_backward(np.ones((1, 1, 3, 3)), x, 2)
    with pytest.raises(
        ValueError, match=r"^grad_output must have shape \(1, 1, 2, 2\), got \(1, 1, 1, 1\)$"
    ):
        avg_pool2d_backward(np.ones((1, 1, 1, 1)), x.shape, 2)


def test_window_larger_than_the_height_only_and_integer_input():
    with pytest.raises(ValueError, match=r"^x spatial size \(2, 4\) is smaller than kernel_size$"):
        max_pool2d(np.zeros((1, 1, 2, 4)), 3)
    x = np.arange(16, dtype=np.uint8).reshape(1, 1, 4, 4)  # an 8-bit image
    out = max_pool2d(x, 2)
    assert out.dtype == np.float64
    assert out.squeeze().tolist() == [[5, 7], [13, 15]]
