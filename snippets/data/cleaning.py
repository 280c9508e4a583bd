"""Finding suspicious training samples: out-of-fold loss ranking and exact duplicates."""

# --8<-- [start:imports]
from collections.abc import Callable

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:oof]
def out_of_fold_proba(
    x: np.ndarray,
    y: np.ndarray,
    fit_predict_proba: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    n_splits: int = 5,
) -> np.ndarray:
    """Class probabilities for every sample from a model that never saw it (k-fold, unshuffled)."""
    x, y = np.asarray(x), np.asarray(y)
    if y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"y must be 1-D with len(x) = {len(x)} entries, got shape {y.shape}")
    if not 2 <= n_splits <= len(y):
        raise ValueError(f"n_splits must be in [2, n_samples = {len(y)}], got {n_splits}")
    n_classes = int(y.max()) + 1
    proba = np.zeros((len(y), n_classes))
    for test_idx in np.array_split(np.arange(len(y)), n_splits):  # the same folds as KFold
        train = np.ones(len(y), dtype=bool)
        train[test_idx] = False
        proba[test_idx] = fit_predict_proba(x[train], y[train], x[test_idx])
    return proba


def rank_by_loss(proba: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, loss): samples sorted by cross-entropy -log p[y], largest (most suspicious) first."""
    proba, y = np.asarray(proba, dtype=np.float64), np.asarray(y)
    if proba.ndim != 2 or y.shape != (len(proba),):
        raise ValueError(f"proba must be (N, K) and y (N,), got {proba.shape} and {y.shape}")
    loss = -np.log(np.clip(proba[np.arange(len(y)), y], 1e-12, 1.0))
    return np.argsort(-loss, kind="stable"), loss


# --8<-- [end:oof]


# --8<-- [start:model]
def nearest_centroid_proba(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, temperature: float = 1.0
) -> np.ndarray:
    """A tiny classifier: softmax over minus squared distances to the class means."""
    classes = np.arange(int(y_train.max()) + 1)
    centroids = np.stack([x_train[y_train == c].mean(axis=0) for c in classes])
    logits = -((x_test[:, None, :] - centroids[None]) ** 2).sum(axis=-1) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


# --8<-- [end:model]


# --8<-- [start:duplicates]
def duplicate_groups(x: np.ndarray) -> list[np.ndarray]:
    """Groups (index arrays, size >= 2) of rows that are exactly equal."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (one flattened sample per row), got shape {x.shape}")
    _, inverse, counts = np.unique(x, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    groups = np.split(order, np.cumsum(counts)[:-1])
    return [g for g in groups if len(g) >= 2]


# --8<-- [end:duplicates]


def make_noisy_labels(n: int = 400, flip_rate: float = 0.05, seed: int = 0):
    """Two Gaussian blobs; a fraction of labels flipped. Returns x, noisy y, flipped mask."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, size=n)
    x = rng.normal(size=(n, 2)) + 3.0 * y_true[:, None]
    flipped = rng.random(n) < flip_rate
    return x, np.where(flipped, 1 - y_true, y_true), flipped


if __name__ == "__main__":
    x, y, flipped = make_noisy_labels()
    proba = out_of_fold_proba(x, y, nearest_centroid_proba)
    order, loss = rank_by_loss(proba, y)
    top = order[: flipped.sum()]
    assert flipped[top].mean() > 0.8
    dup = duplicate_groups(np.array([[1, 2], [3, 4], [1, 2], [5, 6], [3, 4]]))
    assert [g.tolist() for g in dup] == [[0, 2], [1, 4]]
