"""P/R/F, ROC, rank AUC and AP against hand-computed numbers, brute force and scikit-learn."""

import itertools
import re
from fractions import Fraction

import numpy as np
import pytest
from detection.metrics import (
    EXAMPLE_IS_TP,
    EXAMPLE_NUM_GT,
    EXAMPLE_SCORES,
    ap_11_point,
    ap_all_point,
    ap_step,
    auc_rank,
    auc_whiteboard,
    average_precision_whiteboard,
    average_ranks,
    plot_pr_interpolation,
    plot_roc,
    pr_points,
    precision_recall_fbeta,
    roc_curve,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn import metrics

labels_and_scores = st.integers(2, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
        st.lists(st.integers(0, 5), min_size=n, max_size=n),  # few values: many ties
    )
)


def auc_by_pairs(y, s) -> float:
    """P(score of a random positive > score of a random negative) + 1/2 P(tie)."""
    pos = [a for a, t in zip(s, y, strict=True) if t == 1]
    neg = [a for a, t in zip(s, y, strict=True) if t == 0]
    wins = sum(1.0 if p > q else 0.5 if p == q else 0.0 for p, q in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_prf_hand_case():
    y_true = [1, 1, 1, 0, 0, 0, 0, 1]
    y_pred = [1, 1, 0, 1, 0, 0, 0, 0]  # TP 2, FP 1, FN 2
    p, r, f1 = precision_recall_fbeta(y_true, y_pred)
    assert (p, r) == pytest.approx((2 / 3, 1 / 2))
    assert f1 == pytest.approx(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2))  # = 4/7
    _, _, f2 = precision_recall_fbeta(y_true, y_pred, beta=2.0)
    assert f2 == pytest.approx(5 * (2 / 3) * (1 / 2) / (4 * (2 / 3) + 1 / 2))


@settings(max_examples=30, deadline=None)
@given(labels_and_scores, st.sampled_from([0.5, 1.0, 2.0]))
def test_prf_matches_sklearn(data, beta):
    y_true, pred = data
    y_pred = [int(v > 2) for v in pred]
    p, r, f = precision_recall_fbeta(y_true, y_pred, beta=beta)
    kw = {"zero_division": 0.0}
    assert p == pytest.approx(metrics.precision_score(y_true, y_pred, **kw))
    assert r == pytest.approx(metrics.recall_score(y_true, y_pred, **kw))
    assert f == pytest.approx(metrics.fbeta_score(y_true, y_pred, beta=beta, **kw))


def test_average_ranks_with_ties():
    np.testing.assert_allclose(average_ranks([10, 20, 20, 5, 20]), [2, 4, 4, 1, 4])


def test_auc_hand_case():
    # Positives 0.8, 0.6; negatives 0.8, 0.1: pairs give 1/2 (tie), 1, 0, 1.
    assert auc_rank([1, 0, 1, 0], [0.8, 0.8, 0.6, 0.1]) == pytest.approx(2.5 / 4)


@settings(max_examples=50, deadline=None)
@given(labels_and_scores)
def test_auc_rank_matches_sklearn_and_pairs_with_ties(data):
    y, s = data
    assume(0 < sum(y) < len(y))
    auc = auc_rank(y, s)
    assert auc == pytest.approx(metrics.roc_auc_score(y, s))
    assert auc == pytest.approx(auc_by_pairs(y, s))
    fpr, tpr, _ = roc_curve(y, s)
    assert np.trapezoid(tpr, fpr) == pytest.approx(auc)  # the two definitions agree


@settings(max_examples=30, deadline=None)
@given(labels_and_scores)
def test_whiteboard_auc_matches_auc_rank(data):
    y, s = np.array(data[0]), np.array(data[1], dtype=float)
    assume(0 < y.sum() < len(y))
    assert auc_whiteboard(y, s) == pytest.approx(auc_rank(y, s), abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(labels_and_scores)
def test_roc_curve_matches_sklearn(data):
    y, s = data
    assume(0 < sum(y) < len(y))
    fpr, tpr, thr = roc_curve(y, s)
    ref_fpr, ref_tpr, ref_thr = metrics.roc_curve(y, s, drop_intermediate=False)
    np.testing.assert_allclose(fpr, ref_fpr)
    np.testing.assert_allclose(tpr, ref_tpr)
    np.testing.assert_allclose(thr[1:], ref_thr[1:])


def test_auc_is_invariant_to_class_ratio_and_monotone_transforms():
    rng = np.random.default_rng(1)
    s = rng.normal(size=50)
    y = (s + rng.normal(size=50) > 0).astype(int)
    auc = auc_rank(y, s)
    assert auc_rank(y, np.exp(3 * s)) == pytest.approx(auc)
    # Repeating every negative 5 times leaves every pairwise comparison's share unchanged.
    neg = y == 0
    y5 = np.r_[y, np.zeros(4 * neg.sum(), dtype=int)]
    s5 = np.r_[s, np.tile(s[neg], 4)]
    assert auc_rank(y5, s5) == pytest.approx(auc)


def test_worked_example_ap_by_hand():
    rec, prec = pr_points(EXAMPLE_SCORES, EXAMPLE_IS_TP, EXAMPLE_NUM_GT)
    np.testing.assert_allclose(rec, [0.25, 0.25, 0.25, 0.5, 0.75])
    np.testing.assert_allclose(prec, [1, 1 / 2, 1 / 3, 1 / 2, 3 / 5])
    # All-point: recall steps of 0.25 at envelope precisions 1, 0.6, 0.6; recall 0.75..1: 0.
    assert ap_all_point(rec, prec) == pytest.approx(0.25 * (1 + 0.6 + 0.6))
    # 11-point: levels 0, 0.1, 0.2 -> 1; 0.3 .. 0.7 -> 0.6; 0.8, 0.9, 1.0 -> 0.
    assert ap_11_point(rec, prec) == pytest.approx((3 * 1 + 5 * 0.6) / 11)
    assert ap_step(rec, prec) == pytest.approx(0.25 * (1 + 0.5 + 0.6))


def test_perfect_and_hopeless_detectors():
    rec, prec = pr_points([0.9, 0.8], [1, 1], 2)
    assert ap_all_point(rec, prec) == ap_11_point(rec, prec) == ap_step(rec, prec) == 1.0
    rec, prec = pr_points([0.9, 0.8], [0, 0], 3)
    assert ap_all_point(rec, prec) == ap_11_point(rec, prec) == 0.0


def test_missed_ground_truth_lowers_ap():
    # The same ranking, but one ground-truth box was never detected: recall stops at 3/4.
    rec, prec = pr_points([0.9, 0.8, 0.7], [1, 1, 1], 4)
    assert ap_all_point(rec, prec) == pytest.approx(0.75)
    assert ap_11_point(rec, prec) == pytest.approx(8 / 11)  # levels 0 .. 0.7 reached


distinct_scores = st.integers(2, 30).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
        st.permutations(list(range(n))),  # distinct: no tie handling differences
    )
)


@settings(max_examples=50, deadline=None)
@given(distinct_scores)
def test_step_ap_matches_sklearn_and_interpolation_only_adds(data):
    y, s = data
    assume(sum(y) > 0)
    rec, prec = pr_points(s, y, sum(y))
    step = ap_step(rec, prec)
    assert step == pytest.approx(metrics.average_precision_score(y, s))
    # The envelope only raises precisions, so the interpolated AP is at least the step sum.
    assert ap_all_point(rec, prec) >= step - 1e-12
    if (np.diff(prec) <= 1e-12).all():
        assert ap_all_point(rec, prec) == pytest.approx(step)


@settings(max_examples=30, deadline=None)
@given(distinct_scores, st.integers(0, 3))
def test_whiteboard_ap_matches_the_full_version(data, missed):
    # Distinct scores: the whiteboard walks tied detections one by one (VOC devkit's order).
    y, s = np.array(data[0]), np.array(data[1], dtype=float)
    num_gt = int(y.sum()) + missed  # missed ground-truth boxes lower the recall
    assume(num_gt > 0)
    full = ap_all_point(*pr_points(s, y, num_gt))
    assert average_precision_whiteboard(s, y, num_gt) == pytest.approx(full, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=1, max_size=20))
def test_monotone_precision_makes_interpolation_vanish(is_tp):
    # Put all true positives first: precision is 1, then falls monotonically.
    assume(sum(is_tp) > 0)
    ranked = sorted(is_tp, reverse=True)
    rec, prec = pr_points(-np.arange(len(ranked)), ranked, sum(ranked))
    assert (np.diff(prec) <= 1e-12).all()
    assert ap_all_point(rec, prec) == pytest.approx(ap_step(rec, prec)) == pytest.approx(1.0)


def test_eleven_point_by_brute_force():
    rng = np.random.default_rng(2)
    for _ in range(20):
        n = int(rng.integers(1, 15))
        is_tp = rng.integers(0, 2, n)
        rec, prec = pr_points(rng.random(n), is_tp, int(is_tp.sum()) + int(rng.integers(1, 3)))
        ref = np.mean([max(prec[rec >= t], default=0.0) for t in np.arange(11) / 10])
        assert ap_11_point(rec, prec) == pytest.approx(ref)


def test_eleven_point_levels_are_exact_tenths():
    # G = 10, three true positives ranked first: recall reaches exactly 3/10, so the levels
    # 0, 0.1, 0.2 and 0.3 all see precision 1. With np.linspace's 0.30000000000000004, 0.3 is lost.
    rec, prec = pr_points(-np.arange(10), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], 10)
    assert rec[2] == 0.3
    assert ap_11_point(rec, prec) == pytest.approx(4 / 11)


@pytest.mark.parametrize("num_gt", [5, 10, 20])
def test_eleven_point_matches_exact_fractions(num_gt):
    # Recalls k/G that hit a level k/10 exactly (G = 5, 10, 20) against a reference in exact
    # rational arithmetic, so no float level can be off by one ulp.
    rng = np.random.default_rng(num_gt)
    for _ in range(10):
        is_tp = np.r_[np.ones(num_gt, dtype=int), np.zeros(num_gt, dtype=int)]
        is_tp = rng.permutation(is_tp)[: int(rng.integers(1, 2 * num_gt + 1))]
        rec, prec = pr_points(-np.arange(len(is_tp)), is_tp, num_gt)
        tps = np.cumsum(is_tp)
        points = [(Fraction(int(t), num_gt), Fraction(int(t), k + 1)) for k, t in enumerate(tps)]
        levels = [Fraction(j, 10) for j in range(11)]
        ref = sum(max((p for r, p in points if r >= lv), default=0) for lv in levels) / 11
        assert ap_11_point(rec, prec) == pytest.approx(float(ref))


def test_tied_scores_enter_together():
    # Two detections with the same score, one TP: every threshold keeps both or neither.
    for is_tp in ([1, 0], [0, 1]):
        rec, prec = pr_points([0.5, 0.5], is_tp, 1)
        np.testing.assert_array_equal(rec, [1.0])
        np.testing.assert_array_equal(prec, [0.5])
        assert ap_step(rec, prec) == ap_all_point(rec, prec) == ap_11_point(rec, prec) == 0.5
    assert metrics.average_precision_score([1, 0], [0.5, 0.5]) == 0.5


@settings(max_examples=40, deadline=None)
@given(labels_and_scores, st.randoms(use_true_random=False))
def test_pr_points_with_ties_match_sklearn_and_ignore_input_order(data, rnd):
    y, s = data
    assume(sum(y) > 0)
    rec, prec = pr_points(s, y, sum(y))
    ref_prec, ref_rec, _ = metrics.precision_recall_curve(y, s)
    np.testing.assert_allclose(rec, ref_rec[:-1][::-1])  # sklearn: low to high, then (0, 1)
    np.testing.assert_allclose(prec, ref_prec[:-1][::-1])
    assert ap_step(rec, prec) == pytest.approx(metrics.average_precision_score(y, s))
    perm = list(range(len(y)))
    rnd.shuffle(perm)
    rec2, prec2 = pr_points(np.asarray(s)[perm], np.asarray(y)[perm], sum(y))
    np.testing.assert_array_equal(rec2, rec)
    np.testing.assert_array_equal(prec2, prec)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: auc_rank([1, 1], [0.1, 0.2]), "both classes"),
        (lambda: auc_rank([1, 2], [0.1, 0.2]), "y_true"),
        (lambda: auc_rank([1, 0], [0.1, np.nan]), "scores"),
        (lambda: roc_curve([1, 0, 1], [0.1, 0.2]), "scores"),
        (lambda: precision_recall_fbeta([1, 0], [1, 0], beta=0), "beta"),
        (lambda: precision_recall_fbeta([1, 0], [0.5, 0]), "y_pred"),
        (lambda: pr_points([0.5, 0.4], [1, 1], 1), "num_gt"),
        (lambda: pr_points([0.5], [2], 1), "is_tp"),
        (lambda: ap_all_point([0.5, 0.2], [1, 1]), "recall"),
        (lambda: ap_11_point([0.5], [1.5]), "precision"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_plots_return_figures():
    import matplotlib.pyplot as plt

    for make in (plot_roc, plot_pr_interpolation):
        fig = make()
        assert len(fig.axes) == 1
        assert fig.axes[0].lines
        plt.close(fig)


def test_prf_single_positive_prediction():
    # One prediction, and it is right: precision 1 (the denominator TP + FP is 1, not 0).
    assert precision_recall_fbeta([1, 0, 1], [1, 0, 0]) == pytest.approx((1.0, 0.5, 2 / 3))
    assert precision_recall_fbeta([0, 0], [1, 0]) == (0.0, 0.0, 0.0)


DETECTIONS = "scores and is_tp must be 1-D of equal length, scores finite"
NUM_GT = "num_gt must be >= number of true positives and > 0, got "


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: precision_recall_fbeta([1, 0], [1, 0, 1]),
            "y_true and y_pred must be 1-D, equal length; got (2,), (3,)",
        ),
        (lambda: precision_recall_fbeta([1, 0], [2, 0]), "y_pred must contain only 0 and 1"),
        (
            lambda: roc_curve([1, 0, 1], [0.1, 0.2]),
            "y_true and scores must be 1-D, equal length; got (3,), (2,)",
        ),
        (lambda: roc_curve([1, 0], ["a", "b"]), "scores must be finite real numbers"),
        (lambda: auc_rank([1, 0], [0.1, np.inf]), "scores must be finite real numbers"),
        (lambda: roc_curve([1, 1], [0.1, 0.2]), "y_true must contain both classes"),
        (lambda: roc_curve([0, 0], [0.1, 0.2]), "y_true must contain both classes"),
        (lambda: auc_rank([1, 1], [0.1, 0.2]), "y_true must contain both classes"),
        (lambda: auc_rank([0, 0], [0.1, 0.2]), "y_true must contain both classes"),
        (lambda: auc_rank([1, 2], [0.1, 0.2]), "y_true must contain only 0 and 1"),
        (lambda: pr_points([0.5], [2], 1), "is_tp must contain only 0/1 (or bool)"),
        (lambda: pr_points([0.5, 0.4], [1], 1), DETECTIONS),
        (lambda: pr_points([[0.5]], [[1]], 1), DETECTIONS),
        (lambda: pr_points([np.nan], [1], 1), DETECTIONS),
        (lambda: pr_points([0.5], [0], 0), NUM_GT + "0"),
        (lambda: pr_points([0.5, 0.4], [1, 1], 1), NUM_GT + "1"),
    ],
)
def test_bad_input_messages(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        call()


@pytest.mark.parametrize(("num_gt", "name"), [(1.0, "float"), (True, "bool")])
def test_num_gt_of_another_type_is_a_type_error(num_gt, name):
    with pytest.raises(TypeError, match=f"^num_gt must be an int, got {name}$"):
        pr_points([0.5], [1], num_gt)


def test_roc_and_pr_of_unsigned_and_bool_scores():
    # Scores are ranked as numbers: no wrap-around when sorting uint8 high to low.
    y = [1, 0, 1, 0, 1]
    s = [200, 3, 7, 0, 255]
    fpr, tpr, thr = roc_curve(y, np.array(s, dtype=np.uint8))
    ref = roc_curve(y, np.array(s, dtype=float))
    for got, want in zip((fpr, tpr, thr), ref, strict=True):
        np.testing.assert_array_equal(got, want)
    assert auc_rank(y, np.array(s, dtype=np.uint8)) == 1.0
    rec, prec = pr_points(np.array(s, dtype=np.uint8), y, 3)
    np.testing.assert_array_equal(rec, pr_points(np.array(s, dtype=float), y, 3)[0])
    np.testing.assert_array_equal(prec, [1.0, 1.0, 1.0, 0.75, 0.6])
    fpr, tpr, _ = roc_curve([1, 0, 1], np.array([True, False, False]))
    np.testing.assert_array_equal(fpr, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(tpr, [0.0, 0.5, 1.0])


@pytest.mark.parametrize("ap", [ap_all_point, ap_11_point, ap_step])
@pytest.mark.parametrize(
    ("recall", "precision", "message"),
    [
        ([0.5], [1.0, 1.0], "recall and precision must be 1-D of equal length"),
        ([[0.5]], [[1.0]], "recall and precision must be 1-D of equal length"),
        ([1.5], [1.0], "recall and precision must lie in [0, 1] (NaN not allowed)"),
        ([-0.1], [1.0], "recall and precision must lie in [0, 1] (NaN not allowed)"),
        ([0.5], [np.nan], "recall and precision must lie in [0, 1] (NaN not allowed)"),
        ([np.nan], [0.5], "recall and precision must lie in [0, 1] (NaN not allowed)"),
        ([0.5], [1.5], "recall and precision must lie in [0, 1] (NaN not allowed)"),
        ([0.5, 0.2], [1.0, 1.0], "recall must be non-decreasing (points sorted by score)"),
    ],
)
def test_bad_pr_curve_messages(ap, recall, precision, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        ap(recall, precision)
