"""numpy resize against torch.nn.functional.interpolate (align_corners=False) and hand cases."""

import numpy as np
import pytest
from data.resize import (
    bilinear_whiteboard,
    boxes_back_whiteboard,
    boxes_from_letterbox,
    boxes_to_letterbox,
    letterbox,
    letterbox_whiteboard,
    make_pattern,
    plot_methods,
    resize,
    resize_matrix,
    zone_plate,
)
from hypothesis import assume, given, settings
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
    np.testing.assert_allclose(resize(row, 1, 4), [[0, 0.25, 0.75, 1]])  # bilinear by default
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
    assert out.flags.c_contiguous  # order="C": einsum's optimized path would return a view
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
    methods = "nearest, nearest-exact, area, bilinear, bicubic, lanczos"
    with pytest.raises(ValueError, match=rf"^method must be one of {methods}$"):
        resize(np.ones((2, 2)), 3, 3, "cubic-spline")
    with pytest.raises(ValueError, match="image"):
        resize(np.ones(4), 2, 2)
    with pytest.raises(ValueError, match="sizes"):
        resize(np.ones((2, 2)), 0, 3)


def test_lanczos_weights_are_the_windowed_sinc():
    # upscaling x2 far from the borders: output 15 sits at 7.25, its 8 taps are inputs 4..11
    row = resize_matrix(16, 32, "lanczos")[15]
    d = 7.25 - np.arange(4, 12)
    weights = np.sinc(d) * np.sinc(d / 4)  # Lanczos-4, as OpenCV's INTER_LANCZOS4
    np.testing.assert_allclose(row[4:12], weights / weights.sum())
    assert (row[:4] == 0).all()
    assert (row[12:] == 0).all()


def test_pattern_and_zone_plate_are_what_their_docstrings_say():
    # make_pattern: an edge (0.6 on the right half), a diagonal (0.4) and a bright dot
    expected = np.zeros((8, 8))
    expected[:, 4:] = 0.6
    expected[np.arange(8), np.arange(8)] += 0.4
    expected[1, 5] = 1.0
    np.testing.assert_allclose(make_pattern(), expected)
    assert (make_pattern(5)[:, 2:] >= 0.6).all()  # odd sizes: the edge starts mid-image
    # zone_plate: centred rings of frequency f(r) = r / (size * sqrt(2)) cycles per pixel,
    # so phase 2 pi * integral of f = pi r^2 / (size * sqrt(2)); f = 0.5 at the corners
    assert zone_plate().shape == (64, 64)
    y, x = np.mgrid[0:8, 0:8] + 0.5 - 4  # pixel centres around the middle of the image
    phase = np.pi * (x**2 + y**2) / (8 * np.sqrt(2))
    np.testing.assert_allclose(zone_plate(8), 0.5 + 0.5 * np.cos(phase))


def test_plot_builds():
    assert len(plot_methods().axes) == 8


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 8), w=st.integers(1, 8), out_h=st.integers(1, 12), out_w=st.integers(1, 12))
def test_bilinear_whiteboard_matches_resize(h, w, out_h, out_w):
    image = np.random.default_rng(h * 100 + w).normal(size=(h, w))
    np.testing.assert_allclose(
        bilinear_whiteboard(image, out_h, out_w),
        resize(image, out_h, out_w, "bilinear"),
        atol=1e-12,
    )


@pytest.mark.parametrize(("h", "w", "out_h", "out_w"), [(5, 7, 11, 3), (4, 4, 9, 9), (8, 3, 2, 5)])
def test_bilinear_whiteboard_matches_torch(torch, h, w, out_h, out_w):
    image = np.random.default_rng(0).normal(size=(h, w))
    np.testing.assert_allclose(
        bilinear_whiteboard(image, out_h, out_w),
        torch_resize(image, out_h, out_w, "bilinear"),
        atol=1e-12,
    )


def test_bilinear_by_hand():
    # 2 x 2 -> 4 x 4: output centres sit at -0.25, 0.25, 0.75, 1.25 along each axis
    image = np.array([[0.0, 4.0], [8.0, 12.0]])
    out = bilinear_whiteboard(image, 4, 4)
    assert np.allclose(out[0], [0.0, 1.0, 3.0, 4.0])  # row clamped to y = 0
    assert np.allclose(out[1], [2.0, 3.0, 5.0, 6.0])  # y = 0.25: a quarter of the way to row 1
    assert np.allclose(out[:, 0], [0.0, 2.0, 6.0, 8.0])


def test_letterbox_by_hand():
    image = np.full((3, 6), 7.0)  # wide: r = min(12 / 3, 12 / 6) = 2, content 6 x 12
    out, scale, pad = letterbox(image, (12, 12))
    assert scale == (2.0, 2.0)
    assert pad == (0, 3)
    assert (out[3:9] == 7.0).all()
    assert (out[:3] == 114.0).all()
    assert (out[9:] == 114.0).all()
    # odd padding: 12 - 5 = 7 rows, 3 above and 4 below (YOLOv5 gives the odd one to the bottom)
    out, scale, pad = letterbox(np.zeros((5, 12)), (12, 12), color=0.5)
    assert pad == (0, 3)
    assert (out[:3] == 0.5).all()
    assert (out[8:] == 0.5).all()
    assert (out[3:8] == 0.0).all()
    # not centred: the content sits at the top left
    out, scale, pad = letterbox(image, (12, 12), center=False)
    assert pad == (0, 0)
    assert (out[:6] == 7.0).all()
    # scaleup=False leaves a small image at its size, padded
    out, scale, pad = letterbox(image, (12, 12), scaleup=False)
    assert scale == (1.0, 1.0)
    assert pad == (3, 4)
    # tall images pad left and right; colour images keep their channels
    out, scale, pad = letterbox(np.ones((20, 10, 3)), (10, 10))
    assert out.shape == (10, 10, 3)
    assert scale == (0.5, 0.5)
    assert pad == (2, 0)


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 60),
    w=st.integers(1, 60),
    new_h=st.integers(1, 50),
    new_w=st.integers(1, 50),
    seed=st.integers(0, 1000),
)
def test_boxes_round_trip(h, w, new_h, new_w, seed):
    rng = np.random.default_rng(seed)
    _, scale, pad = letterbox(np.zeros((h, w)), (new_h, new_w))
    corners = np.sort(rng.uniform(0, [w, h], size=(5, 2, 2)), axis=1)  # x1 < x2, y1 < y2
    boxes = corners.reshape(5, 4)
    moved = boxes_to_letterbox(boxes, scale, pad)
    # every box lands inside the content area of the letterboxed image
    left, top = pad
    assert (moved[:, [0, 2]] >= left - 1e-9).all()
    assert (moved[:, [0, 2]] <= left + w * scale[0] + 1e-9).all()
    assert (moved[:, [1, 3]] >= top - 1e-9).all()
    assert (moved[:, [1, 3]] <= top + h * scale[1] + 1e-9).all()
    np.testing.assert_allclose(boxes_from_letterbox(moved, scale, pad, (h, w)), boxes, atol=1e-9)


def test_content_is_the_resized_image():
    image = np.random.default_rng(1).random((9, 14, 3))
    out, (sx, sy), (left, top) = letterbox(image, (32, 20))
    nh, nw = round(9 * sy), round(14 * sx)
    np.testing.assert_allclose(
        out[top : top + nh, left : left + nw], resize(image, nh, nw, "bilinear")
    )
    same, scale, pad = letterbox(image, (9, 14))
    assert scale == (1.0, 1.0)
    assert pad == (0, 0)
    np.testing.assert_allclose(same, image)


@settings(max_examples=30, deadline=None)
@given(
    h=st.integers(1, 20), w=st.integers(1, 20), new_h=st.integers(1, 24), new_w=st.integers(1, 24)
)
def test_letterbox_whiteboard_matches_letterbox(h, w, new_h, new_w):
    image = np.random.default_rng(h * 31 + w).random((h, w))
    r = min(new_h / h, new_w / w)
    assume(min(round(h * r), round(w * r)) >= 1)  # the full version keeps one pixel; see below
    board, r, pad = letterbox_whiteboard(image, new_h, new_w)
    out, scale, full_pad = letterbox(image, (new_h, new_w))
    np.testing.assert_allclose(board, out, atol=1e-12)
    assert pad == full_pad
    # the whiteboard maps boxes back with one r; the exact scales differ by the rounding of
    # the new size, which moves a point by at most 0.5 / r original pixels (half a letterbox one)
    boxes = np.array([[0.0, 0.0, w, h], [w / 3, h / 4, w / 2, h / 2]])
    moved = boxes_to_letterbox(boxes, scale, full_pad)
    exact = boxes_from_letterbox(moved, scale, full_pad, (h, w))
    assert np.abs(boxes_back_whiteboard(moved, r, pad) - exact).max() <= 0.5 / r + 1e-9


def test_letterbox_bad_input():
    with pytest.raises(ValueError, match="image must have shape"):
        letterbox(np.zeros(5), (4, 4))
    with pytest.raises(ValueError, match="new_shape must be two ints"):
        letterbox(np.zeros((4, 4)), (4.0, 4))
    with pytest.raises(ValueError, match="new_shape must be two ints"):
        letterbox(np.zeros((4, 4)), (0, 4))
    with pytest.raises(ValueError, match="boxes must be finite"):
        boxes_to_letterbox(np.zeros((2, 3)), (1.0, 1.0), (0, 0))
    with pytest.raises(ValueError, match="boxes must be finite"):
        boxes_from_letterbox(np.array([[0, 0, np.nan, 1]]), (1.0, 1.0), (0, 0), (4, 4))
    with pytest.raises(ValueError, match="scale must be two positive"):
        boxes_to_letterbox(np.zeros((1, 4)), (0.0, 1.0), (0, 0))
    # a sliver that would round to zero pixels keeps one (the whiteboard version would not)
    assert letterbox(np.ones((1, 2)), (1, 1))[0].tolist() == [[1.0]]
    # boxes predicted partly on the grey bar are clipped to the original image
    back = boxes_from_letterbox(np.array([[-5.0, 0.0, 30.0, 10.0]]), (2.0, 2.0), (0, 3), (3, 6))
    np.testing.assert_allclose(back, [[0.0, 0.0, 6.0, 3.0]])
