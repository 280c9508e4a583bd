"""Box encoding: hand cases, round trip (hypothesis), invariances and bad input."""

import math

import numpy as np
import pytest
from detection.bbox_regression import decode, encode
from hypothesis import given, settings
from hypothesis import strategies as st

coord = st.floats(-100, 100, allow_nan=False)
size = st.floats(1, 50, allow_nan=False)  # size ratios < 1000 / 16: no clipping


def box(x, y, w, h):
    return [x, y, x + w, y + h]


def test_hand_case():
    anchors = np.array([box(0, 0, 10, 20), box(10, 10, 4, 4)])
    gt = np.array([box(2, 4, 20, 20), box(11, 9, 2, 8)])
    t = encode(anchors, gt)
    # Anchor 1: centres (5, 10) -> (12, 14): 7/10, 4/20; widths 10 -> 20, heights equal.
    # Anchor 2: centres (12, 12) -> (12, 13): 0, 1/4; widths 4 -> 2, heights 4 -> 8.
    np.testing.assert_allclose(
        t, [[0.7, 0.2, math.log(2), 0], [0, 0.25, -math.log(2), math.log(2)]]
    )


def test_identical_boxes_give_zero_targets():
    b = np.array([box(3, 4, 5, 6)])
    np.testing.assert_allclose(encode(b, b), 0, atol=1e-12)
    np.testing.assert_allclose(decode(b, np.zeros((1, 4))), b)


@settings(max_examples=100, deadline=None)
@given(coord, coord, size, size, coord, coord, size, size)
def test_round_trip(xa, ya, wa, ha, x, y, w, h):
    anchors = np.array([box(xa, ya, wa, ha)])
    gt = np.array([box(x, y, w, h)])
    for weights in [(1, 1, 1, 1), (10, 10, 5, 5)]:
        t = encode(anchors, gt, weights)
        np.testing.assert_allclose(decode(anchors, t, weights), gt, rtol=1e-9, atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(coord, coord, size, size, coord, coord, size, size, st.floats(0.1, 10), coord, coord)
def test_targets_invariant_to_scaling_and_translation(xa, ya, wa, ha, x, y, w, h, s, dx, dy):
    anchors = np.array([box(xa, ya, wa, ha)])
    gt = np.array([box(x, y, w, h)])
    moved = np.array([s, s, s, s]) * np.array([dx, dy, dx, dy])
    t = encode(anchors, gt)
    np.testing.assert_allclose(encode(anchors * s + moved, gt * s + moved), t, rtol=1e-7, atol=1e-7)


def test_weights_are_inverse_variances():
    anchors = np.array([box(0, 0, 8, 8)])
    gt = np.array([box(1, -2, 12, 6)])
    t = encode(anchors, gt)
    variances = np.array([0.1, 0.1, 0.2, 0.2])
    np.testing.assert_allclose(encode(anchors, gt, tuple(1 / variances)), t / variances)


def test_decode_clips_huge_size_deltas():
    anchors = np.array([box(0, 0, 16, 16)])
    out = decode(anchors, np.array([[0.0, 0.0, 50.0, 50.0]]))
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out[0, 2] - out[0, 0], 1000.0)  # 16 * exp(log(1000 / 16))


@pytest.mark.parametrize(
    ("anchors", "other", "match"),
    [
        (np.zeros((2, 3)), np.zeros((2, 3)), "anchors"),
        (np.array([box(0, 0, 1, 1)]), np.zeros((2, 4)), "gt_boxes"),
        (np.array([[0, 0, 0, 1.0]]), np.array([box(0, 0, 1, 1)]), "anchors"),
        (np.array([box(0, 0, 1, 1)]), np.array([[0, 0, 1, np.nan]]), "gt_boxes"),
        (np.array([box(0, 0, 1, 1)]), np.array([[2, 0, 1, 1.0]]), "gt_boxes"),
    ],
)
def test_bad_input_raises(anchors, other, match):
    with pytest.raises(ValueError, match=match):
        encode(anchors, other)


def test_decode_bad_deltas():
    with pytest.raises(ValueError, match="deltas"):
        decode(np.array([box(0, 0, 1, 1)]), np.zeros((1, 3)))


def test_error_messages_name_the_argument():
    one = np.array([box(0, 0, 1, 1)])
    with pytest.raises(ValueError, match=r"^anchors must have shape \(N, 4\), got \(2, 3\)$"):
        encode(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"^anchors must have x2 > x1 and y2 > y1$"):
        encode(np.array([[0, 0, 0, 1.0]]), one)
    with pytest.raises(ValueError, match=r"^gt_boxes must have shape \(N, 4\), got \(1, 3\)$"):
        encode(one, np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"^gt_boxes must have x2 > x1 and y2 > y1$"):
        encode(one, np.array([[2, 0, 1, 1.0]]))
    with pytest.raises(ValueError, match=r"^anchors must have shape \(N, 4\), got \(1, 3\)$"):
        decode(np.zeros((1, 3)), np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"^anchors must have x2 > x1 and y2 > y1$"):
        decode(np.array([[0, 0, 1, 0.0]]), np.zeros((1, 4)))  # zero height
    with pytest.raises(ValueError, match=r"^deltas must have shape \(N, 4\), got \(1, 3\)$"):
        decode(one, np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"^deltas must have the shape of anchors \(1, 4\), got"):
        decode(one, np.zeros((2, 4)))
