"""Overfitting and its remedies: polynomial fits, inverted dropout, early stopping, ensembles."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:poly]
def true_function(x: np.ndarray) -> np.ndarray:
    """The function that generates the demo data."""
    return np.sin(2 * np.pi * x)


def poly_fit_errors(
    n_train: int, degree: int, noise: float = 0.3, n_test: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """Train and test MSE of a least-squares polynomial of `degree` fitted to n_train samples."""
    if n_train < 1 or degree < 0:
        raise ValueError(f"n_train must be >= 1 and degree >= 0, got {n_train}, {degree}")
    rng = np.random.default_rng(seed)
    x_tr = rng.uniform(0, 1, n_train)
    y_tr = true_function(x_tr) + noise * rng.normal(size=n_train)
    x_te = rng.uniform(0, 1, n_test)
    y_te = true_function(x_te) + noise * rng.normal(size=n_test)
    # Vandermonde matrix in the variable 2x - 1, which keeps it well conditioned on [0, 1].
    coef = np.linalg.lstsq(np.vander(2 * x_tr - 1, degree + 1), y_tr, rcond=None)[0]
    train_mse = np.mean((np.vander(2 * x_tr - 1, degree + 1) @ coef - y_tr) ** 2)
    test_mse = np.mean((np.vander(2 * x_te - 1, degree + 1) @ coef - y_te) ** 2)
    return float(train_mse), float(test_mse)


# --8<-- [end:poly]


# --8<-- [start:dropout]
def dropout(
    x: np.ndarray, p: float, training: bool = True, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Inverted dropout: zero each entry with probability p and scale the rest by 1 / (1 - p)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be in [0, 1], got {p}")
    x = np.asarray(x, dtype=np.float64)
    if not training or p == 0.0:
        return x.copy()  # evaluation: identity, nothing to rescale
    if p == 1.0:
        return np.zeros_like(x)  # every unit dropped (what torch does too)
    rng = np.random.default_rng() if rng is None else rng
    keep = rng.random(x.shape) >= p
    return np.where(keep, x / (1.0 - p), 0.0)


# --8<-- [end:dropout]


# --8<-- [start:early_stopping]
def early_stopping(
    val_losses: list[float], patience: int, min_delta: float = 0.0
) -> tuple[int, int]:
    """(best_epoch, stop_epoch): stop after `patience` epochs without an improvement > min_delta.

    If training never triggers the rule, stop_epoch is the last epoch.
    """
    if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
        raise ValueError(f"patience must be an int >= 1, got {patience!r}")
    losses = np.asarray(val_losses, dtype=np.float64)
    if losses.ndim != 1 or losses.size == 0 or not np.isfinite(losses).all():
        raise ValueError("val_losses must be a non-empty 1-D sequence of finite numbers")
    best_epoch, best, wait = 0, losses[0], 0
    for epoch in range(1, len(losses)):  # epochs arrive one at a time during training
        if losses[epoch] < best - min_delta:
            best_epoch, best, wait = epoch, losses[epoch], 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(losses) - 1


# --8<-- [end:early_stopping]


# --8<-- [start:ensemble]
def ensemble_variance(sigma2: float, rho: float, k: int) -> float:
    """Variance of the mean of k predictions, each with variance sigma2 and pairwise corr rho."""
    if k < 1 or sigma2 < 0 or not -1.0 / max(k - 1, 1) <= rho <= 1.0:
        raise ValueError(
            f"need k >= 1, sigma2 >= 0, -1/(k-1) <= rho <= 1; got {k}, {sigma2}, {rho}"
        )
    return rho * sigma2 + (1.0 - rho) * sigma2 / k


# --8<-- [end:ensemble]


def plot_poly_fits():
    """A degree-9 polynomial on 12 points (overfits) versus on 200 points."""
    import matplotlib.pyplot as plt

    grid = np.linspace(0, 1, 400)
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, n in zip(axs, [12, 200], strict=True):
        rng = np.random.default_rng(0)
        x = rng.uniform(0, 1, n)
        y = true_function(x) + 0.3 * rng.normal(size=n)
        coef = np.linalg.lstsq(np.vander(2 * x - 1, 10), y, rcond=None)[0]
        ax.plot(x, y, ".", color="0.5", label="训练样本")
        ax.plot(grid, true_function(grid), "--", color="C2", label="真实函数")
        ax.plot(grid, np.vander(2 * grid - 1, 10) @ coef, color="C3", label="9 次多项式")
        ax.set_ylim(-2, 2)
        ax.set_title(f"{n} 个训练样本")
        ax.set_xlabel("$x$")
        ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    small_train, small_test = poly_fit_errors(12, 9)
    big_train, big_test = poly_fit_errors(200, 9)
    assert small_train < big_train
    assert small_test > 3 * big_test
    rng = np.random.default_rng(0)
    out = dropout(np.ones(100_000), 0.3, rng=rng)
    assert set(np.unique(out)) == {0.0, 1 / 0.7}
    assert abs(out.mean() - 1) < 0.01
    assert np.array_equal(dropout(np.arange(3.0), 0.5, training=False), np.arange(3.0))
    assert early_stopping([5, 4, 3, 3.5, 3.2, 3.1, 2.0], patience=3) == (2, 5)
    assert ensemble_variance(1.0, 0.0, 4) == 0.25
    assert ensemble_variance(1.0, 1.0, 4) == 1.0
