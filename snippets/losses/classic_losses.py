"""Log loss, hinge loss (with a subgradient), Huber and smooth L1 losses in numpy."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _check_pair(a: np.ndarray, b: np.ndarray, names: str) -> tuple[np.ndarray, np.ndarray]:
    """Two same-shape, non-empty, finite float arrays."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
        raise TypeError(f"{names} must be arrays of real numbers")
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"{names} must have the same non-empty shape, got {a.shape}, {b.shape}")
    a, b = a.astype(np.float64), b.astype(np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError(f"{names} must be finite")
    return a, b


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray | float:
    """'mean' and 'sum' give a float, 'none' the per-element array (as in PyTorch)."""
    if reduction == "mean":
        return float(loss.mean())
    if reduction == "sum":
        return float(loss.sum())
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


# --8<-- [end:check]


# --8<-- [start:log_loss]
def log_loss(y_true: np.ndarray, y_prob: np.ndarray) -> float:
    """Mean -[y log p + (1 - y) log(1 - p)] for labels y in {0, 1} and probabilities p."""
    y, p = _check_pair(y_true, y_prob, "y_true and y_prob")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y_true must contain only 0 and 1")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("y_prob must lie in [0, 1]")
    # Only the probability given to the true class counts: p if y = 1, 1 - p if y = 0.
    p_true = np.where(y == 1, p, 1.0 - p)
    with np.errstate(divide="ignore"):
        return float(-np.mean(np.log(p_true)))  # inf if a true class got probability 0


# --8<-- [end:log_loss]


# --8<-- [start:hinge]
def _check_signs(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y, s = _check_pair(y_true, scores, "y_true and scores")
    if not np.all(np.abs(y) == 1):
        raise ValueError("y_true must contain only -1 and +1")
    return y, s


def hinge_loss(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Mean max(0, 1 - y f(x)) for labels y in {-1, +1} and real scores f(x)."""
    y, s = _check_signs(y_true, scores)
    return float(np.mean(np.maximum(0.0, 1.0 - y * s)))


def hinge_subgradient(y_true: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """A subgradient of hinge_loss w.r.t. scores: -y / N where the margin y f < 1, else 0."""
    y, s = _check_signs(y_true, scores)
    # At y f = 1 exactly, any value in [-y, 0] / N is a subgradient; 0 is chosen.
    return np.where(y * s < 1.0, -y, 0.0) / y.size


# --8<-- [end:hinge]


# --8<-- [start:huber]
def huber_loss(
    input: np.ndarray,  # PyTorch's argument name
    target: np.ndarray,
    reduction: str = "mean",
    delta: float = 1.0,
) -> np.ndarray | float:
    """Huber: d^2 / 2 if |d| <= delta else delta (|d| - delta / 2), with d = input - target."""
    x, t = _check_pair(input, target, "input and target")
    if not delta > 0:
        raise ValueError(f"delta must be > 0, got {delta}")
    d = np.abs(x - t)
    return _reduce(np.where(d <= delta, 0.5 * d**2, delta * (d - 0.5 * delta)), reduction)


def huber_grad(input: np.ndarray, target: np.ndarray, delta: float = 1.0) -> np.ndarray:
    """Gradient of the mean Huber loss: clip(d, -delta, delta) / N, never above delta."""
    x, t = _check_pair(input, target, "input and target")
    if not delta > 0:
        raise ValueError(f"delta must be > 0, got {delta}")
    return np.clip(x - t, -delta, delta) / x.size


def smooth_l1_loss(
    input: np.ndarray,
    target: np.ndarray,
    reduction: str = "mean",
    beta: float = 1.0,
) -> np.ndarray | float:
    """Smooth L1 (PyTorch's form): 0.5 d^2 / beta if |d| < beta else |d| - beta / 2."""
    x, t = _check_pair(input, target, "input and target")
    if not beta >= 0:
        raise ValueError(f"beta must be >= 0, got {beta}")
    d = np.abs(x - t)
    if beta == 0:  # the quadratic piece vanishes: plain L1
        return _reduce(d, reduction)
    return _reduce(np.where(d < beta, 0.5 * d**2 / beta, d - 0.5 * beta), reduction)


# --8<-- [end:huber]


# --8<-- [start:plot]
def plot_losses():
    """Regression losses against the residual; classification losses against the margin."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    d = np.linspace(-3, 3, 601)
    left.plot(d, 0.5 * d**2, label="MSE ½d²")
    left.plot(d, np.abs(d), label="L1 |d|")
    for delta in (1.0, 0.5):
        left.plot(d, huber_loss(d, np.zeros_like(d), "none", delta), label=f"Huber δ = {delta}")
    left.set_ylim(0, 3)
    left.set_xlabel("残差 d = 预测 − 真值")
    left.set_title("回归损失")
    left.legend(fontsize=8)

    m = np.linspace(-2, 3, 501)
    right.plot(m, (m <= 0).astype(float), label="0-1 损失")
    right.plot(m, np.maximum(0, 1 - m), label="hinge max(0, 1 − m)")
    right.plot(m, np.log1p(np.exp(-m)) / np.log(2), label=r"logistic $\log_2(1 + e^{-m})$")
    right.plot(m, np.exp(-m), label="指数 exp(−m)（AdaBoost）")
    right.set_ylim(0, 3)
    right.set_xlabel("间隔 m = y·f(x)")
    right.set_title("分类损失")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    assert np.isclose(log_loss(np.array([1, 0]), np.array([0.8, 0.4])), -np.log(0.8 * 0.6) / 2)
    y, s = np.array([1, -1, 1]), np.array([2.0, 0.5, 0.3])
    assert np.isclose(hinge_loss(y, s), (0 + 1.5 + 0.7) / 3)
    assert np.allclose(hinge_subgradient(y, s), [0, 1 / 3, -1 / 3])
    pred, true = np.array([0.0, 0.5, 3.0]), np.zeros(3)
    assert np.isclose(huber_loss(pred, true), (0 + 0.125 + 2.5) / 3)
    for width in (0.5, 1.0, 2.0):
        huber = huber_loss(pred, true, delta=width)
        assert np.isclose(smooth_l1_loss(pred, true, beta=width), huber / width)
    print("Huber:", huber_loss(pred, true), " smooth L1:", smooth_l1_loss(pred, true))
