"""numpy resize against torch.nn.functional.interpolate (align_corners=False) and hand cases."""

import numpy as np
import pytest
from data.resize import make_pattern, plot_methods, resize, resize_matrix, zone_plate
from hypothesis import given, settings
from hypothesis import strategies as st

METHODS = ["nearest", "nearest-exact", "area", "bilinear", "bicubic", "lanczos"]


def torch_resize(image, out_h, out_w, mode):
    torch = pytest.importorskip("torch", reason="PyTorch's interpolate is the reference")
    t = torch.tensor(image, dtype=torch.float64)[None, None]
    kwargs = {"align_corners": False} if mode in ("bilinear", "bicubic") else {}
    out = torch.nn.functional.interpolate(t, size=(out_h, out_w), mode=mode, **kwargs)
    return out[0, 0].numpy()


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    out_h=st.integers(1, 17),
    out_w=st.integers(1, 17),
    mode=st.sampled_from(["nearest", "nearest-exact", "bilinear", "bicubic"]),
    seed=st.integers(0, 1000),
)
def test_matches_torch(h, w, out_h, out_w, mode, seed):
    image = np.random.default_rng(seed).normal(size=(h, w))
    np.testing.assert_allclose(
        resize(image, out_h, out_w, mode), torch_resize(image, out_h, out_w, mode), atol=1e-12
    )


@pytest.mark.parametrize(("h", "w", "factor"), [(8, 6, 2), (9, 12, 3), (4, 4, 4)])
def test_area_matches_torch_for_integer_factors(h, w, factor):
    image = np.random.default_rng(0).normal(size=(h, w))
    ours = resize(image, h // factor, w // factor, "area")
    np.testing.assert_allclose(ours, torch_resize(image, h // factor, w // factor, "area"))
    # and equals the block mean
    blocks = image.reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))
    np.testing.assert_allclose(ours, blocks)


def test_hand_cases():
    row = np.array([[0.0, 1.0]])
    # upscaling x2: centres at -0.25, 0.25, 0.75, 1.25 (clamped at the borders)
    np.testing.assert_allclose(resize(row, 1, 4, "bilinear"), [[0, 0.25, 0.75, 1]])
    np.testing.assert_array_equal(resize(row, 1, 4, "nearest"), [[0, 0, 1, 1]])
    # downscaling 4 -> 2: bilinear samples at 0.5 and 2.5, i.e. means of pixel pairs
    row4 = np.array([[0.0, 2.0, 4.0, 8.0]])
    np.testing.assert_allclose(resize(row4, 1, 2, "bilinear"), [[1.0, 6.0]])
    np.testing.assert_allclose(resize(row4, 1, 2, "area"), [[1.0, 6.0]])
    # 3 -> 2: nearest takes floor(0 * 1.5) = 0 and floor(1.5) = 1;
    # nearest-exact takes floor(0.75) = 0 and floor(2.25) = 2
    row3 = np.array([[10.0, 20.0, 30.0]])
    np.testing.assert_array_equal(resize(row3, 1, 2, "nearest"), [[10, 20]])
    np.testing.assert_array_equal(resize(row3, 1, 2, "nearest-exact"), [[10, 30]])
    # area 3 -> 2: footprints [0, 1.5) and [1.5, 3)
    np.testing.assert_allclose(resize(row3, 1, 2, "area"), [[(10 + 10) / 1.5, (10 + 30) / 1.5]])


@pytest.mark.parametrize("method", METHODS)
def test_rows_sum_to_one_and_identity(method):
    for n, m in [(5, 5), (4, 9), (9, 4), (1, 3)]:
        mat = resize_matrix(n, m, method)
        np.testing.assert_allclose(mat.sum(axis=1), 1.0)
    np.testing.assert_allclose(resize_matrix(6, 6, method), np.eye(6), atol=1e-12)


def test_channels_are_resized_independently():
    rgb = np.random.default_rng(0).normal(size=(5, 4, 3))
    out = resize(rgb, 7, 9, "bicubic")
    assert out.shape == (7, 9, 3)
    for c in range(3):
        np.testing.assert_allclose(out[..., c], resize(rgb[..., c], 7, 9, "bicubic"))


def test_area_removes_aliasing_that_nearest_shows():
    # after shrinking 64 -> 16, rings finer than 1 / 8 cycle per pixel (r > 11) cannot be kept:
    # area averages them to flat grey, nearest turns them into false rings (aliasing)
    small = {m: resize(zone_plate(64), 16, 16, m) for m in ["nearest", "bilinear", "area"]}
    yy, xx = (np.mgrid[0:16, 0:16] + 0.5 - 8) * 4
    outer, inner = np.hypot(xx, yy) > 20, np.hypot(xx, yy) < 8
    assert small["area"][outer].std() < 0.06 < 0.3 < small["nearest"][outer].std()
    assert small["area"][outer].std() < small["bilinear"][outer].std()
    assert all(s[inner].std() > 0.15 for s in small.values())  # coarse rings survive


def test_bad_input():
    with pytest.raises(ValueError, match="method"):
        resize(np.ones((2, 2)), 3, 3, "cubic-spline")
    with pytest.raises(ValueError, match="image"):
        resize(np.ones(4), 2, 2)
    with pytest.raises(ValueError, match="sizes"):
        resize(np.ones((2, 2)), 0, 3)


def test_plot_builds():
    assert make_pattern().shape == (8, 8)
    assert len(plot_methods().axes) == 8
