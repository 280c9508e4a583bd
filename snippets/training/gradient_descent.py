"""Batch, stochastic and mini-batch gradient descent on least squares, in numpy."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:minibatch]
def minibatch_indices(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch: a random permutation of range(n) cut into batches (the last may be short)."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if not isinstance(batch_size, int) or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be an int in [1, {n}], got {batch_size!r}")
    order = rng.permutation(n)
    return np.split(order, np.arange(batch_size, n, batch_size))


def mse_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Gradient of the mean squared error 1/(2B) ||X w - y||² over the rows given."""
    return X.T @ (X @ w - y) / len(y)


def minibatch_gd(
    X: np.ndarray, y: np.ndarray, batch_size: int, lr: float, epochs: int, seed: int = 0
) -> tuple[np.ndarray, int]:
    """Least squares by mini-batch GD; batch_size=len(X) is BGD, 1 is SGD. Returns (w, updates)."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
    if lr <= 0 or epochs < 0:
        raise ValueError(f"lr must be > 0 and epochs >= 0, got lr={lr}, epochs={epochs}")
    rng = np.random.default_rng(seed)
    w = np.zeros(X.shape[1])
    updates = 0
    for _ in range(epochs):
        for idx in minibatch_indices(len(X), batch_size, rng):
            w -= lr * mse_gradient(X[idx], y[idx], w)
            updates += 1  # one parameter update per mini-batch: ceil(n / B) per epoch
    return w, updates


# --8<-- [end:minibatch]


# --8<-- [start:variance]
def minibatch_gradient_variance(per_sample_grads: np.ndarray, batch_size: int) -> float:
    """Total variance of the mean of batch_size samples drawn without replacement."""
    g = np.asarray(per_sample_grads, dtype=np.float64)
    if g.ndim != 2 or len(g) < 2:
        raise ValueError(f"per_sample_grads must be (n >= 2, d), got shape {g.shape}")
    n = len(g)
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be in [1, {n}], got {batch_size}")
    sigma2 = np.sum(g.var(axis=0, ddof=1))  # per-sample variance, summed over coordinates
    return float(sigma2 / batch_size * (n - batch_size) / n)  # finite-population correction


# --8<-- [end:variance]


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.01 * rng.normal(size=64)
    w_best = np.linalg.lstsq(X, y, rcond=None)[0]
    for b, epochs in [(64, 300), (16, 100), (1, 30)]:
        w, updates = minibatch_gd(X, y, batch_size=b, lr=0.05, epochs=epochs)
        assert updates == epochs * -(-64 // b)
        assert np.allclose(w, w_best, atol=0.02), b
    grads = X * (X @ np.zeros(3) - y)[:, None]
    assert minibatch_gradient_variance(grads, 64) == 0.0  # the full batch has no noise
    print("BGD, mini-batch and SGD all reach the least-squares solution")
