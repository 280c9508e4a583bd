"""Gaussian class-conditionals with a shared covariance (generative) give a logistic posterior."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _check(mu0: np.ndarray, mu1: np.ndarray, cov: np.ndarray, prior1: float):
    mu0, mu1, cov = (np.asarray(a, dtype=np.float64) for a in (mu0, mu1, cov))
    d = mu0.shape[0] if mu0.ndim == 1 else -1
    if mu0.shape != (d,) or mu1.shape != (d,) or cov.shape != (d, d):
        raise ValueError(
            f"mu0, mu1 must be (d,) and cov (d, d), got {mu0.shape}, {mu1.shape}, {cov.shape}"
        )
    if not np.allclose(cov, cov.T) or np.linalg.eigvalsh(cov).min() <= 0:
        raise ValueError("cov must be symmetric positive definite")
    if not 0 < prior1 < 1:
        raise ValueError(f"prior1 must be in (0, 1), got {prior1}")
    return mu0, mu1, cov


# --8<-- [end:check]


# --8<-- [start:bayes]
def posterior_by_bayes(
    x: np.ndarray, mu0: np.ndarray, mu1: np.ndarray, cov: np.ndarray, prior1: float
) -> np.ndarray:
    """P(y=1 | x) from the joint model p(x | y) p(y) by Bayes' rule; x is (n, d)."""
    mu0, mu1, cov = _check(mu0, mu1, cov, prior1)
    prec = np.linalg.inv(cov)

    def log_joint(mu: np.ndarray, prior: float) -> np.ndarray:
        diff = np.asarray(x, dtype=np.float64) - mu
        # Gaussian log-density without the constant shared by both classes, plus log prior;
        # maha is the squared Mahalanobis distance of x from the class mean.
        maha = np.einsum("nd,de,ne->n", diff, prec, diff)
        return -0.5 * maha + np.log(prior)

    l0, l1 = log_joint(mu0, 1 - prior1), log_joint(mu1, prior1)
    return 1.0 / (1.0 + np.exp(l0 - l1))


# --8<-- [end:bayes]


# --8<-- [start:logistic]
def logistic_parameters(
    mu0: np.ndarray, mu1: np.ndarray, cov: np.ndarray, prior1: float
) -> tuple[np.ndarray, float]:
    """(w, b) with P(y=1 | x) = sigmoid(w·x + b) for the shared-covariance Gaussian model."""
    mu0, mu1, cov = _check(mu0, mu1, cov, prior1)
    prec = np.linalg.inv(cov)
    w = prec @ (mu1 - mu0)
    b = -0.5 * mu1 @ prec @ mu1 + 0.5 * mu0 @ prec @ mu0 + np.log(prior1 / (1 - prior1))
    return w, float(b)


# --8<-- [end:logistic]


if __name__ == "__main__":
    m0, m1, s = np.array([0.0, 0.0]), np.array([2.0, 1.0]), np.array([[1.0, 0.3], [0.3, 2.0]])
    pts = np.random.default_rng(0).normal(size=(5, 2))
    w, b = logistic_parameters(m0, m1, s, 0.3)
    assert np.allclose(posterior_by_bayes(pts, m0, m1, s, 0.3), 1 / (1 + np.exp(-(pts @ w + b))))
    print("w =", w.round(4), "b =", round(b, 4))
