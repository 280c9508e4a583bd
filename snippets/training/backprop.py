"""Backpropagation by hand: a tiny 2-layer sigmoid net, a chain-rule example, memory counts."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:sigmoid]
def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-x)), computed without overflow."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# --8<-- [end:sigmoid]


# --8<-- [start:check]
def _check_2d(a: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    return a


# --8<-- [end:check]


# --8<-- [start:net]
def forward(params: dict, x: np.ndarray) -> tuple[np.ndarray, dict]:
    """Forward pass h = σ(x W1 + b1), y_hat = σ(h W2 + b2); returns y_hat and the cache."""
    x = _check_2d(x, "x")
    if x.shape[1] != params["W1"].shape[0]:
        raise ValueError(f"x must have {params['W1'].shape[0]} columns, got {x.shape[1]}")
    h = sigmoid(x @ params["W1"] + params["b1"])
    y_hat = sigmoid(h @ params["W2"] + params["b2"])
    # Backward needs x, h and y_hat: exactly what training keeps in memory.
    return y_hat, {"x": x, "h": h, "y_hat": y_hat}


def loss_fn(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error L = 1/(2N) Σ (y_hat - y)², N = batch size."""
    return float(0.5 * np.sum((y_hat - y) ** 2) / len(y))


def backward(params: dict, cache: dict, y: np.ndarray) -> dict:
    """Gradients of loss_fn w.r.t. W1, b1, W2, b2, reusing the cached activations."""
    y = _check_2d(y, "y")
    x, h, y_hat = cache["x"], cache["h"], cache["y_hat"]
    if y.shape != y_hat.shape:
        raise ValueError(f"y must have shape {y_hat.shape}, got {y.shape}")
    d_yhat = (y_hat - y) / len(y)  # dL/dy_hat
    d_z2 = d_yhat * y_hat * (1.0 - y_hat)  # σ'(z2) = y_hat (1 - y_hat): no exp needed
    d_h = d_z2 @ params["W2"].T
    d_z1 = d_h * h * (1.0 - h)  # σ'(z1) = h (1 - h)
    return {
        "W1": x.T @ d_z1,
        "b1": d_z1.sum(axis=0),
        "W2": h.T @ d_z2,
        "b2": d_z2.sum(axis=0),
    }


# --8<-- [end:net]


# --8<-- [start:numerical_gradient]
def numerical_gradient(f, param: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central difference (f(p + eps) - f(p - eps)) / (2 eps), one entry of param at a time."""
    if eps <= 0:
        raise ValueError(f"eps must be positive, got {eps}")
    grad = np.zeros_like(param)
    for idx in np.ndindex(param.shape):  # perturbs param in place, then restores it
        old = param[idx]
        param[idx] = old + eps
        f_plus = f()
        param[idx] = old - eps
        f_minus = f()
        param[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


# --8<-- [end:numerical_gradient]


# --8<-- [start:init_params]
def init_params(n_in: int, n_hidden: int, n_out: int, seed: int = 0) -> dict:
    """Small random weights and zero biases for the 2-layer net."""
    for name, n in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"{name} must be a positive int, got {n!r}")
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0.0, 0.5, (n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(0.0, 0.5, (n_hidden, n_out)),
        "b2": np.zeros(n_out),
    }


# --8<-- [end:init_params]


# --8<-- [start:chain_rule]
def chain_rule_example(x: float, w1: float, b1: float, w2: float, b2: float, w3: float, b3: float):
    """t = w3 σ(w2 σ(w1 x + b1) + b2) + b3 and dt/dw1 = w3 z(1-z) w2 y(1-y) x."""
    y = sigmoid(w1 * x + b1)
    z = sigmoid(w2 * y + b2)
    t = w3 * z + b3
    dt_dw1 = w3 * z * (1 - z) * w2 * y * (1 - y) * x
    return float(t), float(dt_dw1)


# --8<-- [end:chain_rule]


# --8<-- [start:memory]
def training_memory_floats(
    n_params: int, activation_floats: int, optimizer: str = "adam"
) -> dict[str, int]:
    """Floats held during training: weights, gradients, optimizer state, saved activations."""
    state_per_param = {"sgd": 0, "momentum": 1, "rmsprop": 1, "adagrad": 1, "adam": 2}
    if optimizer not in state_per_param:
        raise ValueError(f"optimizer must be one of {sorted(state_per_param)}, got {optimizer!r}")
    if n_params < 0 or activation_floats < 0:
        raise ValueError("n_params and activation_floats must be non-negative")
    return {
        "weights": n_params,
        "gradients": n_params,
        "optimizer_state": state_per_param[optimizer] * n_params,
        "activations": activation_floats,
    }


# --8<-- [end:memory]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    p = init_params(3, 4, 2)
    xb, yb = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    out, cache = forward(p, xb)
    grads = backward(p, cache, yb)
    for key in p:
        num = numerical_gradient(lambda: loss_fn(forward(p, xb)[0], yb), p[key])
        assert np.allclose(grads[key], num, atol=1e-8), key
    t, g = chain_rule_example(0.5, 1.0, 0.1, -2.0, 0.3, 1.5, 0.0)
    eps = 1e-6
    t_plus, _ = chain_rule_example(0.5, 1.0 + eps, 0.1, -2.0, 0.3, 1.5, 0.0)
    t_minus, _ = chain_rule_example(0.5, 1.0 - eps, 0.1, -2.0, 0.3, 1.5, 0.0)
    assert abs(g - (t_plus - t_minus) / (2 * eps)) < 1e-8
    mem = training_memory_floats(100, 50, "adam")
    assert sum(mem.values()) == 100 * 4 + 50
    print("gradients match the numerical check; dt/dw1 =", round(g, 6))
