"""K-means against scikit-learn's KMeans(lloyd), hand-computed cases and brute force."""

import warnings

import ml.kmeans as kmeans_module
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ml.kmeans import ConvergenceWarning as OurConvergenceWarning
from ml.kmeans import (
    kmeans,
    kmeans_plusplus,
    kmeans_whiteboard,
    make_demo_blobs,
    nearest_center,
    silhouette_score,
    squared_distances,
)
from sklearn.cluster import KMeans
from sklearn.cluster import kmeans_plusplus as sk_kmeans_plusplus
from sklearn.datasets import make_blobs, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score as sk_silhouette_score


def brute_force_d2(X, centers):
    """Squared distances as (x - c)², one pair at a time."""
    return np.array([[float(np.sum((x - c) ** 2)) for c in centers] for x in X])


def sklearn_lloyd(X, init, tol=1e-4):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(len(init), init=init, n_init=1, algorithm="lloyd", tol=tol).fit(X)


def datasets():
    rng = np.random.default_rng(0)
    blobs, _ = make_blobs(n_samples=600, centers=6, cluster_std=1.5, random_state=1)
    stretched = blobs @ np.array([[0.6, -0.6], [-0.4, 0.9]])
    moons, _ = make_moons(n_samples=400, noise=0.1, random_state=2)
    far_from_origin = rng.normal(size=(300, 3)) + 1e4  # large mean, small spread
    return {
        "blobs": (blobs, 6),
        "stretched": (stretched, 4),
        "moons": (moons, 5),
        "uniform-5d": (rng.uniform(size=(500, 5)), 7),
        "far-from-origin": (far_from_origin, 3),
        "one-cluster": (blobs, 1),
    }


DATASETS = datasets()


def test_hand_case_on_a_line():
    X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    centers, labels, inertia, n_iter = kmeans(X, 2, init=np.array([[0.0], [1.0]]))
    # Step 1: {0} and {1, 2, 10, 11, 12} -> centres 0 and 7.2; step 2: the two groups
    # -> centres 1 and 11; step 3: same partition again -> stop.
    np.testing.assert_allclose(centers, [[1.0], [11.0]])
    assert labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert inertia == pytest.approx(4.0)
    assert n_iter == 3


@pytest.mark.parametrize("tol", [0.0, 1e-4])
def test_starting_at_the_solution_stops_after_one_iteration(tol):
    # The centres do not move in the first update: shift 0 <= tol, even for tol = 0 (as sklearn).
    X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    init = np.array([[1.0], [11.0]])
    *_, n_iter = kmeans(X, 2, init=init, tol=tol)
    assert n_iter == sklearn_lloyd(X, init, tol=tol).n_iter_ == 1


def test_first_assignment_to_a_single_cluster_matches_sklearn():
    # Every point is nearest to the second centre first; the first one is re-seeded with 12.
    X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    init = np.array([[100.0], [0.0]])
    centers, labels, inertia, n_iter = kmeans(X, 2, init=init)
    np.testing.assert_allclose(centers, [[11.0], [1.0]])
    assert labels.tolist() == [1, 1, 1, 0, 0, 0]
    assert inertia == pytest.approx(4.0)
    assert n_iter == sklearn_lloyd(X, init).n_iter_ == 3


def test_as_many_clusters_as_points():
    centers, labels, inertia, _ = kmeans(X_OK, len(X_OK), random_state=0)
    assert sorted(labels.tolist()) == list(range(len(X_OK)))
    np.testing.assert_allclose(centers[labels], X_OK)
    assert inertia == 0


def test_max_iter_defaults_to_sklearns_300():
    # Lloyd creeps on Laplace-shaped data: 332 iterations from this start without a cap.
    q = (np.arange(60_000) + 0.5) / 60_000
    X = (np.sign(q - 0.5) * np.log1p(-2 * np.abs(q - 0.5)))[:, None]
    init = np.array([[-3.0], [0.5]])
    centers, _, _, n_iter = kmeans(X, 2, init=init, tol=0.0)
    assert n_iter == KMeans().max_iter == 300
    moved = kmeans(X, 2, init=centers, tol=0.0, max_iter=1)[0]  # it stopped at the cap
    assert not np.array_equal(moved, centers)
    mu, _ = kmeans_whiteboard(X, init.copy())  # also 300 updates by default
    np.testing.assert_allclose(mu, centers, atol=1e-12)


@pytest.mark.parametrize("name", DATASETS)
def test_same_result_as_sklearn_from_the_same_init(name):
    X, k = DATASETS[name]
    init = X[np.random.default_rng(3).choice(len(X), size=k, replace=False)]
    centers, labels, inertia, n_iter = kmeans(X, k, init=init)
    ref = sklearn_lloyd(X, init)
    np.testing.assert_allclose(centers, ref.cluster_centers_, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(labels, ref.labels_)
    assert inertia == pytest.approx(ref.inertia_, rel=1e-9)
    assert n_iter == ref.n_iter_


@pytest.mark.parametrize("seed", range(4))
def test_kmeans_plusplus_picks_the_same_seeds_as_sklearn(seed):
    # Relies on sklearn drawing from its RandomState in the same order (greedy k-means++).
    X, _ = make_blobs(n_samples=400, centers=5, random_state=seed)
    _, ref_indices = sk_kmeans_plusplus(X, 6, random_state=seed)
    ours = kmeans_plusplus(X, 6, np.random.RandomState(seed))
    np.testing.assert_array_equal(ours, ref_indices)


def test_kmeans_plusplus_can_pick_the_last_point():
    # Three points at 0 and one at 10: once a 0 is chosen, only the last point has D(x) > 0.
    X = np.array([[0.0], [0.0], [0.0], [10.0]])
    for seed in range(5):
        indices = kmeans_plusplus(X, 2, np.random.RandomState(seed))
        assert sorted(X[indices, 0].tolist()) == [0.0, 10.0]


class TopDraws(np.random.RandomState):
    """A RandomState whose uniform() always returns the largest float below 1."""

    def uniform(self, low=0.0, high=1.0, size=None):
        return np.full(size, np.nextafter(1.0, 0.0))


def test_kmeans_plusplus_largest_draw_picks_the_last_point():
    X = np.random.default_rng(8).uniform(size=(200, 2))
    indices = kmeans_plusplus(X, 2, TopDraws(0))
    d2 = squared_distances(X[indices[:1]], X)[0]
    # Here the draw lies past the end of np.cumsum(d2) by rounding; it must still pick a point.
    assert np.nextafter(1.0, 0.0) * d2.sum() > np.cumsum(d2)[-1]
    assert indices[1] == len(X) - 1


@pytest.mark.parametrize("seed", range(3))
def test_random_init_matches_sklearn(seed):
    X, k = DATASETS["blobs"]
    centers, labels, inertia, n_iter = kmeans(X, k, init="random", random_state=seed)
    ref = KMeans(k, init="random", n_init=1, algorithm="lloyd", random_state=seed).fit(X)
    np.testing.assert_allclose(centers, ref.cluster_centers_, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(labels, ref.labels_)
    assert inertia == pytest.approx(ref.inertia_, rel=1e-9)
    assert n_iter == ref.n_iter_


@pytest.mark.parametrize("seed", range(3))
def test_kmeans_plusplus_inertia_close_to_sklearn(seed):
    X, _ = make_blobs(n_samples=2000, centers=8, cluster_std=1.0, random_state=seed)
    _, _, inertia, _ = kmeans(X, 8, random_state=seed + 100)
    ref = KMeans(8, n_init=1, algorithm="lloyd", random_state=seed + 200).fit(X)
    assert inertia == pytest.approx(ref.inertia_, rel=0.02)


def test_empty_cluster_takes_the_farthest_point():
    X = np.array([[0, 0], [1, 0], [0, 1], [10, 10], [11, 10], [30, 30]], dtype=float)
    init = np.array([[0, 0], [10, 10], [100, 100]], dtype=float)
    # First E-step: nobody is closest to (100, 100). The point farthest from its own
    # centre is (30, 30) (squared distance 800 to (10, 10)): it becomes the third centre.
    centers, labels, inertia, _ = kmeans(X, 3, init=init, max_iter=1)
    np.testing.assert_allclose(centers, [[1 / 3, 1 / 3], [10.5, 10], [30, 30]])
    assert labels.tolist() == [0, 0, 0, 1, 1, 2]
    assert inertia == pytest.approx(4 / 3 + 1 / 2)
    ref = sklearn_lloyd(X, init)
    centers, labels, inertia, _ = kmeans(X, 3, init=init)
    np.testing.assert_allclose(centers, ref.cluster_centers_)
    np.testing.assert_array_equal(labels, ref.labels_)
    assert inertia == pytest.approx(ref.inertia_)


def test_empty_cluster_is_re_seeded_at_any_scale():
    # The same case as above, 100 times smaller: every squared distance is below 1.
    X = np.array([[0, 0], [1, 0], [0, 1], [10, 10], [11, 10], [30, 30]]) / 100
    init = np.array([[0, 0], [10, 10], [100, 100]]) / 100
    centers, labels, _, _ = kmeans(X, 3, init=init, max_iter=1)
    np.testing.assert_allclose(centers, [[1 / 300, 1 / 300], [0.105, 0.1], [0.3, 0.3]])
    assert labels.tolist() == [0, 0, 0, 1, 1, 2]


def test_tied_farthest_points_go_by_index():
    # 1000 points: every third on a circle of radius 5 (12 spots in turn), the rest at the
    # centre. The two empty clusters take the tied farthest points of lowest index: 0 and 3.
    circle = [(5, 0), (0, 5), (-5, 0), (0, -5), (3, 4), (-3, 4)]
    circle += [(3, -4), (-3, -4), (4, 3), (-4, 3), (4, -3), (-4, -3)]
    X = np.zeros((1000, 2))
    X[::3] = np.resize(np.array(circle, dtype=float), (334, 2))
    init = np.array([[0, 0], [100, 100], [-100, 100]], dtype=float)
    centers, _, _, _ = kmeans(X, 3, init=init, max_iter=1)
    np.testing.assert_allclose(centers[1:], [[5, 0], [0, 5]])


def test_farthest_is_by_squared_distance_not_by_signed_difference():
    # (-6, 0) is 36 from its centre (0, 0); (1, 0) and (11, 10) are 1 from theirs. Summing
    # signed differences (or their cubes) instead of squares would pick one of those.
    X = np.array([[0, 0], [1, 0], [-6, 0], [10, 10], [11, 10]], dtype=float)
    init = np.array([[0, 0], [10, 10], [100, 100]], dtype=float)
    centers, labels, inertia, _ = kmeans(X, 3, init=init, max_iter=1)
    np.testing.assert_allclose(centers, [[0.5, 0], [10.5, 10], [-6, 0]])
    assert labels.tolist() == [0, 0, 2, 1, 1]
    assert inertia == pytest.approx(1.0)


def test_more_clusters_than_distinct_points():
    X = np.array([[0, 0], [0, 0], [1, 1], [1, 1]], dtype=float)
    init = np.array([[0, 0], [1, 1], [5, 5]], dtype=float)
    with pytest.warns(OurConvergenceWarning, match=r"distinct clusters \(2\).*n_clusters \(3\)"):
        centers, labels, inertia, _ = kmeans(X, 3, init=init)
    ref = sklearn_lloyd(X, init)
    np.testing.assert_allclose(centers, ref.cluster_centers_)
    np.testing.assert_array_equal(labels, ref.labels_)
    assert inertia == ref.inertia_ == 0


def test_points_on_their_centres_stay_and_the_empty_cluster_joins_the_largest():
    # Every point sits on its centre: nothing is moved into the empty third cluster, which is
    # parked on the centre of the largest cluster (1, three points), not of cluster 0.
    X = np.array([[1, 1], [0, 0], [0, 0], [0, 0]], dtype=float)
    init = np.array([[1, 1], [0, 0], [5, 5]], dtype=float)
    with pytest.warns(OurConvergenceWarning):
        centers, labels, inertia, _ = kmeans(X, 3, init=init)
    np.testing.assert_array_equal(centers, [[1, 1], [0, 0], [0, 0]])
    assert labels.tolist() == [0, 1, 1, 1]
    assert inertia == 0
    ref = sklearn_lloyd(X, init)
    np.testing.assert_array_equal(centers, ref.cluster_centers_)
    np.testing.assert_array_equal(labels, ref.labels_)


def test_warning_is_not_reported_inside_kmeans_py():
    # stacklevel=2 attributes it to the caller (a wrapper such as mutmut's may sit in between).
    X = np.array([[0, 0], [0, 0], [1, 1], [1, 1]], dtype=float)
    with pytest.warns(OurConvergenceWarning) as record:
        kmeans(X, 3, init=np.array([[0, 0], [1, 1], [5, 5]], dtype=float))
    assert record[0].filename != kmeans_module.__file__


@pytest.mark.parametrize("seed", range(20))
def test_duplicated_non_integer_points_match_sklearn(seed):
    # Three distinct non-integer points, repeated 3, 2 and 2 times; four clusters. Every point
    # sits exactly on its centre, so nothing may be moved into the empty fourth cluster. The
    # expanded form ||x||² - 2x·c + ||c||² leaves ~1e-13 of noise there and moved a duplicate.
    rng = np.random.default_rng(seed)
    P = rng.normal(size=(3, 2)) * 3 + 1.7
    X = np.repeat(P, [3, 2, 2], axis=0)
    init = np.r_[P, [[50.0, 50.0]]]
    with pytest.warns(OurConvergenceWarning, match=r"distinct clusters \(3\)"):
        centers, labels, inertia, _ = kmeans(X, 4, init=init)
    ref = sklearn_lloyd(X, init)
    np.testing.assert_allclose(centers, ref.cluster_centers_, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(labels, ref.labels_)
    assert inertia == pytest.approx(ref.inertia_, abs=1e-12)


def test_no_warning_when_every_cluster_is_used():
    X, k = DATASETS["blobs"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kmeans(X, k, random_state=0)


points = st.integers(3, 40).flatmap(
    lambda n: st.lists(
        st.tuples(st.integers(-20, 20), st.integers(-20, 20)), min_size=n, max_size=n
    )
)


@pytest.mark.filterwarnings("ignore::ml.kmeans.ConvergenceWarning")  # duplicates
@settings(max_examples=50, deadline=None)
@given(points, st.integers(1, 3), st.integers(1, 4))
def test_labels_and_inertia_belong_to_the_returned_centres(raw, k, max_iter):
    X = np.array(raw, dtype=float)
    k = min(k, len(X))
    init = X[np.linspace(0, len(X) - 1, k).astype(int)] + 0.5
    centers, labels, inertia, n_iter = kmeans(X, k, init=init, max_iter=max_iter)
    d2 = brute_force_d2(X, centers)
    assert 1 <= n_iter <= max_iter
    np.testing.assert_allclose(d2[np.arange(len(X)), labels], d2.min(axis=1), atol=1e-9)
    assert inertia == pytest.approx(d2.min(axis=1).sum(), abs=1e-9)


@pytest.mark.filterwarnings("ignore::ml.kmeans.ConvergenceWarning")  # duplicates
@settings(max_examples=50, deadline=None)
@given(points, st.integers(1, 4))
def test_inertia_never_increases(raw, k):
    X = np.array(raw, dtype=float)
    k = min(k, len(X))
    centers = X[:k] + 0.25
    previous = np.inf
    for _ in range(6):  # one Lloyd step at a time
        centers, _, inertia, _ = kmeans(X, k, init=centers, max_iter=1)
        assert inertia <= previous + 1e-9
        previous = inertia


@settings(max_examples=50, deadline=None)
@given(points, points)
def test_squared_distances_match_brute_force(a, b):
    A, B = np.array(a, dtype=float), np.array(b, dtype=float)
    d2 = squared_distances(A, B)
    assert (d2 >= 0).all()
    np.testing.assert_allclose(d2, brute_force_d2(A, B), atol=1e-9)
    assert np.allclose(np.diag(squared_distances(A, A)), 0)


@settings(max_examples=50, deadline=None)
@given(points, points)
def test_nearest_center_matches_brute_force_with_ties(a, b):
    # Small integer coordinates: distances are exact, so ties are exact and frequent.
    X, C = np.array(a, dtype=float), np.array(b, dtype=float)
    labels = nearest_center(np.vstack([X.T, np.ones(len(X))]), C)
    np.testing.assert_array_equal(labels, np.argmin(brute_force_d2(X, C), axis=1))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3))
def test_whiteboard_matches_kmeans_from_the_same_init(seed, k):
    # Three far-apart blobs, the initial centers in k different ones: no cluster ever empties
    # (the whiteboard does not re-seed one), so every example is compared.
    rng = np.random.default_rng(seed)
    blob = np.arange(30) % 3
    X = rng.normal(size=(30, 2)) + np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])[blob]
    init = X[[rng.choice(np.flatnonzero(blob == b)) for b in range(k)]]
    mu, c = kmeans_whiteboard(X, init.copy())
    centers, labels, _, _ = kmeans(X, k, init=init, tol=0.0)
    np.testing.assert_array_equal(c, labels)
    np.testing.assert_allclose(mu, centers, atol=1e-12)


@pytest.mark.parametrize("name", DATASETS)
def test_whiteboard_matches_kmeans_over_many_iterations(name):
    # Lloyd takes 2 to 18 iterations here from the first k points: the stopping rule matters.
    X, k = DATASETS[name]
    mu, c = kmeans_whiteboard(X, X[:k].copy())
    centers, labels, _, _ = kmeans(X, k, init=X[:k], tol=0.0)
    np.testing.assert_array_equal(c, labels)
    np.testing.assert_allclose(mu, centers, atol=1e-10)


def test_tol_is_relative_to_the_data_scale():
    X, k = DATASETS["blobs"]
    init = X[:k]
    for tol in (1e-4, 1e-2):
        small = kmeans(X, k, init=init, tol=tol)
        large = kmeans(1000 * X, k, init=1000 * init, tol=tol)
        assert small[3] == large[3]
        np.testing.assert_array_equal(small[1], large[1])
    # A looser tolerance stops no later.
    assert kmeans(X, k, init=init, tol=1e-1)[3] <= kmeans(X, k, init=init, tol=0.0)[3]


@pytest.mark.parametrize("tol", [1e-3, 1e-1])
def test_shifting_the_data_changes_only_the_centres(tol):
    # tol is relative to the per-feature variance, which a shift does not change.
    X, k = DATASETS["blobs"]
    shift = np.array([100.0, -100.0])
    centers, labels, inertia, n_iter = kmeans(X, k, init=X[:k], tol=tol)
    moved = kmeans(X + shift, k, init=X[:k] + shift, tol=tol)
    np.testing.assert_allclose(moved[0], centers + shift)
    np.testing.assert_array_equal(moved[1], labels)
    assert moved[2] == pytest.approx(inertia)
    assert moved[3] == n_iter == sklearn_lloyd(X + shift, X[:k] + shift, tol=tol).n_iter_


def test_inputs_are_not_modified():
    X, k = DATASETS["stretched"]
    X_before, init = X.copy(), X[10 : 10 + k].copy()
    init_before = init.copy()
    kmeans(X, k, init=init)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(init, init_before)


@pytest.mark.parametrize("name", ["blobs", "moons", "uniform-5d"])
def test_silhouette_matches_sklearn(name):
    X, k = DATASETS[name]
    _, labels, _, _ = kmeans(X, k, random_state=0)
    assert silhouette_score(X, labels) == pytest.approx(sk_silhouette_score(X, labels), rel=1e-8)


def test_silhouette_singleton_scores_zero():
    X = np.array([[0.0], [1.0], [10.0]])
    labels = np.array([0, 0, 1])
    # a = 1, b = 10 and 9 for the pair; the singleton contributes 0.
    expected = ((10 - 1) / 10 + (9 - 1) / 9 + 0) / 3
    assert silhouette_score(X, labels) == pytest.approx(expected)
    assert sk_silhouette_score(X, labels) == pytest.approx(expected)


def test_silhouette_rejects_bad_labels():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0]])  # 3 samples, 2 features
    wrong = r"^labels must be 3 integers, got shape \(3,\), dtype float64$"
    with pytest.raises(ValueError, match=wrong):
        silhouette_score(X, np.array([0.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match=r"^labels must be 3 integers, got shape \(2,\), dtype"):
        silhouette_score(X, np.array([0, 1]))
    message = r"^need 2 <= clusters <= n_samples - 1, got "
    with pytest.raises(ValueError, match=message + "3 for 3 samples$"):
        silhouette_score(X, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=message + "1 for 3 samples$"):
        silhouette_score(X, np.array([4, 4, 4]))


def test_demo_blobs_are_four_labelled_gaussian_blobs():
    X, truth = make_demo_blobs()
    assert X.shape == (320, 2)
    assert truth.tolist() == np.repeat(np.arange(4), 80).tolist()
    means = [[0.0, 0.0], [5.0, 0.5], [1.0, 5.0], [6.0, 5.5]]
    for b, mean in enumerate(means):  # 80 points of spread 0.8: the mean is within ~0.1
        np.testing.assert_allclose(X[truth == b].mean(axis=0), mean, atol=0.3)
        np.testing.assert_allclose(X[truth == b].std(axis=0), 0.8, rtol=0.2)


def test_demo_blobs_are_reproducible():
    X, _ = make_demo_blobs()
    np.testing.assert_array_equal(make_demo_blobs()[0], X)
    np.testing.assert_array_equal(make_demo_blobs(80, seed=0)[0], X)  # the default seed is 0
    assert not np.allclose(make_demo_blobs(seed=1)[0], X)


X_OK = np.arange(12, dtype=float).reshape(6, 2)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((X_OK, 0), {}, "n_clusters"),
        ((X_OK, 7), {}, "n_clusters"),
        ((np.array([[0.0, np.nan], [1.0, 2.0]]), 1), {}, "^X must not contain NaN or inf$"),
        ((np.array([[0.0, np.inf], [1.0, 2.0]]), 1), {}, "^X must not contain NaN or inf$"),
        ((np.arange(6.0), 2), {}, "X"),
        ((np.zeros((2, 3, 1)), 1), {}, "X"),
        ((np.zeros((0, 2)), 1), {}, "X"),
        ((X_OK, 2), {"init": np.zeros((3, 2))}, "init"),
        ((X_OK, 2), {"init": np.zeros((2, 3))}, "init"),
        (
            (X_OK, 2),
            {"init": np.array([[0.0, 0.0], [np.nan, 1.0]])},
            "^init must not contain NaN or inf$",
        ),
        ((X_OK, 2), {"init": "kmeans++"}, "init"),
        ((X_OK, 2), {"max_iter": 0}, "max_iter"),
        ((X_OK, 2), {"tol": -1e-4}, "tol"),
        ((X_OK, 2), {"tol": float("nan")}, "tol"),
    ],
)
def test_bad_values_raise_value_error(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        kmeans(*args, **kwargs)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((X_OK, 2.0), {}, "^n_clusters must be an int, got float$"),
        ((X_OK, True), {}, "n_clusters"),
        ((X_OK, "2"), {}, "n_clusters"),
        ((np.array([["a", "b"], ["c", "d"]]), 1), {}, "X"),
        ((X_OK, 2), {"init": 3}, "^init must be a string or an array, got int$"),
        (
            (X_OK, 2),
            {"init": [["a", "b"], ["c", "d"]]},
            "^init must hold real numbers, got dtype <U1$",
        ),
        ((X_OK, 2), {"max_iter": 10.0}, "^max_iter must be an int, got float$"),
        ((X_OK, 2), {"tol": "1e-4"}, "^tol must be a real number, got str$"),
        ((X_OK, 2), {"random_state": 1.5}, "random_state"),
    ],
)
def test_wrong_types_raise_type_error(args, kwargs, match):
    with pytest.raises(TypeError, match=match):
        kmeans(*args, **kwargs)


def test_random_state_makes_runs_reproducible():
    X, k = DATASETS["blobs"]
    first = kmeans(X, k, random_state=7)
    second = kmeans(X, k, random_state=np.random.RandomState(7))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
