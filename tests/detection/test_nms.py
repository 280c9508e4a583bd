"""IoU, NMS, per-class NMS, Soft-NMS and pixel NMS against hand cases and brute force."""

import itertools
import math

import numpy as np
import pytest
from detection.nms import (
    batched_nms,
    box_iou,
    box_iou_whiteboard,
    nms,
    nms_pixel,
    nms_whiteboard,
    soft_nms,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays


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


def test_default_argsort_leaves_the_order_of_ties_unspecified():
    # The page's pitfall: scores.argsort()[::-1] (numpy's default, unstable sort) does not
    # reliably put the larger index first among equal scores; a stable sort does keep order.
    scores = np.random.default_rng(0).integers(0, 3, size=200) / 4

    def later_index_first(order):
        ties = scores[order[1:]] == scores[order[:-1]]
        return order[:-1][ties] > order[1:][ties], ties.sum()

    flipped, n_ties = later_index_first(scores.argsort()[::-1])
    assert 0 < flipped.sum() < n_ties  # some tied pairs each way round
    flipped, _ = later_index_first(np.argsort(-scores, kind="stable"))
    assert not flipped.any()


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


@settings(max_examples=100, deadline=None)
@given(box_sets)
def test_nms_matches_the_definition(case):
    raw, raw_scores, threshold = case
    boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in raw], dtype=float).reshape(-1, 4)
    scores = np.array(raw_scores, dtype=float)
    assert nms(boxes, scores, threshold).tolist() == nms_by_definition(boxes, scores, threshold)
    iou = box_iou(boxes, boxes)
    for i, j in itertools.combinations(range(len(boxes)), 2):
        assert iou[i, j] == pytest.approx(iou_by_hand(boxes[i], boxes[j]))


# Boxes of positive area: the whiteboard IoU does not define 0/0 for two empty boxes.
solid_box_sets = st.integers(0, 20).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, (n, 2), elements=st.integers(0, 40).map(float)),
        arrays(np.float64, (n, 2), elements=st.integers(1, 20).map(float)),
        arrays(np.float64, (n,), elements=st.integers(0, 4).map(float)),  # many ties
        st.sampled_from([0.0, 0.3, 0.5, 1.0]),
    )
)


@settings(max_examples=40, deadline=None)
@given(solid_box_sets)
def test_whiteboard_iou_and_nms_match_the_full_versions(case):
    corner, size, scores, threshold = case
    boxes = np.hstack([corner, corner + size])
    np.testing.assert_allclose(box_iou_whiteboard(boxes, boxes), box_iou(boxes, boxes))
    assert (
        nms_whiteboard(boxes, scores, threshold).tolist() == nms(boxes, scores, threshold).tolist()
    )


# ---------------------------------------------------------------- batched_nms


def batched_by_definition(boxes, scores, idxs, threshold) -> list[int]:
    """Per-class NMS by a loop over classes, then all kept boxes by decreasing score."""
    kept: list[int] = []
    for c in sorted(set(idxs.tolist())):
        members = [i for i in range(len(idxs)) if idxs[i] == c]
        local = nms_by_definition(boxes[members], scores[members], threshold)
        kept += [members[j] for j in local]
    return sorted(kept, key=lambda i: (-scores[i], i))


def test_batched_nms_hand_case():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [0, 0, 10, 10], [30, 30, 40, 40]])
    scores = np.array([0.9, 0.8, 0.85, 0.1])
    # Same class: box 0 suppresses boxes 1 and 2. Box 2 alone in class 1 survives.
    assert batched_nms(boxes, scores, np.array([0, 0, 0, 0]), 0.5).tolist() == [0, 3]
    assert batched_nms(boxes, scores, np.array([0, 0, 1, 0]), 0.5).tolist() == [0, 2, 3]
    assert batched_nms(boxes, scores, np.array([3, 7, 5, 3]), 0.5).tolist() == [0, 2, 1, 3]


def test_batched_nms_with_negative_coordinates_and_class_ids():
    # An offset of idxs * (max + 1) alone would make these two classes overlap.
    boxes = np.array([[-100, -100, 10, 10], [-100, -100, 10, 10]])
    assert batched_nms(boxes, np.array([0.9, 0.8]), np.array([0, 1]), 0.0).tolist() == [0, 1]
    assert batched_nms(boxes, np.array([0.9, 0.8]), np.array([-1, 2]), 0.0).tolist() == [0, 1]


def test_batched_nms_empty_and_bad_input():
    kept = batched_nms(np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=int), 0.5)
    assert kept.shape == (0,)
    assert kept.dtype == np.int64
    with pytest.raises(ValueError, match="idxs"):
        batched_nms(np.zeros((2, 4)), np.zeros(2), np.zeros(3, dtype=int), 0.5)
    with pytest.raises(TypeError, match="idxs"):
        batched_nms(np.zeros((2, 4)), np.zeros(2), np.array([0.0, 1.5]), 0.5)
    with pytest.raises(ValueError, match="iou_threshold"):
        batched_nms(np.zeros((2, 4)), np.zeros(2), np.zeros(2, dtype=int), 2.0)


@settings(max_examples=50, deadline=None)
@given(box_sets, st.lists(st.integers(-2, 3), min_size=30, max_size=30))
def test_batched_nms_matches_per_class_loop(case, raw_idxs):
    raw, raw_scores, threshold = case
    boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in raw], dtype=float).reshape(-1, 4)
    scores = np.array(raw_scores, dtype=float)
    idxs = np.array(raw_idxs[: len(boxes)], dtype=np.int64)
    expected = batched_by_definition(boxes, scores, idxs, threshold)
    assert batched_nms(boxes, scores, idxs, threshold).tolist() == expected


# ---------------------------------------------------------------- soft_nms


def soft_nms_by_definition(boxes, scores, method, sigma, nt, score_threshold):
    """Soft-NMS as in the paper's pseudo-code, one pair at a time, in plain Python."""
    s = {i: float(v) for i, v in enumerate(scores) if v >= score_threshold}
    kept, kept_scores = [], []
    while s:
        m = max(s, key=lambda i: (s[i], -i))  # highest score; ties: lowest index
        kept.append(m)
        kept_scores.append(s.pop(m))
        for i in list(s):
            iou = iou_by_hand(boxes[m], boxes[i])
            if method == "linear":
                s[i] *= 1 - iou if iou > nt else 1.0
            else:
                s[i] *= math.exp(-(iou * iou) / sigma)
            if s[i] < score_threshold:
                del s[i]
    return kept, kept_scores


def test_soft_nms_hand_case_linear():
    # IoU(0, 1) = 81/119 > 0.3: box 1 drops from 0.8 to 0.8 * 38/119 ≈ 0.255 < 0.7.
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]])
    kept, new = soft_nms(boxes, np.array([0.9, 0.8, 0.7]), method="linear", iou_threshold=0.3)
    assert kept.tolist() == [0, 2, 1]
    np.testing.assert_allclose(new, [0.9, 0.7, 0.8 * 38 / 119])
    # With the threshold above that IoU nothing decays.
    kept, new = soft_nms(boxes, np.array([0.9, 0.8, 0.7]), method="linear", iou_threshold=0.7)
    assert kept.tolist() == [0, 1, 2]
    np.testing.assert_allclose(new, [0.9, 0.8, 0.7])


def test_soft_nms_hand_case_gaussian():
    boxes = np.array([[0, 0, 2, 1], [1, 0, 3, 1]])  # IoU 1/3
    kept, new = soft_nms(boxes, np.array([0.6, 0.5]), method="gaussian", sigma=0.5)
    assert kept.tolist() == [0, 1]
    np.testing.assert_allclose(new, [0.6, 0.5 * math.exp(-(1 / 9) / 0.5)])


def test_soft_nms_drops_boxes_below_score_threshold():
    boxes = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [5, 5, 6, 6]])
    # The duplicate (IoU 1) decays to 0 with linear Soft-NMS and is dropped.
    kept, new = soft_nms(boxes, np.array([0.9, 0.8, 0.0005]), method="linear")
    assert kept.tolist() == [0]
    np.testing.assert_allclose(new, [0.9])


def test_soft_nms_empty_input():
    kept, new = soft_nms(np.zeros((0, 4)), np.zeros(0))
    assert kept.dtype == np.int64
    assert kept.shape == new.shape == (0,)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "cubic"},
        {"sigma": 0.0},
        {"sigma": np.nan},
        {"iou_threshold": 1.5},
        {"score_threshold": -1.0},
    ],
)
def test_soft_nms_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=r"method|sigma|iou_threshold|score_threshold"):
        soft_nms(np.zeros((1, 4)), np.ones(1), **kwargs)


@pytest.mark.parametrize("kwargs", [{"sigma": "0.5"}, {"score_threshold": None}])
def test_soft_nms_non_numeric_arguments(kwargs):
    with pytest.raises(TypeError, match=r"sigma|score_threshold"):
        soft_nms(np.zeros((1, 4)), np.ones(1), **kwargs)


def test_soft_nms_rejects_negative_scores():
    with pytest.raises(ValueError, match="scores"):
        soft_nms(np.zeros((1, 4)), np.array([-0.5]))


soft_cases = st.integers(0, 25).flatmap(
    lambda n: st.tuples(
        st.lists(
            st.tuples(
                st.integers(0, 40), st.integers(0, 40), st.integers(1, 30), st.integers(1, 30)
            ),
            min_size=n,
            max_size=n,
        ),
        st.lists(st.integers(0, 1000), min_size=n, max_size=n),
        st.sampled_from(["linear", "gaussian"]),
        st.sampled_from([0.0, 0.3, 0.5, 1.0]),
    )
)


def _soft_case(case):
    raw, raw_scores, method, nt = case
    boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in raw], dtype=float).reshape(-1, 4)
    return boxes, np.array(raw_scores, dtype=float) / 1000, method, nt


@settings(max_examples=50, deadline=None)
@given(soft_cases)
def test_soft_nms_matches_the_pseudo_code(case):
    boxes, scores, method, nt = _soft_case(case)
    kept, new = soft_nms(boxes, scores, method=method, sigma=0.5, iou_threshold=nt)
    ref_kept, ref_new = soft_nms_by_definition(boxes, scores, method, 0.5, nt, 0.001)
    assert kept.tolist() == ref_kept
    np.testing.assert_allclose(new, ref_new, rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(soft_cases)
def test_soft_nms_properties(case):
    boxes, scores, method, nt = _soft_case(case)
    kept, new = soft_nms(boxes, scores, method=method, iou_threshold=nt)
    assert len(set(kept.tolist())) == len(kept)
    assert (new <= scores[kept]).all()  # scores never increase
    assert (new >= 0.001).all()
    assert (np.diff(new) <= 0).all()  # returned best first
    # Every box is either kept or decayed below the score threshold: never silently lost.
    dropped = np.setdiff1d(np.arange(len(boxes)), kept)
    assert ((scores[dropped] < 0.001) | (box_iou(boxes[dropped], boxes[kept]) > 0).any(1)).all()


@settings(max_examples=50, deadline=None)
@given(box_sets)
def test_soft_nms_limits(case):
    raw, raw_scores, _ = case
    boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in raw], dtype=float).reshape(-1, 4)
    scores = (np.array(raw_scores, dtype=float) + 1) / 10  # 0.1 ... 0.6, many ties
    # Linear with threshold 1: no IoU exceeds it, so nothing decays; plain sort by score.
    kept, new = soft_nms(boxes, scores, method="linear", iou_threshold=1.0)
    assert kept.tolist() == sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    np.testing.assert_array_equal(new, scores[kept])
    # Linear with threshold 0: each overlapping box is multiplied by 1 - IoU.
    kept, new = soft_nms(boxes, scores, method="linear", iou_threshold=0.0)
    iou = box_iou(boxes, boxes)
    for rank, i in enumerate(kept):
        factor = np.prod([1 - iou[k, i] for k in kept[:rank] if iou[k, i] > 0])
        assert new[rank] == pytest.approx(scores[i] * factor, rel=1e-12)
    # Gaussian with a tiny sigma kills any overlap: the same boxes as hard NMS at 0.
    kept, _ = soft_nms(boxes, scores, method="gaussian", sigma=1e-12)
    assert kept.tolist() == nms(boxes, scores, 0.0).tolist()


# ---------------------------------------------------------------- nms_pixel


def test_nms_pixel_hand_case():
    # Pixels 0..9 and 1..10: 10 x 10 = 100 pixels each, overlap 9 x 9 = 81, IoU 81/119.
    dets = np.array([[0, 0, 9, 9, 0.9], [1, 1, 10, 10, 0.8], [0, 0, 0, 0, 0.7]])
    assert nms_pixel(dets, 0.6).tolist() == [0, 2]  # box 2 is one pixel: IoU 1/100
    assert nms_pixel(dets, 0.7).tolist() == [0, 1, 2]
    assert nms_pixel(dets, 0.0).tolist() == [0]
    # Read as continuous corners they are 9 x 9 with overlap 8 x 8: IoU 64/98, not 81/119.
    assert box_iou(dets[:1, :4], dets[1:2, :4])[0, 0] == pytest.approx(64 / 98)


def test_nms_pixel_bad_input():
    with pytest.raises(ValueError, match="dets"):
        nms_pixel(np.zeros((2, 4)), 0.5)
    with pytest.raises(ValueError, match="dets"):
        nms_pixel(np.array([[3, 0, 2, 1, 0.5]]), 0.5)
    with pytest.raises(ValueError, match="dets"):
        nms_pixel(np.array([[0, 0, 2, 1, np.nan]]), 0.5)
    with pytest.raises(ValueError, match="thresh"):
        nms_pixel(np.zeros((1, 5)), -0.5)
    assert nms_pixel(np.zeros((0, 5)), 0.5).dtype == np.int64


@settings(max_examples=50, deadline=None)
@given(box_sets)
def test_nms_pixel_equals_nms_on_shifted_corners(case):
    raw, raw_scores, threshold = case
    dets = np.array(
        [[x, y, x + w, y + h, s] for (x, y, w, h), s in zip(raw, raw_scores, strict=True)]
    )
    dets = dets.reshape(-1, 5).astype(float)
    boxes = dets[:, :4] + [0, 0, 1, 1]  # pixel x2 is inclusive: the continuous edge is x2 + 1
    assert nms_pixel(dets, threshold).tolist() == nms(boxes, dets[:, 4], threshold).tolist()


# ---------------------------------------------------------------- found by mutation testing


def test_nms_far_from_the_origin():
    # Hand cases near (0, 0) cannot tell x2 - x1 from x2 + x1; the answer must not move.
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], dtype=float)
    scores = np.array([0.9, 0.8, 0.7])
    for shift in ([0, 0], [100, 0], [0, 200], [-50, 300]):
        moved = boxes + np.tile(shift, 2)
        assert nms(moved, scores, 0.6).tolist() == [0, 2]  # IoU 81/119 ≈ 0.68
        assert nms(moved, scores, 0.7).tolist() == [0, 1, 2]


def test_nms_keeps_index_order_among_many_ties():
    # numpy's default sort is stable only for short arrays: 200 tied boxes tell the two apart.
    scores = np.random.default_rng(0).integers(0, 3, size=200) / 4
    boxes = np.array([[3 * i, 0, 3 * i + 1, 1] for i in range(200)], dtype=float)  # disjoint
    expected = sorted(range(200), key=lambda i: (-scores[i], i))
    assert nms(boxes, scores, 0.5).tolist() == expected
    dets = np.column_stack([boxes, scores])
    assert nms_pixel(dets, 0.5).tolist() == expected


def test_unsigned_integer_scores_are_ranked_correctly():
    # -scores on a uint8 array wraps around (-0 = 0, -2 = 254): scores must become floats first.
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11]])
    scores = np.array([0, 2], dtype=np.uint8)
    assert nms(boxes, scores, 0.5).tolist() == [1]
    dets = np.array([[0, 0, 9, 9, 0], [1, 1, 10, 10, 2]], dtype=np.uint8)
    assert nms_pixel(dets, 0.5).tolist() == [1]


def test_zero_area_boxes_have_iou_zero():
    boxes = np.array([[5, 5, 5, 5], [5, 5, 5, 5], [0, 0, 0, 4]], dtype=float)  # no area at all
    assert nms(boxes, np.array([0.9, 0.8, 0.7]), 0.0).tolist() == [0, 1, 2]
    for n in range(2, 20):
        # Union 0 must give IoU 0, not whatever an uninitialised output buffer holds: leave
        # non-zero bytes in numpy's cache of small buffers first, so that such a bug shows.
        junk = np.full(n * n, 0.75)
        del junk
        points = np.full((n, 4), 5.0)
        assert not box_iou(points, points).any()


def test_nms_pixel_side_by_side_and_at_the_threshold():
    # Disjoint in x (or y) but level in the other axis: the overlap is 0 pixels, not 1 x 10.
    dets = np.array([[0, 0, 9, 9, 0.9], [20, 0, 29, 9, 0.8], [0, 20, 9, 29, 0.7]])
    assert nms_pixel(dets, 0.0).tolist() == [0, 1, 2]
    # Pixels {0, 1} and {1, 2}: one shared pixel of three, IoU exactly 1/3 is kept.
    dets = np.array([[0, 0, 1, 0, 0.9], [1, 0, 2, 0, 0.8]])
    assert nms_pixel(dets, 1 / 3).tolist() == [0, 1]
    assert nms_pixel(dets, 0.3).tolist() == [0]


def test_soft_nms_integer_scores_and_float_result():
    boxes = np.array([[0, 0, 2, 1], [1, 0, 3, 1]])  # IoU 1/3
    kept, new = soft_nms(boxes, np.array([6, 5]), method="linear", iou_threshold=0.3)
    assert kept.tolist() == [0, 1]
    np.testing.assert_allclose(new, [6, 5 * 2 / 3])
    assert soft_nms(np.zeros((0, 4)), np.zeros(0))[1].dtype == np.float64


def test_soft_nms_default_sigma_is_one_half():
    boxes = np.array([[0, 0, 2, 1], [1, 0, 3, 1]])  # IoU 1/3
    _, new = soft_nms(boxes, np.array([0.6, 0.5]))
    np.testing.assert_allclose(new, [0.6, 0.5 * math.exp(-(1 / 9) / 0.5)])


def test_soft_nms_score_threshold_zero_keeps_every_box():
    boxes = np.array([[0, 0, 1, 1], [0, 0, 1, 1]])
    kept, new = soft_nms(boxes, np.array([0.9, 0.8]), method="linear", score_threshold=0.0)
    assert kept.tolist() == [0, 1]
    np.testing.assert_allclose(new, [0.9, 0.0])  # decayed to 0 and still >= the threshold


def test_batched_nms_checks_the_dtype_of_any_nonempty_idxs():
    kept = batched_nms(np.zeros((0, 4)), np.zeros(0), np.zeros(0), 0.5)  # float but empty: fine
    assert kept.tolist() == []
    with pytest.raises(TypeError, match=r"^idxs must hold integer class ids, got dtype float64$"):
        batched_nms(np.zeros((1, 4)), np.ones(1), np.array([0.5]), 0.5)


B = np.array([[0.0, 0, 1, 1]])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: box_iou(np.zeros((1, 3)), B), ValueError, r"boxes1 must have shape \(N, 4\)"),
        (lambda: box_iou(B, np.zeros((1, 3))), ValueError, r"boxes2 must have shape \(N, 4\)"),
        (lambda: box_iou(B, [[0, 0, np.inf, 1]]), ValueError, "boxes2 must not contain NaN or inf"),
        (lambda: box_iou([[1, 0, 0, 1]], B), ValueError, "boxes1 must satisfy x2 >= x1"),
        (lambda: nms(np.zeros(4), [1], 0.5), ValueError, r"boxes must have shape \(N, 4\)"),
        (lambda: nms(B, [np.nan], 0.5), ValueError, "scores must not contain NaN or inf$"),
        (lambda: nms(B, [1, 2], 0.5), ValueError, r"scores must have shape \(1,\), got \(2,\)$"),
        (lambda: batched_nms(np.zeros(4), [1], [0], 0.5), ValueError, "boxes must have shape"),
        (lambda: soft_nms(np.zeros(4), [1]), ValueError, r"boxes must have shape \(N, 4\)"),
        (lambda: soft_nms(B, [1, 2]), ValueError, r"scores must have shape \(1,\), got \(2,\)$"),
        (lambda: soft_nms(B, [-1]), ValueError, r"scores must be >= 0 \(decay"),
        (lambda: soft_nms(B, [1], sigma="a"), TypeError, "sigma must be a real number, got str$"),
        (
            lambda: soft_nms(B, [1], score_threshold=None),
            TypeError,
            "score_threshold must be a real number, got NoneType$",
        ),
        (
            lambda: soft_nms(B, [1], iou_threshold=2),
            ValueError,
            r"iou_threshold must be in \[0, 1\]",
        ),
        (
            lambda: nms_pixel(np.zeros((1, 5)), "0.5"),
            TypeError,
            "thresh must be a real number, got str$",
        ),
        (
            lambda: nms_pixel([[0, 0, 1, 1, np.nan]], 0.5),
            ValueError,
            "dets must not contain NaN or inf$",
        ),
        (
            lambda: nms_pixel([[1, 0, 0, 1, 1]], 0.5),
            ValueError,
            "dets must satisfy x2 >= x1 and y2 >= y1$",
        ),
        (
            lambda: nms_pixel(np.zeros((1, 5)), 1.5),
            ValueError,
            r"thresh must be in \[0, 1\], got 1.5$",
        ),
    ],
)
def test_error_messages_name_the_argument(call, error, message):
    with pytest.raises(error, match="^" + message):
        call()


def test_decay_figure_draws_the_decay_that_soft_nms_applies():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from detection.nms import plot_decay_functions

    fig = plot_decay_functions()
    try:
        hard, linear, gaussian = fig.axes[0].get_lines()
        x = hard.get_xdata()
        assert x[0] == 0
        assert x[-1] == 1
        for t in (0.1, 0.2, 0.5, 0.8):  # second box shifted by t: IoU (1 - t) / (1 + t)
            boxes = np.array([[0, 0, 1, 1], [t, 0, 1 + t, 1]])
            iou = (1 - t) / (1 + t)
            expected = {
                hard: 1.0 if nms(boxes, np.array([1.0, 0.5]), 0.3).tolist() == [0, 1] else 0.0,
                linear: soft_nms(boxes, np.array([1.0, 0.5]), method="linear")[1][1] / 0.5,
                gaussian: soft_nms(boxes, np.array([1.0, 0.5]))[1][1] / 0.5,
            }
            for line, value in expected.items():
                assert np.interp(iou, x, line.get_ydata()) == pytest.approx(value, abs=1e-4)
    finally:
        plt.close(fig)
