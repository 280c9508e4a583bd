"""RoI Align and RoI Pooling against scalar brute force, exact linear cases and hand cases."""

import math

import numpy as np
import pytest
from detection.roi import bilinear, roi_align, roi_pool
from hypothesis import given, settings
from hypothesis import strategies as st


def bilinear_scalar(f2d, y, x) -> float:
    """One bilinear sample, written from the textbook formula with torchvision's border rules."""
    h, w = f2d.shape
    if y < -1 or y > h or x < -1 or x > w:
        return 0.0
    y, x = min(max(y, 0.0), h - 1), min(max(x, 0.0), w - 1)
    total = 0.0
    for yi in range(h):
        for xi in range(w):
            # Tent weights: max(0, 1 - |distance|) on each axis.
            total += f2d[yi, xi] * max(0.0, 1 - abs(y - yi)) * max(0.0, 1 - abs(x - xi))
    return total


def roi_align_brute(f2d, box, ph, pw, scale, ratio, aligned) -> np.ndarray:
    off = 0.5 if aligned else 0.0
    x1, y1, x2, y2 = (v * scale - off for v in box)
    rw, rh = x2 - x1, y2 - y1
    if not aligned:
        rw, rh = max(rw, 1.0), max(rh, 1.0)
    # torchvision's roi_align_kernel.cpp: ratio <= 0 is adaptive, ceil with no floor of 1,
    # and a bin with no samples outputs 0.
    gh = ratio if ratio > 0 else math.ceil(rh / ph)
    gw = ratio if ratio > 0 else math.ceil(rw / pw)
    out = np.zeros((ph, pw))
    if gh <= 0 or gw <= 0:
        return out
    for i in range(ph):
        for j in range(pw):
            acc = 0.0
            for a in range(gh):
                for b in range(gw):
                    y = y1 + i * rh / ph + (a + 0.5) * rh / ph / gh
                    x = x1 + j * rw / pw + (b + 0.5) * rw / pw / gw
                    acc += bilinear_scalar(f2d, y, x)
            out[i, j] = acc / (gh * gw)
    return out


def test_bilinear_hand_case():
    f = np.array([[[0.0, 10.0], [20.0, 30.0]]])
    assert bilinear(f, np.array(0.5), np.array(0.5))[0] == pytest.approx(15.0)
    assert bilinear(f, np.array(0.25), np.array(1.0))[0] == pytest.approx(15.0)  # 10 + 0.25 * 20
    assert bilinear(f, np.array(-0.5), np.array(0.0))[0] == 0.0  # clamped to the edge row
    assert bilinear(f, np.array(-1.5), np.array(0.0))[0] == 0.0  # far outside: zero


def test_bilinear_border_rules_like_torchvision():
    """Within one pixel outside the map (-1 <= y <= H, -1 <= x <= W): the edge value; beyond: 0."""
    f = np.array([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]])  # H = 2, W = 3
    y = np.array([-1.0, -1.5, 2.0, 2.5, 0.0, 0.0, 0.0, 0.0])
    x = np.array([0.0, 0.0, 0.0, 0.0, -1.0, -1.5, 3.0, 3.5])
    np.testing.assert_array_equal(bilinear(f, y, x)[0], [1.0, 0.0, 4.0, 0.0, 1.0, 0.0, 3.0, 0.0])


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-2, 9),
    st.floats(-2, 9),
    st.floats(-1, 8),  # widths and heights <= 0 too: empty and inverted boxes
    st.floats(-1, 8),
    st.integers(1, 3),
    st.integers(1, 3),
    st.sampled_from([-1, 0, 1, 2]),
    st.sampled_from([0.5, 1.0]),
    st.booleans(),
)
def test_roi_align_matches_brute_force(x, y, w, h, ph, pw, ratio, scale, aligned):
    f = np.random.default_rng(0).normal(size=(2, 7, 9))
    box = np.array([x, y, x + w, y + h])
    got = roi_align(f, box, (ph, pw), scale, ratio, aligned)
    for c in range(2):
        ref = roi_align_brute(f[c], box, ph, pw, scale, ratio, aligned)
        np.testing.assert_allclose(got[c], ref, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(1, 10), st.floats(1, 6), st.floats(0.5, 5), st.floats(0.5, 5), st.integers(1, 4))
def test_roi_align_of_linear_map_is_value_at_bin_centre(x, y, w, h, n):
    # f(y, x) = 3y - 2x + 1 is reproduced exactly by bilinear interpolation, and the mean of
    # sample points placed symmetrically in a bin is the value at the bin's centre.
    rows, cols = np.mgrid[0:16, 0:20]
    f = (3.0 * rows - 2.0 * cols + 1.0)[None]
    out = roi_align(f, np.array([x, y, x + w, y + h]), (n, n), sampling_ratio=2)[0]
    cy = y - 0.5 + (np.arange(n) + 0.5) * h / n
    cx = x - 0.5 + (np.arange(n) + 0.5) * w / n
    np.testing.assert_allclose(out, 3 * cy[:, None] - 2 * cx[None, :] + 1, atol=1e-9)


def test_adaptive_sampling_like_torchvision():
    # f = x² on every row. Box x in [0, 3], y in [0, 1], one bin (aligned=False: no shift).
    # sampling_ratio <= 0 (default -1): ceil(3) = 3 samples across, at x = 0.5, 1.5, 2.5, where
    # the interpolated values are 0.5, 2.5, 6.5: mean 19/6. A fixed 2 x 2 grid samples
    # x = 0.75, 2.25: values 0.75, 5.25, mean 3.
    sq = np.tile(np.arange(6.0) ** 2, (4, 1))[None]
    box = np.array([0.0, 0.0, 3.0, 1.0])
    assert roi_align(sq, box, (1, 1), aligned=False)[0, 0] == pytest.approx(19 / 6)
    assert roi_align(sq, box, (1, 1), sampling_ratio=2, aligned=False)[0, 0] == pytest.approx(3)
    f = np.arange(64, dtype=float).reshape(1, 8, 8)
    for ratio in (0, -1, -5):
        np.testing.assert_array_equal(
            roi_align(f, np.array([1.2, 0.7, 5.9, 3.1]), (3, 2), sampling_ratio=ratio),
            roi_align(f, np.array([1.2, 0.7, 5.9, 3.1]), (3, 2)),
        )
    # An empty box (aligned=True keeps its zero size): ceil(0) = 0 samples, output 0, where a
    # floor of one sample would read the feature at (2, 2) - 0.5.
    assert not roi_align(f, np.array([2.0, 2.0, 2.0, 2.0]), (2, 2)).any()
    assert not roi_align(f, np.array([3.0, 3.0, 2.0, 2.0]), (1, 1)).any()  # inverted
    assert roi_align(f, np.array([2.0, 2.0, 2.0, 2.0]), (1, 1), sampling_ratio=1)[0, 0] == 13.5


def test_roi_pool_hand_case():
    f = np.arange(64, dtype=float).reshape(1, 8, 8)
    np.testing.assert_array_equal(
        roi_pool(f, np.array([0, 0, 3, 3]), (2, 2))[0], [[9, 11], [25, 27]]
    )
    # A 3 x 3 RoI into 2 x 2 bins: bins overlap (floor / ceil), row 1 and column 1 are shared.
    np.testing.assert_array_equal(
        roi_pool(f, np.array([0, 0, 2, 2]), (2, 2))[0], [[9, 10], [17, 18]]
    )
    # Stride 16: 7.6 / 16 = 0.475 rounds to cell 0, 40 / 16 = 2.5 rounds (half away from zero,
    # as C's round) to cell 3: one bin covering cells 0 .. 3, whose maximum is 8 * 3 + 3.
    out = roi_pool(f, np.array([7.6, 7.6, 40.0, 40.0]), (1, 1), spatial_scale=1 / 16)
    assert out[0, 0] == 8 * 3 + 3


def test_roi_pool_pools_each_channel_on_its_own():
    g = np.arange(64, dtype=float).reshape(8, 8)
    out = roi_pool(np.stack([g, -g]), np.array([0, 0, 3, 3]), (2, 2))
    np.testing.assert_array_equal(out, [[[9, 11], [25, 27]], [[0, -2], [-16, -18]]])


def test_roi_pool_outside_the_map():
    f = np.arange(1.0, 65.0).reshape(1, 8, 8)  # all positive: a 0 means an empty bin
    for box in ([0, -5, 3, -3], [-5, 0, -3, 3], [9, 0, 12, 3], [0, 9, 3, 12]):
        np.testing.assert_array_equal(roi_pool(f, np.array(box), (2, 2)), 0.0)
    # Partly outside: only the cells on the map count (one bin over cells 0..1 x 0..1).
    assert roi_pool(f, np.array([-2, -2, 1, 1]), (1, 1))[0, 0] == f[0, 1, 1]


def test_empty_roi_align_keeps_the_channel_axis():
    out = roi_align(np.ones((2, 7, 9)), np.array([2.0, 2.0, 2.0, 2.0]), (3, 4))
    np.testing.assert_array_equal(out, np.zeros((2, 3, 4)))


def test_roi_pool_ignores_small_shifts_roi_align_does_not():
    f = np.random.default_rng(3).normal(size=(1, 10, 10))
    box = np.array([2.0, 2.0, 7.0, 7.0])
    shifted = box + 0.3
    np.testing.assert_array_equal(roi_pool(f, box, (2, 2)), roi_pool(f, shifted, (2, 2)))
    assert not np.allclose(roi_align(f, box, (2, 2)), roi_align(f, shifted, (2, 2)))


def test_roi_pool_by_brute_force():
    rng = np.random.default_rng(4)
    f = rng.normal(size=(1, 9, 11))
    for _ in range(30):
        x1, y1 = rng.integers(0, 8, 2)
        x2, y2 = x1 + rng.integers(0, 6), y1 + rng.integers(0, 6)
        ph, pw = rng.integers(1, 4, 2)
        got = roi_pool(f, np.array([x1, y1, x2, y2]), (int(ph), int(pw)))[0]
        rh, rw = y2 - y1 + 1, x2 - x1 + 1
        for i in range(ph):
            for j in range(pw):
                rows = [
                    r
                    for r in range(f.shape[1])
                    if y1 + i * rh / ph - 1 < r < y1 + (i + 1) * rh / ph
                ]
                cols = [
                    c
                    for c in range(f.shape[2])
                    if x1 + j * rw / pw - 1 < c < x1 + (j + 1) * rw / pw
                ]
                ref = max((f[0, r, c] for r in rows for c in cols), default=0.0)  # empty bin: 0
                assert got[i, j] == ref


@pytest.mark.parametrize(
    ("feature", "box", "size", "match"),
    [
        (np.zeros((4, 4)), np.zeros(4), (2, 2), "feature"),
        (np.zeros((1, 4, 4)), np.zeros(3), (2, 2), "box"),
        (np.zeros((1, 4, 4)), np.array([0, 0, np.nan, 1]), (2, 2), "box"),
        (np.zeros((1, 4, 4)), np.zeros(4), (0, 2), "output_size"),
        (np.zeros((1, 4, 4)), np.zeros(4), (2.0, 2), "output_size"),
    ],
)
def test_bad_input_raises(feature, box, size, match):
    for fn in (roi_align, roi_pool):
        with pytest.raises(ValueError, match=match):
            fn(feature, box, size)
    for ratio in (1.5, True, "2"):
        with pytest.raises(ValueError, match="sampling_ratio"):
            roi_align(np.zeros((1, 4, 4)), np.zeros(4), (2, 2), sampling_ratio=ratio)


@pytest.mark.parametrize("aligned", [True, False])
def test_roi_align_matches_torchvision(aligned):
    reason = "torchvision.ops.roi_align is the reference"
    torch = pytest.importorskip("torch", reason=reason)
    ops = pytest.importorskip("torchvision.ops", reason=reason)
    rng = np.random.default_rng(5)
    f = rng.normal(size=(2, 7, 9))
    for _ in range(30):
        x, y = rng.uniform(-2, 9, 2)
        w, h = rng.uniform(-1, 8, 2)  # empty and inverted boxes too
        box = np.array([x, y, x + w, y + h])
        ph, pw = (int(v) for v in rng.integers(1, 4, 2))
        scale, ratio = float(rng.choice([0.5, 1.0])), int(rng.choice([-1, 0, 1, 2]))
        ref = ops.roi_align(
            torch.from_numpy(f[None]),
            [torch.from_numpy(box[None])],
            (ph, pw),
            spatial_scale=scale,
            sampling_ratio=ratio,
            aligned=aligned,
        )[0].numpy()
        got = roi_align(f, box, (ph, pw), scale, ratio, aligned)
        np.testing.assert_allclose(got, ref, atol=1e-12)
