"""Class imbalance: random over/under-sampling, balanced class weights, SMOTE, EasyEnsemble."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _check_labels(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array of labels, got shape {y.shape}")
    return y


# --8<-- [end:check]


# --8<-- [start:sampling]
def random_oversample(y: np.ndarray, seed: int | None = None) -> np.ndarray:
    """Indices that keep every sample and repeat random minority samples up to the largest class."""
    y = _check_labels(y)
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    extra = [
        rng.choice(np.flatnonzero(y == c), size=counts.max() - n, replace=True)
        for c, n in zip(classes, counts, strict=True)  # one draw per class, not per sample
    ]
    return np.concatenate([np.arange(len(y)), *extra])


def random_undersample(y: np.ndarray, seed: int | None = None) -> np.ndarray:
    """Indices with every class cut down (without replacement) to the size of the smallest."""
    y = _check_labels(y)
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    parts = [rng.choice(np.flatnonzero(y == c), size=counts.min(), replace=False) for c in classes]
    return np.sort(np.concatenate(parts))


def balanced_class_weight(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(classes, weights) with weight = n_samples / (n_classes * count), like scikit-learn."""
    y = _check_labels(y)
    classes, counts = np.unique(y, return_counts=True)
    return classes, len(y) / (len(classes) * counts)


# --8<-- [end:sampling]


# --8<-- [start:smote]
def smote(x_minority: np.ndarray, n_new: int, k: int = 5, seed: int | None = None) -> np.ndarray:
    """n_new synthetic points x + u * (x_nn - x), x_nn one of the k nearest minority neighbours."""
    x = np.asarray(x_minority, dtype=np.float64)
    if x.ndim != 2 or not np.isfinite(x).all():
        raise ValueError(f"x_minority must be a finite 2-D array, got shape {x.shape}")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(x) - 1:
        raise ValueError(f"k must be an int in [1, n_minority - 1 = {len(x) - 1}], got {k!r}")
    if n_new < 0:
        raise ValueError(f"n_new must be >= 0, got {n_new}")
    rng = np.random.default_rng(seed)
    dist = ((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=-1)
    np.fill_diagonal(dist, np.inf)  # a point is not its own neighbour
    neighbours = np.argsort(dist, axis=1, kind="stable")[:, :k]  # (n_minority, k)
    base = rng.integers(len(x), size=n_new)
    partner = neighbours[base, rng.integers(k, size=n_new)]
    u = rng.random((n_new, 1))  # one step size per synthetic point, uniform in [0, 1)
    return x[base] + u * (x[partner] - x[base])


# --8<-- [end:smote]


# --8<-- [start:easy_ensemble]
def easy_ensemble_subsets(
    y: np.ndarray, minority: object, n_subsets: int, seed: int | None = None
) -> list[np.ndarray]:
    """n_subsets index sets: all minority samples plus an equal-size random majority draw each."""
    y = _check_labels(y)
    minority_idx = np.flatnonzero(y == minority)
    majority_idx = np.flatnonzero(y != minority)
    if minority_idx.size == 0 or majority_idx.size < minority_idx.size:
        raise ValueError("minority must be a label of y, and the smaller class")
    if n_subsets < 1:
        raise ValueError(f"n_subsets must be >= 1, got {n_subsets}")
    rng = np.random.default_rng(seed)
    return [
        np.sort(
            np.concatenate(
                [minority_idx, rng.choice(majority_idx, size=minority_idx.size, replace=False)]
            )
        )
        for _ in range(n_subsets)
    ]


# --8<-- [end:easy_ensemble]


def make_imbalanced(n_major: int = 200, n_minor: int = 20, seed: int = 0):
    """Two 2-D Gaussian blobs, n_major points of class 0 and n_minor points of class 1."""
    rng = np.random.default_rng(seed)
    x0 = rng.normal(loc=[0.0, 0.0], scale=1.0, size=(n_major, 2))
    x1 = rng.normal(loc=[2.5, 2.0], scale=0.6, size=(n_minor, 2))
    return np.vstack([x0, x1]), np.repeat([0, 1], [n_major, n_minor])


def plot_smote(k: int = 5):
    """Minority points, their SMOTE offspring on the segments to nearest neighbours."""
    import matplotlib.pyplot as plt

    x, y = make_imbalanced()
    minority = x[y == 1]
    synthetic = smote(minority, n_new=60, k=k, seed=0)
    fig, ax = plt.subplots(figsize=(6, 4.6))
    ax.plot(*x[y == 0].T, ".", color="0.6", label="多数类（200）")
    ax.plot(*minority.T, "o", color="C3", label="少数类（20）")
    ax.plot(*synthetic.T, "x", color="C0", label="SMOTE 合成（60）")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    labels = np.array([0, 0, 0, 0, 1])
    over = random_oversample(labels, seed=0)
    assert np.bincount(labels[over]).tolist() == [4, 4]
    under = random_undersample(labels, seed=0)
    assert np.bincount(labels[under]).tolist() == [1, 1]
    assert np.allclose(balanced_class_weight(labels)[1], [5 / 8, 5 / 2])
    pts = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    new = smote(pts, n_new=10, k=1, seed=0)
    assert new.shape == (10, 2)
    assert np.all((new >= 0) & (new <= 1))
    subsets = easy_ensemble_subsets(labels, minority=1, n_subsets=3, seed=0)
    assert all(np.bincount(labels[s]).tolist() == [1, 1] for s in subsets)
