"""L1 and L2 regularisation: weight-decay steps, soft-thresholding, ISTA Lasso, ridge, geometry.

Objectives follow scikit-learn: Lasso minimises ||y - Xw||^2 / (2n) + alpha * ||w||_1,
Ridge minimises ||y - Xw||^2 + alpha * ||w||^2 (no intercept here).
"""

# --8<-- [start:imports]
import itertools

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _check_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x must have shape (n_samples >= 1, n_features >= 1), got {x.shape}")
    if y.shape != (x.shape[0],):
        raise ValueError(f"y must have shape ({x.shape[0]},), got {y.shape}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must not contain NaN or inf")
    return x, y


def _check_nonneg(value: float, name: str) -> float:
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return float(value)


# --8<-- [end:check]


# --8<-- [start:steps]
def sgd_l2_step(w: np.ndarray, grad: np.ndarray, lr: float, weight_decay: float) -> np.ndarray:
    """One SGD step on L(w) + weight_decay / 2 * ||w||^2: w <- (1 - lr * wd) * w - lr * grad."""
    w, grad = np.asarray(w, dtype=np.float64), np.asarray(grad, dtype=np.float64)
    if w.shape != grad.shape:
        raise ValueError(f"grad must have the shape of w {w.shape}, got {grad.shape}")
    return (1.0 - lr * weight_decay) * w - lr * grad


def sgd_l1_step(w: np.ndarray, grad: np.ndarray, lr: float, l1: float) -> np.ndarray:
    """One subgradient step on L(w) + l1 * ||w||_1 (sign(0) = 0 is a valid subgradient)."""
    w, grad = np.asarray(w, dtype=np.float64), np.asarray(grad, dtype=np.float64)
    if w.shape != grad.shape:
        raise ValueError(f"grad must have the shape of w {w.shape}, got {grad.shape}")
    return w - lr * grad - lr * l1 * np.sign(w)


def soft_threshold(v: np.ndarray, tau: float) -> np.ndarray:
    """Proximal operator of tau * ||w||_1: sign(v) * max(|v| - tau, 0)."""
    tau = _check_nonneg(tau, "tau")
    v = np.asarray(v, dtype=np.float64)
    return np.sign(v) * np.maximum(np.abs(v) - tau, 0.0)


# --8<-- [end:steps]


# --8<-- [start:solvers]
def lasso_ista(
    x: np.ndarray, y: np.ndarray, alpha: float, n_iter: int = 5000, tol: float = 1e-10
) -> np.ndarray:
    """Minimise ||y - Xw||^2 / (2n) + alpha * ||w||_1 by proximal gradient descent (ISTA)."""
    x, y = _check_xy(x, y)
    alpha = _check_nonneg(alpha, "alpha")
    n = len(x)
    lipschitz = np.linalg.eigvalsh(x.T @ x / n)[-1]  # largest curvature of the smooth part
    lr = 1.0 / lipschitz if lipschitz > 0 else 1.0
    w = np.zeros(x.shape[1])
    for _ in range(n_iter):  # iterations, not data points
        grad = x.T @ (x @ w - y) / n
        w_new = soft_threshold(w - lr * grad, lr * alpha)
        if np.max(np.abs(w_new - w)) <= tol:
            return w_new
        w = w_new
    return w


def ridge_closed_form(x: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """Minimise ||y - Xw||^2 + alpha * ||w||^2: w = (X^T X + alpha I)^(-1) X^T y."""
    x, y = _check_xy(x, y)
    alpha = _check_nonneg(alpha, "alpha")
    return np.linalg.solve(x.T @ x + alpha * np.eye(x.shape[1]), x.T @ y)


# --8<-- [end:solvers]


# --8<-- [start:experiment]
def make_sparse_regression(
    n: int = 100, d: int = 20, n_informative: int = 3, noise: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """y = X w_true + noise, where only n_informative of the d coefficients are non-zero."""
    if not 0 <= n_informative <= d:
        raise ValueError(f"n_informative must be in [0, d={d}], got {n_informative}")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    w_true = np.zeros(d)
    w_true[:n_informative] = rng.choice([-1.0, 1.0], size=n_informative) * rng.uniform(
        2.0, 4.0, size=n_informative
    )
    return x, x @ w_true + noise * rng.normal(size=n), w_true


def count_zeros(w: np.ndarray) -> int:
    """Number of coefficients that are exactly 0.0."""
    return int(np.count_nonzero(np.asarray(w) == 0.0))


# --8<-- [end:experiment]


# --8<-- [start:oscillation]
def l1_paths(
    a: float = 0.3, l1: float = 1.0, lr: float = 0.1, steps: int = 60, w0: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """Iterates on f(w) = (w - a)^2 / 2 + l1 * |w| (minimiser 0 when |a| <= l1).

    Returns the subgradient-descent path and the proximal-gradient path.
    """
    sub, prox = [float(w0)], [float(w0)]
    for _ in range(steps):
        w = np.array([sub[-1]])
        sub.append(float(sgd_l1_step(w, w - a, lr, l1)[0]))
        v = prox[-1] - lr * (prox[-1] - a)  # gradient step on the smooth part only
        prox.append(float(soft_threshold(np.array([v]), lr * l1)[0]))
    return np.array(sub), np.array(prox)


# --8<-- [end:oscillation]


# --8<-- [start:geometry]
def _quadratic(w: np.ndarray, h: np.ndarray, w_star: np.ndarray) -> np.ndarray:
    d = w - w_star
    return 0.5 * np.einsum("...i,ij,...j->...", d, h, d)


def constrained_minimisers(
    h: np.ndarray, w_star: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Minimisers of (w - w*)^T H (w - w*) / 2 on the L1 ball and on the L2 ball (2-D)."""
    h, w_star = np.asarray(h, dtype=np.float64), np.asarray(w_star, dtype=np.float64)
    if h.shape != (2, 2) or w_star.shape != (2,):
        raise ValueError("h must have shape (2, 2) and w_star shape (2,)")
    if np.linalg.eigvalsh(h)[0] <= 0:
        raise ValueError("h must be symmetric positive definite")
    if np.abs(w_star).sum() <= radius:
        raise ValueError("w_star must lie outside the L1 ball (else the constraint is inactive)")
    # L1 ball: the optimum is on the boundary, made of 4 segments from corner p to corner q.
    corners = radius * np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]], dtype=np.float64)
    best = None
    for p, q in itertools.pairwise(corners):
        e = q - p  # minimise the quadratic along p + t e, t in [0, 1], in closed form
        t = np.clip(e @ h @ (w_star - p) / (e @ h @ e), 0.0, 1.0)
        cand = p + t * e
        if best is None or _quadratic(cand, h, w_star) < _quadratic(best, h, w_star):
            best = cand
    # L2 ball: w(mu) = (H + mu I)^(-1) H w* with ||w(mu)|| = radius; bisection on mu >= 0.
    lo, hi = 0.0, 1.0
    while np.linalg.norm(np.linalg.solve(h + hi * np.eye(2), h @ w_star)) > radius:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.linalg.norm(np.linalg.solve(h + mid * np.eye(2), h @ w_star)) > radius:
            lo = mid
        else:
            hi = mid
    w_l2 = np.linalg.solve(h + hi * np.eye(2), h @ w_star)
    return best, w_l2


GEOMETRY_H = np.array([[1.0, 0.3], [0.3, 1.5]])
GEOMETRY_W_STAR = np.array([2.2, 0.6])


# --8<-- [end:geometry]


def plot_geometry(radius: float = 1.0):
    """Loss contours touching the L1 ball (at a corner) and the L2 ball (off the axes)."""
    import matplotlib.pyplot as plt

    h, w_star = GEOMETRY_H, GEOMETRY_W_STAR
    w_l1, w_l2 = constrained_minimisers(h, w_star, radius)
    g1, g2 = np.meshgrid(np.linspace(-1.6, 3.2, 300), np.linspace(-1.6, 2.6, 300))
    loss = _quadratic(np.stack([g1, g2], axis=-1), h, w_star)
    theta = np.linspace(0, 2 * np.pi, 400)
    balls = [
        ("L1：菱形 |w₁| + |w₂| ≤ t", np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]])),
        ("L2：圆 w₁² + w₂² ≤ t²", np.stack([np.cos(theta), np.sin(theta)], axis=1)),
    ]
    fig, axs = plt.subplots(1, 2, figsize=(10, 4.6))
    for ax, (title, ball), w_opt in zip(axs, balls, [w_l1, w_l2], strict=True):
        level = _quadratic(w_opt, h, w_star)
        ax.contour(g1, g2, loss, levels=level * np.array([0.25, 1, 2.2, 4]), colors="C0")
        ax.fill(radius * ball[:, 0], radius * ball[:, 1], color="C1", alpha=0.3)
        ax.plot(radius * ball[:, 0], radius * ball[:, 1], color="C1")
        ax.plot(*w_star, "o", color="C0", label="无约束最优 w*")
        ax.plot(*w_opt, "o", color="C3", label=f"约束最优 ({w_opt[0]:.2f}, {w_opt[1]:.2f})")
        ax.axhline(0, color="0.6", lw=0.8)
        ax.axvline(0, color="0.6", lw=0.8)
        ax.set_aspect("equal")
        ax.set_title(title)
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def plot_l1_paths():
    """Subgradient descent on an L1 term oscillates around 0; the proximal step lands on 0."""
    import matplotlib.pyplot as plt

    sub, prox = l1_paths()
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.plot(sub, ".-", label="次梯度下降（SGD + L1）")
    ax.plot(prox, ".-", label="近端梯度（软阈值）")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("迭代步数")
    ax.set_ylabel("$w$")
    ax.legend()
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    assert np.allclose(sgd_l2_step(np.array([1.0]), np.array([0.5]), 0.1, 0.2), [0.98 - 0.05])
    assert soft_threshold(np.array([-3.0, -0.5, 0.0, 0.5, 3.0]), 1.0).tolist() == [
        -2.0,
        0.0,
        0.0,
        0.0,
        2.0,
    ]
    x, y, w_true = make_sparse_regression()
    w_lasso = lasso_ista(x, y, alpha=0.3)
    w_ridge = ridge_closed_form(x, y, alpha=10.0)
    assert count_zeros(w_lasso) >= 10
    assert count_zeros(w_ridge) == 0
    sub, prox = l1_paths()
    assert prox[-1] == 0.0
    assert np.all(sub[-10:] != 0.0)
    w_l1, w_l2 = constrained_minimisers(GEOMETRY_H, GEOMETRY_W_STAR, 1.0)
    assert w_l1[1] == 0.0
    assert np.all(w_l2 != 0.0)
    print("lasso zeros", count_zeros(w_lasso), "ridge zeros", count_zeros(w_ridge))
