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
    gh = ratio or max(math.ceil(rh / ph), 1)
    gw = ratio or max(math.ceil(rw / pw), 1)
    out = np.zeros((ph, pw))
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


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-2, 9),
    st.floats(-2, 9),
    st.floats(0.2, 8),
    st.floats(0.2, 8),
    st.integers(1, 3),
    st.integers(1, 3),
    st.sampled_from([0, 1, 2]),
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
    with pytest.raises(ValueError, match="sampling_ratio"):
        roi_align(np.zeros((1, 4, 4)), np.zeros(4), (2, 2), sampling_ratio=-1)
