"""K-means (Lloyd's algorithm) and greedy k-means++ in numpy, with scikit-learn's conventions.

`kmeans` follows `sklearn.cluster.KMeans(algorithm="lloyd", n_init=1)`: tol is relative to
the mean per-feature variance of X, convergence is checked on the squared shift of the
centres, empty clusters are re-seeded with the points farthest from their centres, and the
returned labels and inertia belong to the returned centres.
"""

# --8<-- [start:imports]
import numbers
import warnings

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def kmeans_whiteboard(X, mu, max_iter=300):
    """Lloyd 迭代：从初始中心 mu 出发，交替分配到最近中心、中心移到簇均值，直到划分不变。"""
    K = len(mu)
    c = None
    for _ in range(max_iter):
        d2 = ((X[:, None, :] - mu[None, :, :]) ** 2).sum(axis=2)  # (n, K) 平方距离
        c_new = d2.argmin(axis=1)  # 分配步：c_i = argmin_j ||x_i - mu_j||^2
        if c is not None and (c_new == c).all():
            break  # 划分不再变化：不动点
        c = c_new
        mu = np.array([X[c == j].mean(axis=0) for j in range(K)])  # 更新步：簇均值
    return mu, c


# --8<-- [end:whiteboard]


# --8<-- [start:checks]
class ConvergenceWarning(UserWarning):
    """Raised as a warning when fewer distinct clusters than asked for are found (as sklearn)."""


def _check_random_state(random_state: int | np.random.RandomState | None) -> np.random.RandomState:
    """None, an int seed or a RandomState -> a RandomState (like sklearn's check_random_state)."""
    if random_state is None:
        return np.random.RandomState()
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return np.random.RandomState(int(random_state))
    if isinstance(random_state, np.random.RandomState):
        return random_state
    raise TypeError(f"random_state must be None, an int or a RandomState, got {random_state!r}")


def _check_data(X: np.ndarray) -> np.ndarray:
    """X as a finite float64 (n_samples, n_features) array with n_samples >= 1."""
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold real numbers, got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must have at least one sample and one feature, got {X.shape}")
    X = X.astype(np.float64)
    if not np.isfinite(X).all():
        raise ValueError("X must not contain NaN or inf")
    return X


def _check_init(init: str | np.ndarray, n_clusters: int, n_features: int) -> np.ndarray | str:
    """'k-means++', 'random' or a finite (n_clusters, n_features) array of initial centres."""
    if isinstance(init, str):
        if init not in ("k-means++", "random"):
            raise ValueError(f"init must be 'k-means++', 'random' or an array, got {init!r}")
        return init
    if not isinstance(init, np.ndarray | list | tuple):
        raise TypeError(f"init must be a string or an array, got {type(init).__name__}")
    centers = np.asarray(init)
    if centers.dtype.kind not in "biuf":
        raise TypeError(f"init must hold real numbers, got dtype {centers.dtype}")
    if centers.shape != (n_clusters, n_features):
        raise ValueError(
            f"init must have shape (n_clusters, n_features) = ({n_clusters}, {n_features}),"
            f" got {centers.shape}"
        )
    centers = centers.astype(np.float64)
    if not np.isfinite(centers).all():
        raise ValueError("init must not contain NaN or inf")
    return centers


# --8<-- [end:checks]


# --8<-- [start:distances]
def squared_distances(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Squared Euclidean distance of every row of X (n, d) to every centre (k, d) -> (n, k)."""
    x_sq = np.einsum("ij,ij->i", X, X)[:, None]  # ||x||², shape (n, 1)
    c_sq = np.einsum("ij,ij->i", centers, centers)[None, :]  # ||c||², shape (1, k)
    d2 = X @ centers.T  # x·c, shape (n, k); updated in place below to save memory
    d2 *= -2.0
    d2 += x_sq
    d2 += c_sq
    # Rounding can make a distance that is truly 0 come out slightly negative.
    return np.maximum(d2, 0.0, out=d2)


# --8<-- [end:distances]


# --8<-- [start:kmeans_plusplus]
def kmeans_plusplus(
    X: np.ndarray, n_clusters: int, random_state: np.random.RandomState
) -> np.ndarray:
    """Greedy k-means++ seeding: indices of the n_clusters chosen points."""
    n_samples = X.shape[0]
    n_local_trials = 2 + int(np.log(n_clusters))  # sklearn's default
    indices = np.empty(n_clusters, dtype=np.int64)
    indices[0] = random_state.choice(n_samples, p=np.full(n_samples, 1.0 / n_samples))
    closest_d2 = squared_distances(X[indices[:1]], X)[0]  # D(x)² to the nearest seed so far
    potential = closest_d2.sum()
    for c in range(1, n_clusters):
        # Draw several candidates with probability proportional to D(x)² ...
        draws = random_state.uniform(size=n_local_trials) * potential
        candidates = np.searchsorted(np.cumsum(closest_d2), draws)
        candidates = np.minimum(candidates, n_samples - 1)  # guard against rounding
        # ... and keep the one that lowers the total squared distance the most.
        d2 = np.minimum(closest_d2, squared_distances(X[candidates], X))  # (trials, n)
        best = int(np.argmin(d2.sum(axis=1)))
        indices[c] = candidates[best]
        closest_d2, potential = d2[best], d2[best].sum()
    return indices


# --8<-- [end:kmeans_plusplus]


# --8<-- [start:nearest_center]
def nearest_center(XT1: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """E-step: index of the nearest centre for every point (ties: the lower index).

    XT1 is X transposed with a row of ones below it, shape (d + 1, n). ||x||² is the same for
    all centres of a point, so the argmin needs only ||c||² - 2 c·x: one matrix product.
    """
    c_sq = np.einsum("ij,ij->i", centers, centers)[:, None]
    scores = np.hstack([-2.0 * centers, c_sq]) @ XT1  # (k, n): ||c||² - 2 c·x
    best = scores.min(axis=0)
    # argmin over the short axis 0, without np.argmin's one call per point:
    # the label is the number of centres before the first one that attains the minimum.
    labels = np.zeros(scores.shape[1], dtype=np.intp)
    found = np.zeros(scores.shape[1], dtype=bool)
    for row in scores:  # a loop over the k centres, not over the points
        found |= row == best
        labels += ~found
    return labels


# --8<-- [end:nearest_center]


# --8<-- [start:update_centers]
def update_centers(X: np.ndarray, labels: np.ndarray, old_centers: np.ndarray) -> np.ndarray:
    """M-step: mean of every cluster; an empty cluster takes the point farthest from its centre."""
    n_clusters, n_features = old_centers.shape
    # Per-cluster sums with one bincount per feature (a loop over features, not points).
    sums = np.stack(
        [np.bincount(labels, weights=X[:, j], minlength=n_clusters) for j in range(n_features)],
        axis=1,
    )
    counts = np.bincount(labels, minlength=n_clusters).astype(np.float64)

    empty = np.flatnonzero(counts == 0)
    if empty.size > 0:
        # Exact squared distance to the own (old) centre: the expanded form would leave
        # rounding noise of ~1e-13 on a point that sits exactly on its centre.
        d2_to_old = ((X - old_centers[labels]) ** 2).sum(axis=1)
        if d2_to_old.max() > 0:
            # Farthest points first (ties: smaller index); each moves to one empty cluster.
            far = np.argsort(-d2_to_old, kind="stable")[: empty.size]
            np.subtract.at(sums, labels[far], X[far])
            np.subtract.at(counts, labels[far], 1.0)
            sums[empty], counts[empty] = X[far], 1.0

    centers = np.empty_like(sums)
    filled = counts > 0
    centers[filled] = sums[filled] / counts[filled, None]
    # Still empty (more clusters than distinct points): park at the largest cluster.
    centers[~filled] = centers[np.argmax(counts)]
    return centers


# --8<-- [end:update_centers]


# --8<-- [start:kmeans]
def kmeans(
    X: np.ndarray,
    n_clusters: int,
    *,
    init: str | np.ndarray = "k-means++",
    max_iter: int = 300,
    tol: float = 1e-4,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Lloyd's K-means -> (centers, labels, inertia, n_iter), like sklearn's KMeans(lloyd)."""
    X = _check_data(X)
    n_samples, n_features = X.shape
    if not isinstance(n_clusters, numbers.Integral) or isinstance(n_clusters, bool):
        raise TypeError(f"n_clusters must be an int, got {type(n_clusters).__name__}")
    if not 1 <= n_clusters <= n_samples:
        raise ValueError(f"n_clusters must be in [1, n_samples={n_samples}], got {n_clusters}")
    if not isinstance(max_iter, numbers.Integral) or isinstance(max_iter, bool):
        raise TypeError(f"max_iter must be an int, got {type(max_iter).__name__}")
    if max_iter < 1:
        raise ValueError(f"max_iter must be >= 1, got {max_iter}")
    if not isinstance(tol, numbers.Real) or isinstance(tol, bool):
        raise TypeError(f"tol must be a real number, got {type(tol).__name__}")
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0, got {tol}")
    init = _check_init(init, n_clusters, n_features)
    rng = _check_random_state(random_state)

    # tol is relative to the data: tol × mean per-feature variance (sklearn's _tolerance).
    tol_abs = float(np.mean(np.var(X, axis=0)) * tol)
    # Centre the data: ||x||² - 2x·c + ||c||² loses fewer digits near the origin.
    mean = X.mean(axis=0)
    X = X - mean
    if isinstance(init, np.ndarray):
        centers = init - mean
    elif init == "random":  # n_clusters distinct points
        # sklearn passes its sample weights as p; with p numpy draws other points than without.
        p = np.full(n_samples, 1.0 / n_samples)
        centers = X[rng.choice(n_samples, size=n_clusters, replace=False, p=p)]
    else:
        centers = X[kmeans_plusplus(X, n_clusters, rng)]

    XT1 = np.vstack([X.T, np.ones(n_samples)])  # (d + 1, n) for nearest_center
    labels_old = np.full(n_samples, -1)
    strict, n_iter = False, 0
    while n_iter < max_iter:
        n_iter += 1
        labels = nearest_center(XT1, centers)  # E-step
        new_centers = update_centers(X, labels, centers)  # M-step
        shift = float(np.sum((new_centers - centers) ** 2))  # squared Frobenius norm
        centers = new_centers
        if np.array_equal(labels, labels_old):  # same partition twice: a fixed point
            strict = True
            break
        if shift <= tol_abs:
            break
        labels_old = labels

    if not strict:  # labels must belong to the centres we return
        labels = nearest_center(XT1, centers)
    n_found = len(np.unique(labels))
    if n_found < n_clusters:  # more clusters than distinct points: say so, as sklearn does
        warnings.warn(
            f"Number of distinct clusters ({n_found}) found smaller than"
            f" n_clusters ({n_clusters}). Possibly due to duplicate points in X.",
            ConvergenceWarning,
            stacklevel=2,
        )
    inertia = float(np.sum((X - centers[labels]) ** 2))
    return centers + mean, labels, inertia, n_iter


# --8<-- [end:kmeans]


# --8<-- [start:silhouette]
def silhouette_score(X: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient (b - a) / max(a, b); a point alone in its cluster scores 0."""
    X = _check_data(X)
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],) or labels.dtype.kind not in "iu":
        raise ValueError(
            f"labels must be {X.shape[0]} integers, got shape {labels.shape}, dtype {labels.dtype}"
        )
    _, labels = np.unique(labels, return_inverse=True)
    n_clusters = labels.max() + 1
    if not 2 <= n_clusters <= X.shape[0] - 1:
        raise ValueError(
            f"need 2 <= clusters <= n_samples - 1, got {n_clusters} for {X.shape[0]} samples"
        )
    dist = np.sqrt(squared_distances(X, X))
    onehot = np.eye(n_clusters)[labels]  # (n, k)
    counts = onehot.sum(axis=0)
    sum_to_cluster = dist @ onehot  # total distance of each point to each cluster
    own = counts[labels]
    a = sum_to_cluster[np.arange(len(X)), labels] / np.maximum(own - 1, 1)
    mean_to_cluster = sum_to_cluster / counts
    mean_to_cluster[np.arange(len(X)), labels] = np.inf
    b = mean_to_cluster.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
    return float(s.mean())


# --8<-- [end:silhouette]


# --8<-- [start:demo_data]
def make_demo_blobs(n_per_blob: int = 80, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian blobs in 2-D -> (X, true blob index)."""
    rng = np.random.default_rng(seed)
    means = np.array([[0.0, 0.0], [5.0, 0.5], [1.0, 5.0], [6.0, 5.5]])
    X = np.concatenate([m + 0.8 * rng.standard_normal((n_per_blob, 2)) for m in means])
    return X, np.repeat(np.arange(len(means)), n_per_blob)


# --8<-- [end:demo_data]


def plot_kmeans():
    """Left: clusters and the path of every centre; right: inertia and silhouette against K."""
    import matplotlib.pyplot as plt

    X, _ = make_demo_blobs()
    # A deliberately poor start (four points near one corner) shows the centres travelling.
    centers = X[np.argsort(X.sum(axis=1))[:4]]
    path = [centers]
    while True:  # one Lloyd step per call, starting from the previous centres
        centers, labels, _, _ = kmeans(X, 4, init=centers, max_iter=1)
        if np.allclose(centers, path[-1]):
            break
        path.append(centers)
    path = np.stack(path)  # (steps, k, 2)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2))
    for j in range(4):
        ax1.scatter(*X[labels == j].T, s=10, color=f"C{j}", alpha=0.5)
        ax1.plot(*path[:, j].T, "-o", color=f"C{j}", markersize=4, linewidth=1.2)
        ax1.plot(*path[-1, j], marker="*", markersize=16, color=f"C{j}", markeredgecolor="0.3")
    ax1.set_title("中心的移动轨迹（圆点为每步的中心，星号为收敛位置）")
    ax1.set_aspect("equal")

    ks = np.arange(1, 9)
    inertias, silhouettes = [], []
    for k in ks:
        _, lab, inertia, _ = kmeans(X, int(k), random_state=0)
        inertias.append(inertia)
        silhouettes.append(silhouette_score(X, lab) if k >= 2 else np.nan)
    ax2.plot(ks, inertias, "-o", color="C0", label="inertia（簇内平方和）")
    ax2.set_xlabel("K")
    ax2.set_ylabel("inertia")
    twin = ax2.twinx()
    twin.plot(ks, silhouettes, "-s", color="C1", label="轮廓系数")
    twin.set_ylabel("轮廓系数")
    ax2.axvline(4, color="0.5", linestyle=":")
    ax2.set_title("肘部法与轮廓系数（真实簇数为 4）")
    handles = ax2.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax2.legend(handles=handles, loc="center right")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    # Two obvious groups on a line: the answer can be checked by hand.
    pts = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    c, lab, inert, it = kmeans(pts, 2, init=np.array([[0.0], [1.0]]))
    assert np.allclose(np.sort(c.ravel()), [1.0, 11.0])
    assert lab.tolist() in ([0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0])
    assert np.isclose(inert, 4.0)  # 1 + 0 + 1 in each group
    mu, labels = kmeans_whiteboard(pts, np.array([[0.0], [1.0]]))
    assert np.allclose(mu, [[1.0], [11.0]])
    assert labels.tolist() == [0, 0, 0, 1, 1, 1]
    X_demo, truth = make_demo_blobs()
    c, lab, inert, it = kmeans(X_demo, 4, random_state=0)
    # Every true blob ends up in a single cluster.
    assert all(len(set(lab[truth == b])) == 1 for b in range(4))
    assert silhouette_score(X_demo, lab) > 0.5
    print(f"centres:\n{c.round(2)}\ninertia {inert:.1f} after {it} iterations")
