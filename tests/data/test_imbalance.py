"""Sampling, class weights (vs scikit-learn), SMOTE (vs brute-force geometry), EasyEnsemble."""

import numpy as np
import pytest
from data.imbalance import (
    balanced_class_weight,
    easy_ensemble_subsets,
    make_imbalanced,
    plot_smote,
    random_oversample,
    random_undersample,
    smote,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.class_weight import compute_class_weight


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=40))
def test_class_weight_matches_sklearn(labels):
    y = np.array(labels)
    classes, weights = balanced_class_weight(y)
    np.testing.assert_array_equal(classes, np.unique(y))
    ref = compute_class_weight("balanced", classes=classes, y=y)
    np.testing.assert_allclose(weights, ref)
    # balanced weights make every class contribute the same total weight
    totals = np.array([weights[i] * np.sum(y == c) for i, c in enumerate(classes)])
    np.testing.assert_allclose(totals, len(y) / len(classes))


def test_class_weight_hand_case():
    _, w = balanced_class_weight(np.array(["a"] * 90 + ["b"] * 10))
    np.testing.assert_allclose(w, [100 / 180, 100 / 20])


def test_oversample_counts_and_keeps_originals():
    y = np.array([0] * 7 + [1] * 2 + [2] * 4)
    idx = random_oversample(y, seed=0)
    assert np.bincount(y[idx]).tolist() == [7, 7, 7]
    np.testing.assert_array_equal(idx[: len(y)], np.arange(len(y)))
    assert np.array_equal(idx, random_oversample(y, seed=0))


def test_weighted_random_sampler_matches_oversampling_only_in_expectation():
    # The page: inverse-frequency weights balance the classes on average, but the draws are
    # with replacement, so class counts vary per epoch and some majority samples are missed.
    torch = pytest.importorskip("torch", reason="WeightedRandomSampler is PyTorch's")
    y = np.array([0] * 90 + [1] * 10)
    weights = 1.0 / np.bincount(y)[y]
    counts, missed = [], []
    for seed in range(20):
        sampler = torch.utils.data.WeightedRandomSampler(
            weights, num_samples=180, generator=torch.Generator().manual_seed(seed)
        )
        idx = np.array(list(sampler))
        counts.append(np.bincount(y[idx], minlength=2))
        missed.append(90 - len(np.unique(idx[y[idx] == 0])))
    counts = np.array(counts)
    assert counts[:, 1].mean() == pytest.approx(90, rel=0.05)  # balanced on average
    assert len(set(counts[:, 1])) > 1  # but not in every epoch
    assert min(missed) > 0  # every epoch leaves some majority samples out
    over = random_oversample(y, seed=0)
    assert np.bincount(y[over]).tolist() == [90, 90]
    assert len(np.unique(over[y[over] == 0])) == 90


def test_undersample_counts_no_repeats():
    y = np.array([0] * 7 + [1] * 2 + [2] * 4)
    idx = random_undersample(y, seed=1)
    assert np.bincount(y[idx]).tolist() == [2, 2, 2]
    assert len(np.unique(idx)) == len(idx)


def on_some_segment(point, x, k):
    """Brute force: is point = x_i + u (x_j - x_i), u in [0, 1], for x_j among i's k nearest?"""
    nn = NearestNeighbors(n_neighbors=k + 1).fit(x)
    _, ind = nn.kneighbors(x)
    for i in range(len(x)):
        for j in ind[i, 1:]:
            d = x[j] - x[i]
            u = (point - x[i]) @ d / (d @ d)
            if -1e-12 <= u <= 1 + 1e-12 and np.allclose(x[i] + u * d, point, atol=1e-9):
                return True
    return False


def test_smote_points_lie_on_neighbour_segments():
    x, y = make_imbalanced()
    minority = x[y == 1]
    new = smote(minority, n_new=40, k=3, seed=0)
    assert new.shape == (40, 2)
    assert all(on_some_segment(p, minority, k=3) for p in new)


def test_smote_k1_uses_only_the_nearest_neighbour():
    x = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    new = smote(x, n_new=200, k=1, seed=0)
    # nearest neighbours: 0 <-> 1, 2 -> 1; never the segment 0 -> 2 beyond x = 1
    assert np.all(new[:, 1] == 0.0)
    between_0_1 = (new[:, 0] >= 0) & (new[:, 0] <= 1)
    between_1_10 = (new[:, 0] >= 1) & (new[:, 0] <= 10)
    assert np.all(between_0_1 | between_1_10)


def test_smote_reproducible_and_empty():
    x = np.random.default_rng(0).normal(size=(10, 3))
    np.testing.assert_array_equal(smote(x, 5, k=2, seed=4), smote(x, 5, k=2, seed=4))
    assert smote(x, 0, k=2, seed=0).shape == (0, 3)


@pytest.mark.parametrize("k", [0, 10, 2.5, True])
def test_smote_bad_k(k):
    with pytest.raises(ValueError, match="k must"):
        smote(np.zeros((10, 2)), 5, k=k)


def test_smote_bad_input():
    with pytest.raises(ValueError, match="x_minority"):
        smote(np.zeros(5), 2, k=1)
    with pytest.raises(ValueError, match="n_new"):
        smote(np.zeros((5, 2)), -1, k=1)


def test_easy_ensemble_subsets():
    y = np.array([0] * 50 + [1] * 5)
    subsets = easy_ensemble_subsets(y, minority=1, n_subsets=4, seed=0)
    assert len(subsets) == 4
    for s in subsets:
        assert np.bincount(y[s]).tolist() == [5, 5]
        assert set(np.flatnonzero(y == 1)) <= set(s)
    assert len({tuple(s) for s in subsets}) > 1  # different majority draws
    with pytest.raises(ValueError, match="minority"):
        easy_ensemble_subsets(y, minority=7, n_subsets=2)


def test_bad_labels():
    with pytest.raises(ValueError, match="y must"):
        balanced_class_weight(np.array([]))
    with pytest.raises(ValueError, match="y must"):
        random_oversample(np.zeros((2, 2)))


def test_plot_builds():
    assert len(plot_smote().axes) == 1


def test_smote_draws_by_hand_and_k_bounds():
    pts = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0], [4.0, 6.0], [9.0, 0.0], [8.0, 10.0]])
    new = smote(pts, n_new=50, seed=4)  # k = 5 by default: every other point
    rng = np.random.default_rng(4)
    base = rng.integers(6, size=50)
    dist = ((pts[:, None] - pts[None]) ** 2).sum(-1) + np.diag(np.full(6, np.inf))
    partner = np.argsort(dist, axis=1)[base, rng.integers(5, size=50)]
    u = rng.random((50, 1))
    np.testing.assert_allclose(new, pts[base] + u * (pts[partner] - pts[base]))
    assert smote(pts[:3], n_new=2, k=2, seed=0).shape == (2, 2)  # k = n_minority - 1
    with pytest.raises(ValueError, match=r"k must be an int in \[1, n_minority - 1 = 2\], got 3"):
        smote(pts[:3], n_new=2, k=3)


def test_seeds_are_used():
    y = np.repeat([0, 1], [30, 10])
    assert random_undersample(y, seed=3).tolist() == random_undersample(y, seed=3).tolist()
    a = easy_ensemble_subsets(y, minority=1, n_subsets=2, seed=5)
    b = easy_ensemble_subsets(y, minority=1, n_subsets=2, seed=5)
    assert [s.tolist() for s in a] == [s.tolist() for s in b]


def test_easy_ensemble_bounds_and_no_repeats():
    y = np.repeat([0, 1], [12, 10])
    for subset in easy_ensemble_subsets(y, minority=1, n_subsets=20, seed=0):
        assert len(np.unique(subset)) == 20  # majority drawn without replacement
    assert len(easy_ensemble_subsets(np.array([0, 1]), minority=1, n_subsets=1)) == 1
    with pytest.raises(ValueError, match=r"^minority must be a label of y, and the smaller class$"):
        easy_ensemble_subsets(y, minority=2, n_subsets=1)
    with pytest.raises(ValueError, match=r"n_subsets must be >= 1, got 0"):
        easy_ensemble_subsets(y, minority=1, n_subsets=0)


def test_make_imbalanced_defaults():
    x, y = make_imbalanced()
    np.testing.assert_array_equal(x, make_imbalanced(seed=0)[0])
    assert x.shape == (220, 2)
    assert np.bincount(y).tolist() == [200, 20]
    np.testing.assert_allclose(x[y == 0].mean(axis=0), [0.0, 0.0], atol=0.2)
    np.testing.assert_allclose(x[y == 0].std(axis=0), [1.0, 1.0], atol=0.15)
    np.testing.assert_allclose(x[y == 1].mean(axis=0), [2.5, 2.0], atol=0.3)
    np.testing.assert_allclose(x[y == 1].std(axis=0), [0.6, 0.6], atol=0.2)
