"""k-fold and leave-one-out against scikit-learn; stratified folds by their defining property."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ml.cross_validation import kfold_indices, leave_one_out, stratified_kfold_indices
from sklearn.model_selection import KFold, LeaveOneOut


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 40).flatmap(lambda n: st.tuples(st.just(n), st.integers(2, n))))
def test_kfold_matches_sklearn(args):
    n, k = args
    ours = list(kfold_indices(n, k))
    ref = list(KFold(n_splits=k).split(np.zeros(n)))
    assert len(ours) == len(ref) == k
    for (tr, te), (rtr, rte) in zip(ours, ref, strict=True):
        np.testing.assert_array_equal(te, rte)
        np.testing.assert_array_equal(tr, rtr)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(2, 40).flatmap(lambda n: st.tuples(st.just(n), st.integers(2, n))),
    st.integers(0, 99),
)
def test_shuffled_kfold_partitions_the_samples(args, seed):
    n, k = args
    tests = [te for tr, te in kfold_indices(n, k, shuffle=True, seed=seed)]
    np.testing.assert_array_equal(np.sort(np.concatenate(tests)), np.arange(n))
    assert sorted(len(t) for t in tests) == sorted([n // k + (i < n % k) for i in range(k)])
    for tr, te in kfold_indices(n, k, shuffle=True, seed=seed):
        assert not np.intersect1d(tr, te).size
        assert len(tr) + len(te) == n


def test_leave_one_out_matches_sklearn():
    ours = [(tr.tolist(), te.tolist()) for tr, te in leave_one_out(5)]
    ref = [(tr.tolist(), te.tolist()) for tr, te in LeaveOneOut().split(np.zeros(5))]
    assert ours == ref
    assert [te.tolist() for _, te in leave_one_out(7)] == [[i] for i in range(7)]


def test_default_is_five_folds_like_sklearn():
    assert len(list(kfold_indices(12))) == 5
    assert len(list(stratified_kfold_indices(np.arange(12) % 2))) == 5


def test_seed_makes_the_shuffled_folds_reproducible():
    def tests(folds):
        return [te.tolist() for _, te in folds]

    y = np.arange(30) % 3
    assert tests(kfold_indices(30, 3, True, 7)) == tests(kfold_indices(30, 3, True, 7))
    assert tests(stratified_kfold_indices(y, 3, 7)) == tests(stratified_kfold_indices(y, 3, 7))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=4, max_size=60), st.integers(2, 5), st.integers(0, 99))
def test_stratified_folds_keep_class_proportions(labels, k, seed):
    y = np.array(labels)
    counts = np.bincount(y, minlength=4)
    if counts.max() < k:
        with pytest.raises(ValueError, match="n_splits"):
            list(stratified_kfold_indices(y, k, seed))
        return
    folds = list(stratified_kfold_indices(y, k, seed))
    assert len(folds) == k
    all_test = np.concatenate([te for _, te in folds])
    np.testing.assert_array_equal(np.sort(all_test), np.arange(len(y)))
    for tr, te in folds:
        assert len(tr) + len(te) == len(y)
        in_fold = np.bincount(y[te], minlength=4)
        assert ((in_fold == counts // k) | (in_fold == -(-counts // k))).all()


@pytest.mark.parametrize(
    ("call", "exc"),
    [
        (lambda: list(kfold_indices(5, 1)), ValueError),
        (lambda: list(kfold_indices(3, 4)), ValueError),
        (lambda: list(kfold_indices(5.0, 2)), TypeError),
        (lambda: list(stratified_kfold_indices(np.zeros((2, 2)), 2)), ValueError),
        (lambda: list(stratified_kfold_indices(np.array([0, 1, 1]), 1)), ValueError),
    ],
)
def test_bad_input(call, exc):
    with pytest.raises(exc, match=r"n_s|y must"):
        call()


def test_non_int_split_count_is_a_type_error():
    with pytest.raises(TypeError, match=r"^n_samples and n_splits must be ints$"):
        list(kfold_indices(5, 2.0))
