"""NMS and IoU against hand-computed cases and a brute-force reference."""

import itertools

import numpy as np
import pytest
from detection.nms import box_iou, nms
from hypothesis import given, settings
from hypothesis import strategies as st


def iou_by_hand(a, b) -> float:
    """IoU of two boxes from first principles, one pair at a time."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def nms_by_definition(boxes, scores, threshold) -> list[int]:
    """Greedy NMS written as the textbook loop over every pair."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    keep: list[int] = []
    for i in order:
        if all(iou_by_hand(boxes[i], boxes[k]) <= threshold for k in keep):
            keep.append(i)
    return keep


def test_iou_hand_cases():
    boxes = np.array([[0, 0, 2, 2], [1, 1, 3, 3], [2, 2, 4, 4], [0, 0, 2, 2]])
    iou = box_iou(boxes, boxes)
    assert iou[0, 1] == pytest.approx(1 / 7)  # overlap 1, union 4 + 4 - 1
    assert iou[0, 2] == 0  # touching corners do not overlap
    assert iou[0, 3] == 1
    np.testing.assert_allclose(iou, iou.T)


def test_nms_hand_case():
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 9], [50, 50, 60, 60], [1, 0, 11, 10]])
    scores = np.array([0.5, 0.9, 0.3, 0.8])
    # Box 1 (0.9) suppresses box 0 (IoU 0.9) and box 3 (IoU 81/109 ≈ 0.74); box 2 is apart.
    assert nms(boxes, scores, 0.5).tolist() == [1, 2]
    assert nms(boxes, scores, 0.8).tolist() == [1, 3, 2]


def test_iou_equal_to_threshold_is_kept():
    boxes = np.array([[0, 0, 2, 1], [1, 0, 3, 1]])  # IoU exactly 1/3
    assert nms(boxes, np.array([1.0, 0.5]), 1 / 3).tolist() == [0, 1]


def test_ties_keep_the_earlier_box():
    boxes = np.array([[0, 0, 1, 1]] * 3)
    assert nms(boxes, np.array([0.5, 0.5, 0.5]), 0.5).tolist() == [0]


def test_empty_input_gives_empty_int64():
    kept = nms(np.zeros((0, 4)), np.zeros(0), 0.5)
    assert kept.shape == (0,)
    assert kept.dtype == np.int64


@pytest.mark.parametrize(
    ("boxes", "scores", "threshold"),
    [
        (np.zeros((2, 3)), np.zeros(2), 0.5),  # not (N, 4)
        (np.zeros((2, 4)), np.zeros(3), 0.5),  # scores length
        (np.array([[0, 0, np.nan, 1]]), np.zeros(1), 0.5),  # NaN box
        (np.array([[2, 0, 1, 1]]), np.zeros(1), 0.5),  # negative width
        (np.zeros((1, 4)), np.array([np.nan]), 0.5),  # NaN score
        (np.zeros((1, 4)), np.zeros(1), 1.5),  # threshold outside [0, 1]
        (np.zeros((1, 4)), np.zeros(1), -0.1),
    ],
)
def test_bad_input_raises(boxes, scores, threshold):
    with pytest.raises(ValueError, match=r"boxes|scores|iou_threshold"):
        nms(boxes, scores, threshold)


box_sets = st.integers(0, 30).flatmap(
    lambda n: st.tuples(
        st.lists(
            st.tuples(
                st.integers(0, 50), st.integers(0, 50), st.integers(0, 30), st.integers(0, 30)
            ),
            min_size=n,
            max_size=n,
        ),
        st.lists(st.integers(0, 5), min_size=n, max_size=n),  # few values: many ties
        st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.7, 1.0]),
    )
)


@settings(max_examples=200, deadline=None)
@given(box_sets)
def test_nms_matches_the_definition(case):
    raw, raw_scores, threshold = case
    boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in raw], dtype=float).reshape(-1, 4)
    scores = np.array(raw_scores, dtype=float)
    assert nms(boxes, scores, threshold).tolist() == nms_by_definition(boxes, scores, threshold)
    iou = box_iou(boxes, boxes)
    for i, j in itertools.combinations(range(len(boxes)), 2):
        assert iou[i, j] == pytest.approx(iou_by_hand(boxes[i], boxes[j]))
