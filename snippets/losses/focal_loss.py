"""Sigmoid focal loss (RetinaNet) from logits, with torchvision.ops' signature, and its gradient."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:helpers]
def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _check(inputs, targets, alpha, gamma) -> tuple[np.ndarray, np.ndarray]:
    z, y = np.asarray(inputs), np.asarray(targets)
    if z.dtype.kind not in "iuf" or y.dtype.kind not in "biuf":
        raise TypeError("inputs and targets must be arrays of real numbers")
    if z.shape != y.shape:
        raise ValueError(f"inputs and targets must have the same shape: {z.shape}, {y.shape}")
    z, y = z.astype(np.float64), y.astype(np.float64)
    if not np.all(np.isfinite(z)):
        raise ValueError("inputs (logits) must be finite")
    if np.any(~((y >= 0) & (y <= 1))):
        raise ValueError("targets must lie in [0, 1]")
    if alpha is not None and not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be None or in [0, 1], got {alpha}")
    if not gamma >= 0:
        raise ValueError(f"gamma must be >= 0, got {gamma}")
    return z, y


# --8<-- [end:helpers]


# --8<-- [start:focal_loss]
def sigmoid_focal_loss(
    inputs: np.ndarray,
    targets: np.ndarray,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
    reduction: str = "none",
) -> np.ndarray | float:
    """FL = -alpha_t (1 - p_t)^gamma log p_t per element, p = sigmoid(inputs)."""
    z, y = _check(inputs, targets, alpha, gamma)
    p, q = _sigmoid(z), _sigmoid(-z)  # q = 1 - p, accurate also when p is near 1
    # -log p_t as binary cross-entropy from logits (never log of 0).
    ce = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    one_minus_pt = p * (1 - y) + q * y
    loss = ce * one_minus_pt**gamma
    if alpha is not None:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    if reduction == "none":
        return loss
    if reduction in ("mean", "sum"):
        return float(loss.mean() if reduction == "mean" else loss.sum())
    raise ValueError(f"reduction must be 'none', 'mean' or 'sum', got {reduction!r}")


# --8<-- [end:focal_loss]


# --8<-- [start:focal_grad]
def sigmoid_focal_loss_grad(
    inputs: np.ndarray,
    targets: np.ndarray,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
) -> np.ndarray:
    """d FL / d inputs, element by element (reduction 'none')."""
    z, y = _check(inputs, targets, alpha, gamma)
    p, q = _sigmoid(z), _sigmoid(-z)
    ce = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    m = p * (1 - y) + q * y  # m = 1 - p_t;  dm/dz = p (1 - p) (1 - 2y)
    with np.errstate(divide="ignore", invalid="ignore"):
        # gamma m^(gamma - 1) dm/dz; where m = 0 the factor p (1 - p) is 0 too.
        dmod = np.where(m > 0, gamma * m ** (gamma - 1) * p * q * (1 - 2 * y), 0.0)
    grad = (p - y) * m**gamma + ce * dmod  # product rule on ce * m^gamma
    if alpha is not None:
        grad = (alpha * y + (1 - alpha) * (1 - y)) * grad
    return grad


# --8<-- [end:focal_grad]


# --8<-- [start:plot]
def plot_focal_loss():
    """FL against p_t for several gamma (alpha left out), as in Fig. 1 of the RetinaNet paper."""
    import matplotlib.pyplot as plt

    p_t = np.linspace(0.001, 0.999, 500)
    logits = np.log(p_t) - np.log1p(-p_t)  # sigmoid(logit) = p_t for a positive sample
    fig, ax = plt.subplots(figsize=(6, 4))
    for gamma in (0, 0.5, 1, 2, 5):
        loss = sigmoid_focal_loss(logits, np.ones_like(p_t), alpha=None, gamma=gamma)
        ax.plot(p_t, loss, label=f"γ = {gamma}" + ("（交叉熵）" if gamma == 0 else ""))
    ax.axvspan(0.6, 1.0, alpha=0.12, label="易分样本 pₜ > 0.6")
    ax.set_xlabel("真实类别的预测概率 pₜ")
    ax.set_ylabel("损失")
    ax.set_ylim(0, 5)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    z = np.array([0.0, 2.0, -3.0, 50.0])
    y = np.array([1.0, 0.0, 1.0, 1.0])
    fl = sigmoid_focal_loss(z, y)
    assert np.isclose(fl[0], 0.25 * 0.5**2 * np.log(2))
    ce = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    assert np.allclose(sigmoid_focal_loss(z, y, alpha=None, gamma=0.0), ce)
    h = 1e-6
    numeric = (sigmoid_focal_loss(z + h, y) - sigmoid_focal_loss(z - h, y)) / (2 * h)
    assert np.allclose(sigmoid_focal_loss_grad(z, y), numeric, atol=1e-8)
    print("focal loss:", fl)
