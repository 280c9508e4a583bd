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
