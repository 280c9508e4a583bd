"""k-fold, stratified k-fold and leave-one-out index generators (scikit-learn's fold sizes)."""

# --8<-- [start:imports]
from collections.abc import Iterator

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:kfold]
def kfold_indices(
    n_samples: int, n_splits: int = 5, shuffle: bool = False, seed: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (train, test) indices; the first n_samples % n_splits folds get one extra sample."""
    if not isinstance(n_samples, int) or not isinstance(n_splits, int):
        raise TypeError("n_samples and n_splits must be ints")
    if n_splits < 2 or n_splits > n_samples:
        raise ValueError(f"n_splits must be in [2, n_samples={n_samples}], got {n_splits}")
    indices = np.arange(n_samples)
    if shuffle:
        np.random.default_rng(seed).shuffle(indices)
    sizes = np.full(n_splits, n_samples // n_splits)
    sizes[: n_samples % n_splits] += 1
    stops = np.cumsum(sizes)
    for start, stop in zip(stops - sizes, stops, strict=True):
        test = indices[start:stop]
        train = np.concatenate([indices[:start], indices[stop:]])
        yield train, test


def leave_one_out(n_samples: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Leave-one-out = k-fold with k = n_samples: each sample is the test set once."""
    return kfold_indices(n_samples, n_splits=n_samples)


# --8<-- [end:kfold]


# --8<-- [start:stratified]
def stratified_kfold_indices(
    y: np.ndarray, n_splits: int = 5, seed: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """k-fold in which every fold holds floor or ceil of n_c / k samples of each class c."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}")
    if not isinstance(n_splits, int) or n_splits < 2:
        raise ValueError(f"n_splits must be an int >= 2, got {n_splits!r}")
    _, y_idx, counts = np.unique(y, return_inverse=True, return_counts=True)
    if counts.max() < n_splits:
        raise ValueError(f"n_splits={n_splits} is larger than every class size {counts.tolist()}")
    rng = np.random.default_rng(seed)
    # Order samples by class (shuffled within each class), then deal them out to the folds
    # like cards: fold = position mod k. Each class's run of n_c samples is spread evenly.
    order = np.lexsort((rng.random(len(y)), y_idx))
    fold_of = np.empty(len(y), dtype=int)
    fold_of[order] = np.arange(len(y)) % n_splits
    for f in range(n_splits):
        yield np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)


# --8<-- [end:stratified]


if __name__ == "__main__":
    folds = list(kfold_indices(7, 3))
    assert [t.tolist() for _, t in folds] == [[0, 1, 2], [3, 4], [5, 6]]
    assert all(len(tr) + len(te) == 7 for tr, te in folds)
    assert len(list(leave_one_out(4))) == 4
    y = np.array([0] * 6 + [1] * 3)
    for _, test in stratified_kfold_indices(y, 3, seed=0):
        assert np.bincount(y[test]).tolist() == [2, 1]
    print([t.tolist() for _, t in folds])
