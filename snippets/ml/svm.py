"""SVM kernels (scikit-learn's parameters), the hinge-loss primal and the dual decision function."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _check_xy(X: np.ndarray, Y: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    Y = X if Y is None else np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X and Y must be 2-D with the same number of features, got {X.shape}, {Y.shape}"
        )
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):
        raise ValueError("X and Y must be finite")
    return X, Y


def _gamma(gamma: float | None, X: np.ndarray) -> float:
    if gamma is None:
        return 1.0 / X.shape[1]  # scikit-learn's default for the pairwise kernels
    if not (isinstance(gamma, int | float) and gamma > 0):
        raise ValueError(f"gamma must be a number > 0, got {gamma!r}")
    return float(gamma)


# --8<-- [end:check]


# --8<-- [start:kernels]
def linear_kernel(X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
    """K(x, y) = x·y for every row pair -> (n_X, n_Y)."""
    X, Y = _check_xy(X, Y)
    return X @ Y.T


def polynomial_kernel(
    X: np.ndarray,
    Y: np.ndarray | None = None,
    degree: int = 3,
    gamma: float | None = None,
    coef0: float = 1.0,
) -> np.ndarray:
    """K(x, y) = (gamma x·y + coef0)^degree."""
    X, Y = _check_xy(X, Y)
    if not (isinstance(degree, int) and degree >= 1):
        raise ValueError(f"degree must be an int >= 1, got {degree!r}")
    return (_gamma(gamma, X) * (X @ Y.T) + coef0) ** degree


def rbf_kernel(
    X: np.ndarray, Y: np.ndarray | None = None, gamma: float | None = None
) -> np.ndarray:
    """K(x, y) = exp(-gamma ||x - y||^2), with ||x - y||^2 = ||x||^2 + ||y||^2 - 2 x·y."""
    X, Y = _check_xy(X, Y)
    sq = (X * X).sum(1)[:, None] + (Y * Y).sum(1)[None, :] - 2 * X @ Y.T
    return np.exp(-_gamma(gamma, X) * np.maximum(sq, 0.0))  # rounding can make sq slightly < 0


def sigmoid_kernel(
    X: np.ndarray, Y: np.ndarray | None = None, gamma: float | None = None, coef0: float = 1.0
) -> np.ndarray:
    """K(x, y) = tanh(gamma x·y + coef0); not positive semi-definite in general."""
    X, Y = _check_xy(X, Y)
    return np.tanh(_gamma(gamma, X) * (X @ Y.T) + coef0)


# --8<-- [end:kernels]


# --8<-- [start:primal]
def primal_objective(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, C: float) -> float:
    """Soft-margin SVM primal: 1/2 ||w||^2 + C * sum of hinge losses max(0, 1 - y (w·x + b))."""
    X, _ = _check_xy(X, None)
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if y.shape != (len(X),) or not np.isin(y, (-1.0, 1.0)).all():
        raise ValueError("y must be a vector of -1 / +1 labels, one per row of X")
    if w.shape != (X.shape[1],):
        raise ValueError(f"w must have shape ({X.shape[1]},), got {w.shape}")
    if not C > 0:
        raise ValueError(f"C must be > 0, got {C}")
    hinge = np.maximum(0.0, 1.0 - y * (X @ w + b))
    return float(0.5 * w @ w + C * hinge.sum())


# --8<-- [end:primal]


# --8<-- [start:decision]
def decision_function(
    support_vectors: np.ndarray, dual_coef: np.ndarray, intercept: float, X: np.ndarray, kernel
) -> np.ndarray:
    """f(x) = sum_i alpha_i y_i K(x_i, x) + b over support vectors (dual_coef = alpha_i y_i)."""
    dual_coef = np.asarray(dual_coef, dtype=np.float64).ravel()
    if dual_coef.shape != (len(support_vectors),):
        raise ValueError(
            f"dual_coef must hold one value per support vector ({len(support_vectors)})"
        )
    return kernel(X, support_vectors) @ dual_coef + intercept


# --8<-- [end:decision]


if __name__ == "__main__":
    A = np.array([[1.0, 0.0], [0.0, 2.0]])
    assert np.allclose(linear_kernel(A), [[1, 0], [0, 4]])
    assert np.allclose(polynomial_kernel(A, degree=2, gamma=1.0, coef0=1.0), [[4, 1], [1, 25]])
    assert np.allclose(rbf_kernel(A, gamma=0.5), [[1, np.exp(-2.5)], [np.exp(-2.5), 1]])
    assert np.allclose(np.diag(rbf_kernel(A)), 1.0)
    X = np.array([[2.0, 0.0], [-2.0, 0.0]])
    assert primal_objective(np.array([0.5, 0.0]), 0.0, X, np.array([1, -1]), C=1.0) == 0.125
    print(rbf_kernel(A, gamma=0.5).round(4))
