"""BatchNorm in numpy with PyTorch's conventions: forward (train/eval), backward, folding.

Layout (N, C, *): axis 1 is the channel axis; (N, C), (N, C, L) and (N, C, H, W) all work.
Statistics are taken per channel over every other axis (N, and H, W for images).
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def batch_norm_forward_whiteboard(x, gamma, beta, eps=1e-5):
    """BN 训练时的前向：x 为 (m, D)，逐特征用 batch 均值和有偏方差标准化，再缩放平移。"""
    mu = x.mean(axis=0)
    var = x.var(axis=0)  # 有偏方差：除以 m
    s = np.sqrt(var + eps)  # eps 在根号里
    x_hat = (x - mu) / s
    y = gamma * x_hat + beta
    return y, (x_hat, gamma, s)  # 反向传播要用的缓存


# --8<-- [end:whiteboard]


# --8<-- [start:whiteboard_backward]
def batch_norm_backward_whiteboard(g, cache):
    """BN 的反向：由 g = dL/dy 求 dx、dgamma、dbeta，dx 用化简后的紧凑公式。"""
    x_hat, gamma, s = cache
    m = len(g)
    dbeta = g.sum(axis=0)
    dgamma = (g * x_hat).sum(axis=0)
    dx = gamma / (m * s) * (m * g - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


# --8<-- [end:whiteboard_backward]


# --8<-- [start:check]
def _channel_vector(v: np.ndarray | None, c: int, name: str, default: float) -> np.ndarray:
    """A per-channel parameter as a float array of shape (C,); None means `default`."""
    if v is None:
        return np.full(c, default)
    v = np.asarray(v, dtype=np.float64)
    if v.shape != (c,):
        raise ValueError(f"{name} must have shape ({c},), got {v.shape}")
    return v


def _check_input(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (N, C, *), got ndim={x.ndim}")
    return x


def _check_hyperparameters(momentum: float, eps: float) -> None:
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    if eps <= 0:
        raise ValueError(f"eps must be > 0, got {eps}")


# --8<-- [end:check]


# --8<-- [start:batch_norm]
def batch_norm(
    x: np.ndarray,
    running_mean: np.ndarray | None,
    running_var: np.ndarray | None,
    weight: np.ndarray | None = None,
    bias: np.ndarray | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BatchNorm of x (N, C, *); returns (y, new running_mean, new running_var)."""
    x = _check_input(x)
    c = x.shape[1]
    # None: PyTorch's initial running statistics, mean 0 and variance 1.
    running_mean = _channel_vector(running_mean, c, "running_mean", 0.0)
    running_var = _channel_vector(running_var, c, "running_var", 1.0)
    gamma = _channel_vector(weight, c, "weight", 1.0)
    beta = _channel_vector(bias, c, "bias", 0.0)
    _check_hyperparameters(momentum, eps)
    axes = (0, *range(2, x.ndim))  # every axis except the channel axis 1
    shape = (1, c) + (1,) * (x.ndim - 2)  # to broadcast a (C,) vector against x
    if training:
        m = x.size // c  # values per channel: N (x H x W)
        if m < 2:
            raise ValueError(f"x must have more than 1 value per channel in training, got {m}")
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)  # biased (divide by m): used to normalise this batch
        # PyTorch's EMA: new = (1 - momentum) * old + momentum * batch statistic,
        # and the running variance stores the unbiased estimate m / (m - 1) * var.
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
    else:
        mean, var = running_mean, running_var
    x_hat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    y = gamma.reshape(shape) * x_hat + beta.reshape(shape)
    return y, running_mean, running_var


# --8<-- [end:batch_norm]


# --8<-- [start:backward]
def batch_norm_backward(
    dy: np.ndarray, x: np.ndarray, weight: np.ndarray | None = None, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (dx, dweight, dbias) of training-mode batch_norm, given dL/dy."""
    x = _check_input(x)
    dy = np.asarray(dy, dtype=np.float64)
    if dy.shape != x.shape:
        raise ValueError(f"dy must have the shape of x {x.shape}, got {dy.shape}")
    c = x.shape[1]
    gamma = _channel_vector(weight, c, "weight", 1.0)
    axes = (0, *range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)
    m = x.size // c

    inv_std = 1.0 / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    x_hat = (x - x.mean(axis=axes, keepdims=True)) * inv_std
    dbias = dy.sum(axis=axes)
    dweight = (dy * x_hat).sum(axis=axes)
    # dx = gamma / (m * sqrt(var + eps)) * (m * dy - sum(dy) - x_hat * sum(dy * x_hat))
    dx = (gamma.reshape(shape) * inv_std / m) * (
        m * dy - dbias.reshape(shape) - x_hat * dweight.reshape(shape)
    )
    return dx, dweight, dbias


# --8<-- [end:backward]


# --8<-- [start:fold]
def fold_batch_norm(
    w: np.ndarray,
    b: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    weight: np.ndarray | None = None,
    bias: np.ndarray | None = None,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray]:
    """Fold eval-mode BN into the preceding linear layer y = x @ w.T + b: returns (w', b')."""
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 2:
        raise ValueError(f"w must have shape (out, in), got {w.shape}")
    c = w.shape[0]
    b = _channel_vector(b, c, "b", 0.0)
    mean = _channel_vector(running_mean, c, "running_mean", 0.0)
    var = _channel_vector(running_var, c, "running_var", 1.0)
    gamma = _channel_vector(weight, c, "weight", 1.0)
    beta = _channel_vector(bias, c, "bias", 0.0)
    scale = gamma / np.sqrt(var + eps)  # eval-mode BN is the affine map scale * z + shift
    return w * scale[:, None], (b - mean) * scale + beta


# --8<-- [end:fold]


if __name__ == "__main__":
    # One channel, batch [1, 2, 3, 4]: mean 2.5, biased var 1.25, unbiased var 5/3.
    demo = np.array([[1.0], [2.0], [3.0], [4.0]])
    out, r_mean, r_var = batch_norm(demo, np.zeros(1), np.ones(1), training=True)
    assert np.allclose(out[:, 0], (demo[:, 0] - 2.5) / np.sqrt(1.25 + 1e-5))
    assert np.allclose(r_mean, 0.9 * 0 + 0.1 * 2.5)
    assert np.allclose(r_var, 0.9 * 1 + 0.1 * 5 / 3)
    out_eval, _, _ = batch_norm(demo, r_mean, r_var)  # eval: the running statistics
    assert np.allclose(out_eval[:, 0], (demo[:, 0] - r_mean) / np.sqrt(r_var + 1e-5))
    dx, dg, db = batch_norm_backward(np.array([[1.0], [0.0], [0.0], [0.0]]), demo)
    assert np.isclose(dx.sum(), 0.0)
    out_wb, cache = batch_norm_forward_whiteboard(demo, np.ones(1), np.zeros(1))
    assert np.allclose(out_wb, out)
    assert np.allclose(
        batch_norm_backward_whiteboard(np.array([[1.0], [0.0], [0.0], [0.0]]), cache)[0], dx
    )
    print("train:", out[:, 0].round(4), "running:", r_mean, r_var)
