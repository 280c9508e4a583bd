"""Input normalisation: min-max scaling, z-score, and why it speeds up gradient descent.

Statistics are fitted on the training set and reused for new data, like
scikit-learn's MinMaxScaler and StandardScaler (a constant feature maps to 0).
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _check_features(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n_samples >= 1, n_features), got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    return x


# --8<-- [end:check]


# --8<-- [start:scalers]
def min_max_scale(x_train: np.ndarray, x: np.ndarray | None = None) -> np.ndarray:
    """(x - min) / (max - min) per feature, min and max taken from x_train."""
    x_train = _check_features(x_train, "x_train")
    x = x_train if x is None else _check_features(x, "x")
    lo, hi = x_train.min(axis=0), x_train.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)  # a constant feature: avoid 0 / 0
    return (x - lo) / span


def z_score(x_train: np.ndarray, x: np.ndarray | None = None) -> np.ndarray:
    """(x - mean) / std per feature, mean and (biased) std taken from x_train."""
    x_train = _check_features(x_train, "x_train")
    x = x_train if x is None else _check_features(x, "x")
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    # Test "constant" on the data: rounding can leave a constant column a std of 1e-14.
    constant = x_train.max(axis=0) == x_train.min(axis=0)
    return (x - mean) / np.where(constant, 1.0, std)


# --8<-- [end:scalers]


# --8<-- [start:gd]
def condition_number(x: np.ndarray) -> float:
    """kappa = lambda_max / lambda_min of the Hessian X^T X / n of the least-squares loss."""
    x = _check_features(x, "x")
    eig = np.linalg.eigvalsh(x.T @ x / len(x))
    if eig[0] <= 0:
        raise ValueError("x must have linearly independent columns (Hessian is singular)")
    return float(eig[-1] / eig[0])


def gradient_descent(x: np.ndarray, y: np.ndarray, w0: np.ndarray, steps: int) -> np.ndarray:
    """Iterates of GD on L(w) = ||x w - y||^2 / (2n), step 2 / (lambda_max + lambda_min)."""
    x = _check_features(x, "x")
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(w0, dtype=np.float64)
    if y.shape != (len(x),) or w.shape != (x.shape[1],):
        raise ValueError(f"y must have shape ({len(x)},) and w0 ({x.shape[1]},)")
    hessian = x.T @ x / len(x)
    eig = np.linalg.eigvalsh(hessian)
    lr = 2.0 / (eig[-1] + eig[0])  # the best fixed step for a quadratic
    path = [w]
    for _ in range(steps):  # a loop over steps, not over data points
        w = w - lr * (hessian @ w - x.T @ y / len(x))
        path.append(w)
    return np.array(path)


def steps_to_converge(x: np.ndarray, y: np.ndarray, tol: float = 1e-6) -> int:
    """GD steps from w = 0 until ||w - w*|| <= tol * ||w*||."""
    x = _check_features(x, "x")
    w_star = np.linalg.lstsq(x, y, rcond=None)[0]
    path = gradient_descent(x, y, np.zeros(x.shape[1]), steps=10_000)
    err = np.linalg.norm(path - w_star, axis=1)
    done = np.nonzero(err <= tol * np.linalg.norm(w_star))[0]
    if done.size == 0:
        raise ValueError("no convergence within 10000 steps")
    return int(done[0])


# --8<-- [end:gd]


# --8<-- [start:data]
def make_regression(n: int = 200, scale: float = 5.0, seed: int = 0):
    """Two independent features, the second `scale` times larger; y = x @ w_true + noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)) * np.array([1.0, scale])
    x -= x.mean(axis=0)  # centred, so only the scales differ
    y = x @ np.array([1.0, 0.5]) + 0.1 * rng.normal(size=n)
    return x, y - y.mean()


# --8<-- [end:data]


def plot_gd_paths(scale: float = 5.0, steps: int = 25):
    """Loss contours and GD paths in weight space, raw features vs z-scored features."""
    import matplotlib.pyplot as plt

    x_raw, y = make_regression(scale=scale)
    fig, axs = plt.subplots(1, 2, figsize=(10, 4.6))
    for ax, x, title in [
        (axs[0], x_raw, f"原始特征（尺度 1 : {scale:g}）"),
        (axs[1], z_score(x_raw), "z-score 之后"),
    ]:
        w_star = np.linalg.lstsq(x, y, rcond=None)[0]
        w0 = w_star + np.array([-1.5, 0.6])
        path = gradient_descent(x, y, w0, steps)
        g1, g2 = np.meshgrid(
            np.linspace(w_star[0] - 2, w_star[0] + 2, 120),
            np.linspace(w_star[1] - 1, w_star[1] + 1, 120),
        )
        grid = np.stack([g1.ravel(), g2.ravel()], axis=1)
        loss = ((grid @ x.T - y) ** 2).mean(axis=1).reshape(g1.shape) / 2
        ax.contour(
            g1, g2, loss, levels=np.quantile(loss, np.linspace(0.01, 0.6, 12)), cmap="viridis"
        )
        ax.plot(path[:, 0], path[:, 1], "o-", color="C3", ms=3, lw=1.2, label="梯度下降")
        ax.plot(*w_star, "*", color="C1", ms=12, label="最优解")
        ax.set_aspect("equal")
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        ax.set_title(f"{title}，κ = {condition_number(x):.1f}")
        ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    demo = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
    assert np.allclose(min_max_scale(demo), [[0, 0], [0.5, 0.2], [1, 1]])
    assert np.allclose(z_score(demo).mean(axis=0), 0)
    assert np.allclose(z_score(demo).std(axis=0), 1)
    x_raw, y_raw = make_regression()
    assert condition_number(z_score(x_raw)) < 1.5 < 20 < condition_number(x_raw)
    assert steps_to_converge(z_score(x_raw), y_raw) < steps_to_converge(x_raw, y_raw)
    print("kappa raw:", condition_number(x_raw), "z-scored:", condition_number(z_score(x_raw)))
