"""MSE vs cross-entropy on a sigmoid output: gradients, curvature and a tiny training run."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:losses]
def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _check(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if np.any(~((y >= 0) & (y <= 1))):
        raise ValueError("y must lie in [0, 1]")
    if not np.all(np.isfinite(z)):
        raise ValueError("z must be finite")
    return z, y


def mse_loss(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """0.5 * (sigmoid(z) - y)^2 per sample."""
    z, y = _check(z, y)
    return 0.5 * (_sigmoid(z) - y) ** 2


def mse_grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dMSE/dz = (a - y) * a * (1 - a): the factor sigma'(z) = a (1 - a) stays."""
    z, y = _check(z, y)
    a = _sigmoid(z)
    return (a - y) * a * (1.0 - a)


def ce_loss(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """-y log a - (1 - y) log(1 - a) per sample, computed from z without overflow."""
    z, y = _check(z, y)
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def ce_grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dCE/dz = a - y: sigma'(z) cancels."""
    z, y = _check(z, y)
    return _sigmoid(z) - y


# --8<-- [end:losses]


# --8<-- [start:curvature]
def mse_curvature(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d^2 MSE / dz^2 = a (1 - a) [a (1 - a) + (a - y)(1 - 2a)]; for y = 1: a (1-a)^2 (3a - 1)."""
    z, y = _check(z, y)
    a = _sigmoid(z)
    return a * (1 - a) * (a * (1 - a) + (a - y) * (1 - 2 * a))


# --8<-- [end:curvature]


# --8<-- [start:train]
def train_neuron(loss: str, w0: float, x: float, y: float, lr: float, steps: int) -> np.ndarray:
    """Gradient descent on one weight w of a = sigmoid(w x); returns w after each step."""
    grads = {"mse": mse_grad, "ce": ce_grad}
    if loss not in grads:
        raise ValueError(f"loss must be 'mse' or 'ce', got {loss!r}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    w, history = float(w0), []
    for _ in range(steps):  # a loop over steps, not over data
        w -= lr * float(grads[loss](np.array(w * x), np.array(y))) * x  # dz/dw = x
        history.append(w)
    return np.array(history)


# --8<-- [end:train]


# --8<-- [start:plot]
def plot_mse_vs_ce():
    """Loss and |dL/dz| of MSE and CE for a positive sample (y = 1) as z varies."""
    import matplotlib.pyplot as plt

    z = np.linspace(-8, 8, 401)
    y = np.ones_like(z)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.plot(z, ce_loss(z, y), label="交叉熵 −log σ(z)")
    left.plot(z, mse_loss(z, y), label="MSE ½(σ(z) − 1)²")
    left.axvspan(-8, np.log(0.5), alpha=0.12, label="MSE 非凸区 σ(z) < 1/3")
    left.set_xlabel("z（y = 1）")
    left.set_title("损失")
    left.legend(fontsize=8)
    right.plot(z, np.abs(ce_grad(z, y)), label="|∂CE/∂z| = 1 − σ(z)")
    right.plot(z, np.abs(mse_grad(z, y)), label="|∂MSE/∂z|")
    right.set_xlabel("z（y = 1）")
    right.set_title("梯度大小")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    wrong = np.array(-6.0)  # confidently wrong for y = 1
    assert abs(mse_grad(wrong, 1.0)) < 0.003 < 0.99 < abs(ce_grad(wrong, 1.0))
    assert mse_curvature(np.array(-3.0), 1.0) < 0 < mse_curvature(np.array(0.0), 1.0)
    w_ce = train_neuron("ce", -6.0, 1.0, 1.0, lr=1.0, steps=20)
    w_mse = train_neuron("mse", -6.0, 1.0, 1.0, lr=1.0, steps=20)
    assert w_ce[-1] > 2
    assert w_mse[-1] < -5
    print("w after 20 steps: CE", w_ce[-1], " MSE", w_mse[-1])
