"""FCOS targets and centre-ness against hand cases and a per-point loop; DFL against its minimum."""

import math

import numpy as np
import pytest
from detection.anchor_free import (
    centerness,
    centerness_whiteboard,
    distribution_focal_loss,
    fcos_targets,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays


def test_centerness_hand_cases():
    assert centerness([2.0, 3.0, 2.0, 3.0]) == 1.0  # the box centre
    # l = 1, r = 3 -> 1/3; t = b -> 1: sqrt(1/3).
    assert centerness([1.0, 2.0, 3.0, 2.0]) == pytest.approx(math.sqrt(1 / 3))
    # l = 1, r = 4 -> 1/4; t = 1, b = 9 -> 1/9: sqrt(1/36) = 1/6.
    assert centerness([1.0, 1.0, 4.0, 9.0]) == pytest.approx(1 / 6)
    assert centerness([0.0, 2.0, 3.0, 2.0]) == 0.0  # on the left edge
    assert centerness(np.ones((2, 3, 4))).shape == (2, 3)
    # Computed in float64 whatever the input: float16 would be off by ~1e-4.
    ltrb16 = np.array([1.0, 2.0, 3.0, 2.0], dtype=np.float16)
    assert centerness(ltrb16).dtype == np.float64
    assert abs(float(centerness(ltrb16)) - math.sqrt(1 / 3)) < 1e-12


def test_centerness_error_messages_in_full():
    with pytest.raises(ValueError, match=r"^ltrb must be finite and >= 0 \(the point must lie"):
        centerness([-1.0, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"^ltrb must have l \+ r > 0 and t \+ b > 0 \(a box"):
        centerness([0.0, 1.0, 0.0, 1.0])


@pytest.mark.parametrize(
    "ltrb",
    [[-1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0], [1.0, np.nan, 1.0, 1.0], [1.0, 1.0, 1.0]],
)
def test_centerness_bad_input(ltrb):
    with pytest.raises(ValueError, match="ltrb"):
        centerness(ltrb)


def fcos_by_hand(points, boxes, low, high):
    """One point at a time: the smallest box that contains it and fits this level."""
    index, targets = [], []
    for x, y in points:
        best = (math.inf, -1, [0.0] * 4)
        for j, (x1, y1, x2, y2) in enumerate(boxes):
            d = [x - x1, y - y1, x2 - x, y2 - y]
            if min(d) > 0 and low <= max(d) <= high and (x2 - x1) * (y2 - y1) < best[0]:
                best = ((x2 - x1) * (y2 - y1), j, d)
        index.append(best[1])
        targets.append(best[2])
    return index, targets


def test_fcos_hand_case():
    points = np.array([[2.0, 2.0], [5.0, 5.0], [8.0, 8.0], [20.0, 20.0], [0.0, 5.0]])
    boxes = np.array([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 6.0, 6.0]])
    index, targets = fcos_targets(points, boxes)
    # Inside both: the smaller box 1. Only in box 0. Outside. On box 0's left edge: outside.
    assert index.tolist() == [1, 1, 0, -1, -1]
    assert targets[0].tolist() == [1.0, 1.0, 4.0, 4.0]
    assert targets[2].tolist() == [8.0, 8.0, 2.0, 2.0]
    assert targets[3].tolist() == [0.0, 0.0, 0.0, 0.0]
    # A level for max(l, t, r, b) in [6, 64]: box 1 (max 4 at point 0) is too small for it.
    index, _ = fcos_targets(points, boxes, size_range=(6.0, 64.0))
    assert index.tolist() == [0, -1, 0, -1, -1]
    assert index.dtype == np.int64  # usable as an index into boxes
    # The range is closed: point 1 has max(l, t, r, b) = 5 in box 0 and 4 in box 1.
    assert fcos_targets(points[1:2], boxes, size_range=(5.0, 6.0))[0].tolist() == [0]
    assert fcos_targets(points[1:2], boxes, size_range=(4.5, 5.0))[0].tolist() == [0]


def test_fcos_smaller_box_wins_by_its_area():
    # Areas 4 x 6 = 24 and 5 x 5 = 25: box 0 is the smaller by one unit.
    boxes = np.array([[6, 2, 10, 8], [4, 0, 9, 5]])  # integer boxes and points are fine
    index, targets = fcos_targets(np.array([[7, 3]]), boxes)
    assert index.tolist() == [0]
    assert targets.tolist() == [[1.0, 1.0, 3.0, 5.0]]
    index, _ = fcos_targets(np.array([[7.0, 3.0]], dtype=np.float32), boxes[::-1])
    assert index.tolist() == [1]


def test_fcos_empty_and_bad_input():
    index, targets = fcos_targets(np.zeros((3, 2)), np.zeros((0, 4)))
    assert index.tolist() == [-1, -1, -1]
    assert targets.shape == (3, 4)
    with pytest.raises(ValueError, match="points"):
        fcos_targets(np.zeros((3, 3)), np.ones((1, 4)))
    with pytest.raises(ValueError, match="boxes"):
        fcos_targets(np.zeros((3, 2)), np.array([[0.0, 0.0, 0.0, 1.0]]))
    with pytest.raises(ValueError, match="size_range"):
        fcos_targets(np.zeros((3, 2)), np.zeros((0, 4)), size_range=(64.0, 32.0))
    with pytest.raises(TypeError, match="size_range"):
        fcos_targets(np.zeros((3, 2)), np.zeros((0, 4)), size_range=8)
    with pytest.raises(ValueError, match=r"^size_range must satisfy 0 <= low < high"):
        fcos_targets(np.zeros((3, 2)), np.zeros((0, 4)), size_range=(8.0, 8.0))


def test_fcos_error_messages_in_full():
    one_box = np.array([[0.0, 0.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match=r"^points must have shape \(N, 2\), got \(3, 3\)$"):
        fcos_targets(np.zeros((3, 3)), one_box)
    with pytest.raises(ValueError, match=r"^boxes must have shape \(N, 4\), got \(1, 3\)$"):
        fcos_targets(np.zeros((3, 2)), np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"^boxes must satisfy x1 < x2 and y1 < y2$"):
        fcos_targets(np.zeros((3, 2)), np.array([[0.0, 0.0, 1.0, 0.0]]))  # zero height
    with pytest.raises(TypeError, match=r"^points must hold real numbers, got dtype <U1$"):
        fcos_targets(np.array([["1", "2"]]), one_box)  # numeric strings are not numbers
    with pytest.raises(TypeError, match=r"^boxes must hold real numbers, got dtype complex128$"):
        fcos_targets(np.zeros((3, 2)), one_box + 0j)
    with pytest.raises(ValueError, match=r"^points must not contain NaN or inf$"):
        fcos_targets(np.full((3, 2), np.inf), one_box)


cases = st.tuples(
    arrays(
        np.float64,
        st.tuples(st.integers(0, 12), st.just(2)),
        elements=st.integers(0, 20).map(float),
    ),
    st.integers(0, 5).flatmap(
        lambda m: st.tuples(
            arrays(np.float64, (m, 2), elements=st.integers(0, 15).map(float)),
            arrays(np.float64, (m, 2), elements=st.integers(1, 10).map(float)),
        )
    ),
    st.sampled_from([(0.0, np.inf), (0.0, 4.0), (4.0, 8.0)]),
)


@settings(max_examples=60, deadline=None)
@given(cases)
def test_fcos_matches_a_loop_over_points(case):
    points, (corner, size), (low, high) = case
    boxes = np.hstack([corner, corner + size])
    index, targets = fcos_targets(points, boxes, size_range=(low, high))
    ref_index, ref_targets = fcos_by_hand(points, boxes, low, high)
    assert index.tolist() == ref_index
    np.testing.assert_array_equal(targets, np.array(ref_targets).reshape(-1, 4))
    inside = index >= 0
    if inside.any():  # every positive point has a centre-ness in (0, 1]
        c = centerness(targets[inside])
        assert ((c > 0) & (c <= 1)).all()


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (5, 4), elements=st.floats(0.01, 100)))
def test_whiteboard_centerness_matches_full_version(ltrb):
    np.testing.assert_allclose(centerness_whiteboard(ltrb), centerness(ltrb), rtol=1e-12)


def test_dfl_is_smallest_at_the_two_bin_distribution_whose_mean_is_the_target():
    target = np.array([2.3])
    best = np.log(np.array([[1e-12, 1e-12, 0.7, 0.3, 1e-12]]))
    loss_best = distribution_focal_loss(best, target)[0]
    # Its value is the entropy of (0.7, 0.3), and the distribution's mean is the target.
    assert loss_best == pytest.approx(-(0.7 * math.log(0.7) + 0.3 * math.log(0.3)), abs=1e-9)
    assert (np.exp(best) / np.exp(best).sum() * np.arange(5)).sum() == pytest.approx(2.3)
    rng = np.random.default_rng(0)
    others = distribution_focal_loss(rng.normal(size=(200, 5)) * 3, np.full(200, 2.3))
    assert (others > loss_best).all()


def test_dfl_hand_case_and_bounds():
    logits = np.zeros((2, 4))  # uniform over 4 bins: every log S is log(1/4)
    loss = distribution_focal_loss(logits, np.array([0.0, 3.0]))
    np.testing.assert_allclose(loss, [math.log(4), math.log(4)])
    with pytest.raises(ValueError, match="target"):
        distribution_focal_loss(logits, np.array([0.0, 3.5]))
    with pytest.raises(ValueError, match="logits"):
        distribution_focal_loss(logits, np.array([0.0]))
    with pytest.raises(ValueError, match=r"^target must lie in \[0, n_bins - 1\] = \[0, 3\]$"):
        distribution_focal_loss(logits, np.array([0.0, -0.5]))
    with pytest.raises(ValueError, match=r"^logits must not contain NaN or inf$"):
        distribution_focal_loss(np.full((2, 4), np.nan), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"^target must not contain NaN or inf$"):
        distribution_focal_loss(logits, np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="target must lie"):
        distribution_focal_loss(np.zeros((1, 1)), np.array([0.0]))  # one bin has no interval


def test_dfl_two_bins_last_bin_and_large_logits():
    # Two bins, the smallest case: target 0.5 on a uniform distribution costs log 2.
    assert distribution_focal_loss(np.zeros((1, 2)), np.array([0.5]))[0] == pytest.approx(
        math.log(2)
    )
    # A target on the last bin puts all its weight there: -log S_{n-1}.
    logits = np.array([[0, 2, 1, 3]])  # integer logits are fine
    log_s = logits - np.log(np.exp(logits).sum())
    assert distribution_focal_loss(logits, np.array([3]))[0] == pytest.approx(-log_s[0, 3])
    # Each row is shifted by its own maximum: no overflow, no underflow to log 0.
    big = np.array([[800.0, 800.0], [0.0, 0.0], [-800.0, -800.0]], dtype=np.float32)
    np.testing.assert_allclose(distribution_focal_loss(big, np.full(3, 0.5)), math.log(2))
