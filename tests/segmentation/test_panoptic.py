"""Panoptic quality against a hand-computed case and a brute force over every segment pair."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from segmentation.panoptic import (
    panoptic_quality,
    panoptic_quality_dataset,
    panoptic_quality_whiteboard,
)


def pq_brute_force(pred, gt, pred_cat, gt_cat, void=0, crowd=()):
    """The definition with boolean masks: every (gt, pred) pair, then FN and FP per segment."""
    void_mask = gt == void
    gt_ids = [g for g in np.unique(gt) if g != void and g not in crowd]
    pred_ids = [p for p in np.unique(pred) if p != void]
    stats = {}  # category -> [iou sum, tp, fp, fn]
    matched_gt, matched_pred = set(), set()
    for g in gt_ids:
        for p in pred_ids:
            if gt_cat[g] != pred_cat[p]:
                continue
            inter = np.sum((gt == g) & (pred == p))
            # Union without the prediction's void pixels.
            union = np.sum(((gt == g) | (pred == p)) & ~(void_mask & (pred == p)))
            if inter / union > 0.5:
                assert g not in matched_gt  # the uniqueness theorem
                assert p not in matched_pred
                s = stats.setdefault(gt_cat[g], [0.0, 0, 0, 0])
                s[0] += inter / union
                s[1] += 1
                matched_gt.add(g)
                matched_pred.add(p)
    for g in gt_ids:
        if g not in matched_gt:
            stats.setdefault(gt_cat[g], [0.0, 0, 0, 0])[3] += 1
    for p in pred_ids:
        if p in matched_pred:
            continue
        same_crowd = np.isin(gt, [c for c in crowd if gt_cat[c] == pred_cat[p]])
        if np.sum((pred == p) & (void_mask | same_crowd)) / np.sum(pred == p) > 0.5:
            continue
        stats.setdefault(pred_cat[p], [0.0, 0, 0, 0])[2] += 1
    pqs = [s[0] / (s[1] + s[2] / 2 + s[3] / 2) for s in stats.values()]
    return (float(np.mean(pqs)) if pqs else 0.0), stats


def test_hand_case():
    # 2 persons and sky in the ground truth (0 = void).
    gt = np.array(
        [
            [1, 1, 1, 2, 2, 2],
            [1, 1, 1, 2, 2, 2],
            [3, 3, 3, 3, 0, 0],
        ]
    )
    pred = np.array(
        [
            [5, 5, 5, 5, 6, 6],  # person 5: all 6 px of person 1 and 1 px of person 2
            [5, 5, 5, 6, 6, 6],  # person 6: the other 5 px of person 2
            [7, 7, 7, 7, 8, 8],  # sky 7 = sky 3; segment 8 (a car) lies on void only
        ]
    )
    gt_cat = {1: "person", 2: "person", 3: "sky"}
    pred_cat = {5: "person", 6: "person", 7: "sky", 8: "car"}
    r = panoptic_quality(pred, gt, pred_cat, gt_cat)
    person = r["per_class"]["person"]
    # IoU(1, 5) = 6 / 7; IoU(2, 6) = 5 / 6: both match, no FP, no FN.
    assert (person["tp"], person["fp"], person["fn"]) == (2, 0, 0)
    assert person["sq"] == pytest.approx((6 / 7 + 5 / 6) / 2)
    assert person["rq"] == 1.0
    assert r["per_class"]["sky"]["pq"] == 1.0
    assert "car" not in r["per_class"]  # all void: ignored, not a false positive
    assert r["n"] == 2
    assert r["pq"] == pytest.approx(((6 / 7 + 5 / 6) / 2 + 1.0) / 2)
    # Overall SQ and RQ are per-class averages too.
    assert r["sq"] == pytest.approx(((6 / 7 + 5 / 6) / 2 + 1.0) / 2)
    assert r["rq"] == 1.0


def test_overall_pq_is_not_overall_sq_times_rq():
    gt = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 3, 3]])
    pred = np.array([[5, 5, 6, 6], [5, 7, 6, 6], [8, 8, 8, 8]])  # 7: a stray person pixel
    r = panoptic_quality(pred, gt, {5: "p", 6: "p", 7: "p", 8: "s"}, {1: "p", 2: "p", 3: "s"})
    # person: SQ (3/4 + 1) / 2, RQ 2 / 2.5; sky: 1 and 1.
    assert r["pq"] == pytest.approx((7 / 8 * 4 / 5 + 1) / 2)
    assert r["sq"] * r["rq"] == pytest.approx((7 / 8 + 1) / 2 * (4 / 5 + 1) / 2)
    assert r["pq"] != pytest.approx(r["sq"] * r["rq"])


def test_void_pixels_leave_the_union():
    gt = np.array([[1, 1, 0, 0]])
    pred = np.array([[4, 4, 4, 4]])  # half of the prediction lies on void
    r = panoptic_quality(pred, gt, {4: "a"}, {1: "a"})
    assert r["per_class"]["a"]["sq"] == 1.0  # IoU 2 / (4 + 2 - 2 - 2) = 1, not 2 / 4


def test_crowd_regions():
    gt = np.array([[1, 1, 1, 9, 9, 9]])
    pred = np.array([[4, 4, 4, 5, 5, 6]])
    gt_cat = {1: "person", 9: "person"}
    r = panoptic_quality(pred, gt, {4: "person", 5: "person", 6: "car"}, gt_cat, gt_crowd=[9])
    person = r["per_class"]["person"]
    # 4 matches 1; 5 lies on a person crowd: ignored; 6 is a car on it: a false positive.
    assert (person["tp"], person["fp"], person["fn"]) == (1, 0, 0)
    assert r["per_class"]["car"]["fp"] == 1
    # Without the crowd flag, 9 is an ordinary person: IoU(9, 5) = 2 / 3 > 0.5, a match.
    r = panoptic_quality(pred, gt, {4: "person", 5: "person", 6: "car"}, gt_cat)
    assert r["per_class"]["person"]["tp"] == 2


def test_empty_prediction_and_bad_input():
    gt = np.array([[1, 1], [2, 2]])
    r = panoptic_quality(np.zeros_like(gt), gt, {}, {1: "a", 2: "b"})
    assert r["pq"] == 0.0
    assert r["per_class"]["a"]["fn"] == 1
    with pytest.raises(ValueError, match="shape"):
        panoptic_quality(np.zeros((2, 3), int), gt, {}, {1: "a", 2: "b"})
    with pytest.raises(TypeError, match="integer"):
        panoptic_quality(gt.astype(float), gt, {1: "a", 2: "b"}, {1: "a", 2: "b"})
    with pytest.raises(ValueError, match="no category"):
        panoptic_quality(gt, gt, {1: "a"}, {1: "a", 2: "b"})
    with pytest.raises(ValueError, match="void_id"):
        panoptic_quality(gt, gt, {0: "a", 1: "a", 2: "b"}, {1: "a", 2: "b"})
    with pytest.raises(TypeError, match="dict"):
        panoptic_quality(gt, gt, [1, 2], {1: "a", 2: "b"})


def test_error_messages_name_the_argument():
    gt, cats = np.array([[1, 1], [2, 2]]), {1: "a", 2: "b"}
    with pytest.raises(TypeError, match=r"^pred must hold integer segment ids, got dtype float64$"):
        panoptic_quality(gt.astype(float), gt, cats, cats)
    with pytest.raises(TypeError, match=r"^gt must hold integer segment ids, got dtype float64$"):
        panoptic_quality(gt, gt.astype(float), cats, cats)
    with pytest.raises(
        ValueError, match=r"^pred must be a 2-D map of segment ids, got shape \(4,\)$"
    ):
        panoptic_quality(gt.ravel(), gt, cats, cats)
    with pytest.raises(
        ValueError, match=r"^gt must be a 2-D map of segment ids, got shape \(4,\)$"
    ):
        panoptic_quality(gt, gt.ravel(), cats, cats)
    with pytest.raises(
        ValueError, match=r"^pred_categories has no category for segment id\(s\) \[2\]$"
    ):
        panoptic_quality(gt, gt, {1: "a"}, cats)
    with pytest.raises(
        ValueError, match=r"^gt_categories has no category for segment id\(s\) \[2\]$"
    ):
        panoptic_quality(gt, gt, cats, {1: "a"})


def test_segment_ids_are_compared_exactly():
    # Ids past 2**53 (float64's integer range) stay distinct: two segments, both found.
    big = np.array([[2**53, 2**53 + 1]], dtype=np.int64)
    cats = {2**53: "a", 2**53 + 1: "a"}
    r = panoptic_quality(big, big, cats, cats)
    assert r["per_class"]["a"]["tp"] == 2


def test_all_crowd_segments_of_a_category_count_together():
    gt = np.array([[8, 8, 9, 9]])  # two person crowd segments side by side
    pred = np.array([[4, 4, 4, 4]])  # a person lying half on each
    r = panoptic_quality(pred, gt, {4: "person"}, {8: "person", 9: "person"}, gt_crowd=[8, 9])
    assert r["n"] == 0  # fully on person crowd: ignored (panopticapi, one crowd per category: FP)
    r = panoptic_quality(pred, gt, {4: "person"}, {8: "person", 9: "person"}, gt_crowd=[9])
    assert r["per_class"]["person"]["fp"] == 1  # half on crowd is not more than half


def test_dataset_pq_adds_up_counts_before_dividing():
    # Image A: the person is found exactly. Image B: the person is missed and a car made up.
    gt_a, pred_a = np.array([[1, 1]]), np.array([[3, 3]])
    gt_b, pred_b = np.array([[1, 1, 1]]), np.array([[0, 5, 5]])  # the car covers the person
    gt_cats = [{1: "person"}, {1: "person"}]
    pred_cats = [{3: "person"}, {5: "car"}]
    r = panoptic_quality_dataset([pred_a, pred_b], [gt_a, gt_b], pred_cats, gt_cats)
    person = r["per_class"]["person"]
    assert (person["tp"], person["fp"], person["fn"]) == (1, 0, 1)
    assert person["pq"] == pytest.approx(1 / 1.5)
    assert r["per_class"]["car"]["fp"] == 1
    assert r["pq"] == pytest.approx((2 / 3 + 0) / 2)
    per_image = [
        panoptic_quality(p, g, pc, gc)["pq"]
        for p, g, pc, gc in zip([pred_a, pred_b], [gt_a, gt_b], pred_cats, gt_cats, strict=True)
    ]
    assert per_image == [1.0, 0.0]  # image B: person PQ 0 and car PQ 0
    assert r["pq"] != pytest.approx(np.mean(per_image))  # 1/3, not 1/2
    # The car: made up in image B, found exactly in image C. Its SQ is that one match's IoU.
    gt_c, pred_c = np.array([[1, 1]]), np.array([[3, 3]])
    r = panoptic_quality_dataset(
        [pred_b, pred_c], [gt_b, gt_c], [{5: "car"}, {3: "car"}], [{1: "person"}, {1: "car"}]
    )
    car = r["per_class"]["car"]
    assert (car["tp"], car["fp"], car["fn"], car["sq"]) == (1, 1, 0, 1.0)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            arrays(np.int64, (3, 3), elements=st.integers(0, 3)),
            arrays(np.int64, (3, 3), elements=st.integers(0, 4)),
            st.lists(st.integers(0, 1), min_size=5, max_size=5),
            st.sets(st.integers(1, 3), max_size=1),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_dataset_pq_equals_pq_of_the_images_side_by_side(images):
    # Segments never cross an image border, so putting the images side by side (with their
    # segment ids shifted apart) pools exactly the same IoU, TP, FP and FN per category.
    preds, gts, pred_cats, gt_cats, crowds = [], [], [], [], []
    wide_pred, wide_gt, wide_pred_cat, wide_gt_cat, wide_crowd = [], [], {}, {}, set()
    for k, (gt, pred, cats, crowd) in enumerate(images):
        pred = np.where(pred == 4, gt, pred)  # copies of gt segments: some matches
        gc = {g: cats[g] for g in range(1, 4)}
        pc = {p: cats[p] for p in range(1, 4)}
        crowd = {c for c in crowd if c in gt}
        preds.append(pred)
        gts.append(gt)
        pred_cats.append(pc)
        gt_cats.append(gc)
        crowds.append(crowd)
        shift = 10 * (k + 1)
        wide_pred.append(np.where(pred > 0, pred + shift, 0))
        wide_gt.append(np.where(gt > 0, gt + shift, 0))
        wide_pred_cat |= {p + shift: c for p, c in pc.items()}
        wide_gt_cat |= {g + shift: c for g, c in gc.items()}
        wide_crowd |= {c + shift for c in crowd}
    r = panoptic_quality_dataset(preds, gts, pred_cats, gt_cats, gt_crowd=crowds)
    wide = panoptic_quality(
        np.hstack(wide_pred), np.hstack(wide_gt), wide_pred_cat, wide_gt_cat, gt_crowd=wide_crowd
    )
    assert r["per_class"].keys() == wide["per_class"].keys()
    for c, got in r["per_class"].items():
        for key in ("tp", "fp", "fn"):
            assert got[key] == wide["per_class"][c][key]
        assert got["pq"] == pytest.approx(wide["per_class"][c]["pq"])
    assert r["pq"] == pytest.approx(wide["pq"])
    if len(images) == 1:
        assert r == panoptic_quality(preds[0], gts[0], pred_cats[0], gt_cats[0], gt_crowd=crowds[0])


def test_dataset_bad_input():
    gt = np.array([[1, 1]])
    with pytest.raises(
        ValueError,
        match=r"^preds, gts, pred_categories, gt_categories and gt_crowd need one entry per image$",
    ):
        panoptic_quality_dataset([gt, gt], [gt], [{1: "a"}] * 2, [{1: "a"}] * 2)
    with pytest.raises(ValueError, match="one entry per image"):
        panoptic_quality_dataset([gt], [gt], [{1: "a"}], [{1: "a"}], gt_crowd=[(), ()])
    with pytest.raises(ValueError, match="shape"):
        panoptic_quality_dataset([gt], [gt.T], [{1: "a"}], [{1: "a"}])
    assert panoptic_quality_dataset([], [], [], [])["n"] == 0


maps = st.tuples(
    arrays(np.int64, (6, 6), elements=st.integers(0, 5)),  # 0: void in gt
    arrays(np.int64, (6, 6), elements=st.integers(0, 6)),
    st.lists(st.integers(0, 2), min_size=7, max_size=7),
    st.lists(st.integers(0, 2), min_size=7, max_size=7),
    st.sets(st.integers(1, 5), max_size=2),
)


@settings(max_examples=60, deadline=None)
@given(maps)
def test_matches_brute_force(case):
    gt, pred, gcats, pcats, crowd = case
    # Blocky maps: large segments make matches (IoU > 0.5) common.
    gt, pred = np.kron(gt[:3, :3], np.ones((2, 2), int)), np.where(pred > 3, gt, pred)
    gt_cat = {g: gcats[g] for g in range(1, 6)}
    pred_cat = {p: pcats[p] for p in range(1, 7)}
    crowd = {c for c in crowd if c in gt}
    r = panoptic_quality(pred, gt, pred_cat, gt_cat, gt_crowd=crowd)
    expected, stats = pq_brute_force(pred, gt, pred_cat, gt_cat, crowd=crowd)
    assert r["pq"] == pytest.approx(expected)
    assert set(r["per_class"]) == set(stats)
    for c, (iou_sum, tp, fp, fn) in stats.items():
        got = r["per_class"][c]
        assert (got["tp"], got["fp"], got["fn"]) == (tp, fp, fn)
        assert got["sq"] == pytest.approx(iou_sum / tp if tp else 0.0)
        assert got["pq"] == pytest.approx(got["sq"] * got["rq"])


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.int64, (5, 5), elements=st.integers(1, 4)),
    arrays(np.int64, (5, 5), elements=st.integers(1, 5)),
    st.lists(st.integers(0, 1), min_size=6, max_size=6),
)
def test_whiteboard_matches_full_version(gt, pred, cats):
    pred = np.where(pred == 5, gt, pred)  # copies of gt segments: some matches
    gt_cat = {g: cats[g] for g in range(1, 5)}
    pred_cat = {p: cats[p] for p in range(1, 5)}
    full = panoptic_quality(pred, gt, pred_cat, gt_cat)["pq"]
    assert panoptic_quality_whiteboard(pred, gt, pred_cat, gt_cat) == pytest.approx(full)
