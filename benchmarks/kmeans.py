"""Time snippets/ml/kmeans.py against scikit-learn's KMeans(algorithm="lloyd") from one init.

Prints one JSON line, with ratio = our time / sklearn's time (best of three runs each).
Run from the repository root: .venv/bin/python benchmarks/kmeans.py
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "snippets"))
from ml.kmeans import kmeans

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")  # unset: every core, for both sides


def best_time(fn, repeat: int = 3):
    """Smallest wall time of several runs, and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    rng = np.random.default_rng(0)
    n, k = 100_000, 8
    means = rng.uniform(-10, 10, size=(k, 2))
    X = means[rng.integers(k, size=n)] + rng.normal(scale=2.0, size=(n, 2))
    init = X[rng.choice(n, size=k, replace=False)]

    ours_s, (_, labels, inertia, n_iter) = best_time(lambda: kmeans(X, k, init=init))
    ref_s, ref = best_time(lambda: KMeans(k, init=init, n_init=1, algorithm="lloyd").fit(X))
    # The same run: same partition, same number of iterations, inertia equal up to the order
    # in which floating-point sums are taken.
    rel = abs(inertia - ref.inertia_) / ref.inertia_
    assert np.array_equal(labels, ref.labels_)
    assert n_iter == ref.n_iter_, (n_iter, ref.n_iter_)
    assert rel < 1e-12, rel
    print(
        json.dumps(
            {
                "n_samples": n,
                "n_clusters": k,
                "ours_s": round(ours_s, 4),
                "sklearn_s": round(ref_s, 4),
                "ratio": round(ours_s / ref_s, 2),
                "ours_n_iter": n_iter,
                "sklearn_n_iter": int(ref.n_iter_),
                "ours_inertia": inertia,
                "sklearn_inertia": float(ref.inertia_),
                "inertia_rel_diff": rel,
                "threads": {v: os.environ.get(v, "unset") for v in THREAD_VARS},
            }
        )
    )


if __name__ == "__main__":
    main()
