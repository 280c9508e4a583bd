"""Segmentation metrics against hand cases and scikit-learn (confusion_matrix, jaccard_score)."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from segmentation.semantic import confusion_matrix, miou_whiteboard, segmentation_scores
from sklearn import metrics


def test_hand_case():
    truth = np.array([[0, 0, 1], [1, 2, 2], [255, 2, 2]])  # 255: unlabelled, ignored
    guess = np.array([[0, 1, 1], [1, 2, 0], [0, 2, 2]])
    cm = confusion_matrix(truth, guess, 3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 2, 0], [1, 0, 3]])
    s = segmentation_scores(cm)
    assert s["pixel_accuracy"] == pytest.approx(6 / 8)
    assert s["mean_pixel_accuracy"] == pytest.approx((1 / 2 + 1 + 3 / 4) / 3)
    # IoU_c = TP / (TP + FP + FN): class 0: 1 / (1 + 1 + 1), class 1: 2 / (2 + 1), class 2: 3 / 4.
    np.testing.assert_allclose(s["iou"], [1 / 3, 2 / 3, 3 / 4])
    assert s["miou"] == pytest.approx((1 / 3 + 2 / 3 + 3 / 4) / 3)
    assert s["fwiou"] == pytest.approx(2 / 8 * 1 / 3 + 2 / 8 * 2 / 3 + 4 / 8 * 3 / 4)


labelled = st.integers(1, 60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
    )
)


@pytest.mark.filterwarnings("ignore:.*label:UserWarning")  # sklearn on one-class samples
@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true:UserWarning")
@settings(max_examples=30, deadline=None)
@given(labelled)
def test_matches_sklearn(data):
    y_true, y_pred = map(np.array, data)
    cm = confusion_matrix(y_true, y_pred, 4)
    np.testing.assert_array_equal(cm, metrics.confusion_matrix(y_true, y_pred, labels=range(4)))
    s = segmentation_scores(cm)
    assert s["pixel_accuracy"] == pytest.approx(metrics.accuracy_score(y_true, y_pred))
    present = np.union1d(y_true, y_pred)  # classes with a non-empty union
    ref_iou = metrics.jaccard_score(y_true, y_pred, labels=present, average=None, zero_division=0)
    np.testing.assert_allclose(s["iou"][present], ref_iou)
    assert np.isnan(np.delete(s["iou"], present)).all()
    assert s["miou"] == pytest.approx(ref_iou.mean())
    # mPA is the mean recall over the classes that occur in the ground truth.
    assert s["mean_pixel_accuracy"] == pytest.approx(
        metrics.balanced_accuracy_score(y_true, y_pred)
    )


@settings(max_examples=30, deadline=None)
@given(labelled, st.integers(0, 2**32 - 1))
def test_whiteboard_miou_matches_the_full_version(data, seed):
    y_true, y_pred = map(np.array, data)
    y_true[np.random.default_rng(seed).random(y_true.shape) < 0.2] = 255  # ignored pixels
    assume((y_true != 255).any())
    expected = segmentation_scores(confusion_matrix(y_true, y_pred, 4))["miou"]
    assert miou_whiteboard(y_true, y_pred, 4) == pytest.approx(expected, rel=1e-12)


def test_ignore_index_and_2d_maps():
    truth = np.array([[255, 1], [1, 0]])
    guess = np.array([[1, 1], [0, 0]])
    np.testing.assert_array_equal(confusion_matrix(truth, guess, 2), [[1, 0], [1, 1]])
    # Without ignoring, 255 is an invalid class id.
    with pytest.raises(ValueError, match="class ids"):
        confusion_matrix(truth, guess, 2, ignore_index=None)


def test_miou_is_not_pixel_accuracy_on_imbalanced_classes():
    # 98 background pixels right, a 2-pixel object missed: PA 0.98 but the object's IoU is 0.
    truth = np.r_[np.zeros(98, dtype=int), np.ones(2, dtype=int)]
    guess = np.zeros(100, dtype=int)
    s = segmentation_scores(confusion_matrix(truth, guess, 2))
    assert s["pixel_accuracy"] == pytest.approx(0.98)
    assert s["miou"] == pytest.approx(0.98 / 2)


@pytest.mark.parametrize(
    ("args", "exc", "match"),
    [
        ((np.zeros(3, int), np.zeros(4, int), 2), ValueError, "same shape"),
        ((np.zeros(3, int), np.zeros(3, int), 0), ValueError, "num_classes"),
        ((np.zeros(3), np.zeros(3, int), 2), TypeError, "^y_true must hold integer class ids"),
        ((np.zeros(3, int), np.array([0, 1, 5]), 2), ValueError, "class ids"),
        ((np.array([-1, 0, 0]), np.zeros(3, int), 2), ValueError, "class ids"),
    ],
)
def test_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        confusion_matrix(*args)


@pytest.mark.parametrize("cm", [np.zeros((2, 2)), np.ones((2, 3)), -np.eye(2)])
def test_bad_confusion_matrix(cm):
    with pytest.raises(ValueError, match="cm"):
        segmentation_scores(cm)


def test_edge_cases_found_by_mutation_testing():
    np.testing.assert_array_equal(confusion_matrix([0, 0], [0, 0], 1), [[2]])  # one class is fine
    for truth, guess in (([0, 2], [0, 0]), ([0, 0], [0, 2])):  # id K is already out of range
        with pytest.raises(ValueError, match=r"^class ids must be in \[0, 2\)"):
            confusion_matrix(np.array(truth), np.array(guess), 2)
    with pytest.raises(TypeError, match=r"^y_pred must hold integer class ids, got dtype float64$"):
        confusion_matrix(np.zeros(3, int), np.zeros(3), 2)
    with pytest.raises(ValueError, match=r"^cm must be a square, non-negative confusion matrix"):
        segmentation_scores(np.zeros((2, 2)))
    # A class absent from truth and prediction is NaN, quietly: no 0/0 RuntimeWarning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = segmentation_scores(np.array([[3, 1, 0], [0, 2, 0], [0, 0, 0]]))
    assert np.isnan(s["iou"][2])
    assert s["mean_pixel_accuracy"] == pytest.approx((3 / 4 + 1) / 2)
