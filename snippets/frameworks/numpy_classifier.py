"""A softmax classifier and a two-layer ReLU network in numpy, CS231n-style, on spiral data."""

# --8<-- [start:imports]
import itertools
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# --8<-- [end:imports]


# --8<-- [start:spiral]
def make_spiral(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points on n_classes interleaved spiral arms in 2-D: X (N, 2), y (N,) in 0..K-1."""
    if n_per_class < 1 or n_classes < 2:
        raise ValueError("n_per_class must be >= 1 and n_classes >= 2")
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)  # radius
    k = np.repeat(np.arange(n_classes), n_per_class)
    theta = k * 4.0 + r * 4.0 + rng.normal(scale=noise, size=r.size)  # angle per arm
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return X, k


# --8<-- [end:spiral]


# --8<-- [start:whiteboard]
def softmax_ce(scores, y):
    """softmax 交叉熵的前向和反向：scores (N, K)，y (N,)；返回平均损失和 dL/dscores。"""
    n = scores.shape[0]
    z = scores - scores.max(axis=1, keepdims=True)  # 减去每行最大值，exp 不会上溢
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean()
    dscores = p.copy()
    dscores[np.arange(n), y] -= 1  # p - onehot(y)
    return loss, dscores / n


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _check_data(X: np.ndarray, y: np.ndarray, n_classes: int) -> None:
    """X of shape (N, D) and y of shape (N,) holding class indices in [0, n_classes)."""
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (N, D) and y (N,), got {X.shape} and {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"y must hold class indices in [0, {n_classes}), got {y.min()}..{y.max()}")


# --8<-- [end:check]


# --8<-- [start:softmax_loss]
def softmax_cross_entropy(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(scores) and its gradient with respect to scores."""
    shifted = scores - scores.max(axis=1, keepdims=True)  # same softmax, no overflow
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = scores.shape[0]
    loss = -log_probs[np.arange(n), y].mean()
    dscores = np.exp(log_probs)  # softmax p
    dscores[np.arange(n), y] -= 1.0  # dL/ds = (p - onehot(y)) / N
    return float(loss), dscores / n


def softmax_loss(
    W: np.ndarray, b: np.ndarray, X: np.ndarray, y: np.ndarray, reg: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """Linear softmax classifier: loss and gradients (dW, db), with L2 penalty 0.5 * reg * |W|^2."""
    _check_data(X, y, W.shape[1])
    loss, dscores = softmax_cross_entropy(X @ W + b, y)
    loss += 0.5 * reg * np.sum(W * W)
    return loss, X.T @ dscores + reg * W, dscores.sum(axis=0)


# --8<-- [end:softmax_loss]


# --8<-- [start:two_layer]
def two_layer_loss(
    params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, reg: float
) -> tuple[float, dict[str, np.ndarray]]:
    """X -> ReLU(X W1 + b1) -> W2 + b2 -> softmax: loss and a dict of gradients."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    _check_data(X, y, W2.shape[1])
    hidden = np.maximum(0.0, X @ W1 + b1)  # (N, hidden)
    loss, dscores = softmax_cross_entropy(hidden @ W2 + b2, y)
    loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dhidden = (dscores @ W2.T) * (hidden > 0)  # ReLU passes gradient where it was active
    grads = {
        "W2": hidden.T @ dscores + reg * W2,
        "b2": dscores.sum(axis=0),
        "W1": X.T @ dhidden + reg * W1,
        "b1": dhidden.sum(axis=0),
    }
    return loss, grads


# --8<-- [end:two_layer]


# --8<-- [start:train]
def init_params(sizes: list[int], seed: int = 0) -> dict[str, np.ndarray]:
    """Weights for layer sizes [D, ..., K] (one or two layers), He-scaled normal, zero biases."""
    if len(sizes) not in (2, 3):
        raise ValueError(f"sizes must be [D, K] or [D, hidden, K], got {sizes}")
    rng = np.random.default_rng(seed)
    params = {}
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes), start=1):
        params[f"W{i}"] = rng.normal(scale=np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        params[f"b{i}"] = np.zeros(fan_out)
    return params


def loss_and_grads(
    params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, reg: float
) -> tuple[float, dict[str, np.ndarray]]:
    """Dispatch to the linear or two-layer model by the keys of params."""
    if "W2" in params:
        return two_layer_loss(params, X, y, reg)
    loss, dW, db = softmax_loss(params["W1"], params["b1"], X, y, reg)
    return loss, {"W1": dW, "b1": db}


def predict(params: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """Class with the highest score."""
    h = X @ params["W1"] + params["b1"]
    if "W2" in params:
        h = np.maximum(0.0, h) @ params["W2"] + params["b2"]
    return h.argmax(axis=1)


def train(
    params: dict[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    lr: float = 1.0,
    reg: float = 1e-3,
    steps: int = 1000,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Full-batch gradient descent; returns the trained params and the loss per step."""
    if lr <= 0 or steps < 1:
        raise ValueError(f"lr must be > 0 and steps >= 1, got {lr}, {steps}")
    params = {k: v.copy() for k, v in params.items()}
    history = np.empty(steps)
    for step in range(steps):
        history[step], grads = loss_and_grads(params, X, y, reg)
        for k in params:
            params[k] -= lr * grads[k]
    return params, history


# --8<-- [end:train]


# --8<-- [start:plot]
def plot_decision_boundaries(steps: int = 1000) -> "Figure":
    """Decision regions of the linear and the two-layer classifier on the spiral data."""
    import matplotlib.pyplot as plt

    X, y = make_spiral()
    models = {
        "线性 softmax": train(init_params([2, 3]), X, y, steps=steps)[0],
        "两层网络（100 个 ReLU）": train(init_params([2, 100, 3]), X, y, steps=steps)[0],
    }
    grid = np.linspace(-1.1, 1.1, 300)
    gx, gy = np.meshgrid(grid, grid)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
    for ax, (name, params) in zip(axes, models.items(), strict=True):
        regions = predict(params, points).reshape(gx.shape)
        ax.contourf(gx, gy, regions, levels=[-0.5, 0.5, 1.5, 2.5], cmap="viridis", alpha=0.35)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="viridis", s=12, edgecolors="none")
        accuracy = (predict(params, X) == y).mean()
        ax.set_title(f"{name}：训练集准确率 {accuracy:.0%}")
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    # --8<-- [start:demo]
    X, y = make_spiral()
    linear, _ = train(init_params([2, 3]), X, y, steps=300)
    net, history = train(init_params([2, 100, 3]), X, y, steps=1000)
    linear_acc = (predict(linear, X) == y).mean()
    net_acc = (predict(net, X) == y).mean()
    assert linear_acc < 0.7 < 0.95 < net_acc  # a spiral is not linearly separable
    assert history[-1] < history[0]
    print(f"linear: {linear_acc:.1%}, two-layer: {net_acc:.1%}")
    # --8<-- [end:demo]
