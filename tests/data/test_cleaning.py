"""Out-of-fold probabilities against scikit-learn's cross_val_predict; loss ranking; duplicates."""

import numpy as np
import pytest
from data.cleaning import (
    duplicate_groups,
    make_noisy_labels,
    nearest_centroid_proba,
    out_of_fold_proba,
    rank_by_loss,
)
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_predict


def logistic_fit_predict(x_train, y_train, x_test):
    return LogisticRegression().fit(x_train, y_train).predict_proba(x_test)


def test_out_of_fold_matches_sklearn_cross_val_predict():
    x, y, _ = make_noisy_labels(n=103, seed=1)
    ours = out_of_fold_proba(x, y, logistic_fit_predict, n_splits=4)
    ref = cross_val_predict(LogisticRegression(), x, y, cv=KFold(4), method="predict_proba")
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


def test_no_sample_is_scored_by_a_model_that_saw_it():
    seen = []

    def spy(x_train, y_train, x_test):
        seen.append((set(x_train[:, 0].tolist()), set(x_test[:, 0].tolist())))
        return np.full((len(x_test), 2), 0.5)

    x = np.arange(10.0)[:, None]
    y = np.array([0, 1] * 5)
    out_of_fold_proba(x, y, spy, n_splits=3)
    assert all(not (train & test) for train, test in seen)
    assert set().union(*(test for _, test in seen)) == set(range(10))


def test_rank_by_loss_hand_case():
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    y = np.array([0, 0, 1])
    order, loss = rank_by_loss(proba, y)
    np.testing.assert_allclose(loss, -np.log([0.9, 0.2, 0.4]))
    assert order.tolist() == [1, 2, 0]
    _, loss = rank_by_loss(np.array([[1.0, 0.0]]), np.array([1]))
    assert np.isfinite(loss).all()  # p = 0 is clipped, not inf


def test_flipped_labels_rank_first():
    x, y, flipped = make_noisy_labels()
    proba = out_of_fold_proba(x, y, nearest_centroid_proba)
    order, _ = rank_by_loss(proba, y)
    top = order[: flipped.sum()]
    assert flipped[top].mean() > 0.8  # random ranking would give about 5 %


def test_nearest_centroid_rows_are_distributions():
    x, y, _ = make_noisy_labels(n=50)
    p = nearest_centroid_proba(x, y, x)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    centroids = np.stack([x[y == c].mean(axis=0) for c in (0, 1)])
    nearest = ((x[:, None] - centroids) ** 2).sum(-1).argmin(1)
    np.testing.assert_array_equal(p.argmax(axis=1), nearest)


def test_duplicates():
    x = np.array([[1, 2], [3, 4], [1, 2], [5, 6], [3, 4], [1, 2]])
    assert [g.tolist() for g in duplicate_groups(x)] == [[0, 2, 5], [1, 4]]
    assert duplicate_groups(np.eye(3)) == []
    with pytest.raises(ValueError, match="x must be 2-D"):
        duplicate_groups(np.zeros(3))


def test_bad_input():
    x, y, _ = make_noisy_labels(n=20)
    with pytest.raises(ValueError, match="n_splits"):
        out_of_fold_proba(x, y, nearest_centroid_proba, n_splits=1)
    with pytest.raises(ValueError, match="y must"):
        out_of_fold_proba(x, y[:-1], nearest_centroid_proba)
    with pytest.raises(ValueError, match="proba"):
        rank_by_loss(np.ones(3), np.zeros(3, dtype=int))


def test_fold_counts_default_and_bounds():
    calls = []

    def spy(x_train, y_train, x_test):
        calls.append(len(x_test))
        return np.full((len(x_test), 2), 0.5)

    x, y = np.arange(10.0)[:, None], np.array([0, 1] * 5)
    out_of_fold_proba(x, y, spy)
    assert calls == [2] * 5  # 5 folds by default
    calls.clear()
    out_of_fold_proba(x, y, spy, n_splits=2)
    out_of_fold_proba(x, y, spy, n_splits=10)  # leave-one-out is the largest allowed
    assert calls == [5, 5] + [1] * 10
    with pytest.raises(ValueError, match=r"n_splits must be in \[2, n_samples = 10\], got 11"):
        out_of_fold_proba(x, y, spy, n_splits=11)


def test_ties_keep_index_order():
    # Equal losses stay in index order (a stable sort), and so do the members of a group.
    proba = np.array([[0.5, 0.5], [0.9, 0.1]] * 20)
    order, _ = rank_by_loss(proba, np.zeros(40, dtype=int))
    assert order.tolist() == list(range(0, 40, 2)) + list(range(1, 40, 2))
    groups = duplicate_groups(np.array([[0], [1]] * 50))
    assert [g.tolist() for g in groups] == [list(range(0, 100, 2)), list(range(1, 100, 2))]


def test_nearest_centroid_by_hand():
    x_train, y_train = np.array([[0.0], [1.0]]), np.array([0, 1])
    p = nearest_centroid_proba(x_train, y_train, np.array([[0.0]]))  # logits 0 and -1
    np.testing.assert_allclose(p, [[1 / (1 + np.exp(-1)), 1 / (1 + np.e)]])
    p = nearest_centroid_proba(x_train, y_train, np.array([[0.0]]), temperature=2.0)
    np.testing.assert_allclose(p, [[1 / (1 + np.exp(-0.5)), 1 / (1 + np.exp(0.5))]])
    # Each row is shifted by its own maximum: a far test point still gets a distribution.
    p = nearest_centroid_proba(x_train, y_train, np.array([[0.0], [100.0]]))
    np.testing.assert_allclose(p[1], [np.exp(-199) / (1 + np.exp(-199)), 1], rtol=1e-9)


def test_make_noisy_labels_defaults():
    x, y, flipped = make_noisy_labels()
    x0, _, _ = make_noisy_labels(seed=0)
    np.testing.assert_array_equal(x, x0)
    assert x.shape == (400, 2)
    assert 0.02 < flipped.mean() < 0.08  # about 5 % flipped
    y_true = np.where(flipped, 1 - y, y)
    np.testing.assert_allclose(x[y_true == 0].mean(axis=0), [0, 0], atol=0.2)
    np.testing.assert_allclose(x[y_true == 1].mean(axis=0), [3, 3], atol=0.2)
