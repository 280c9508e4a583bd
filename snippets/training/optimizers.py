"""SGD (momentum, Nesterov), AdaGrad, Adadelta, RMSprop, Adam and AdamW in numpy.

Every update rule follows torch.optim (same hyperparameter names and defaults), so the
same steps give the same parameters. `step(params, grads)` updates arrays in place.
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard_momentum]
def sgd_momentum_step(w, g, v, lr=0.01, mu=0.9):
    """SGD + Momentum 的一步（PyTorch 的形式）：v = mu v + g，w -= lr v；v 从 0 开始。"""
    v = mu * v + g
    return w - lr * v, v


# --8<-- [end:whiteboard_momentum]


# --8<-- [start:whiteboard_adagrad]
def adagrad_step(w, g, G, lr=0.01, eps=1e-10):
    """AdaGrad 的一步：G 累加 g²（不是覆盖），w -= lr g / (sqrt(G) + eps)。"""
    G = G + g * g
    return w - lr * g / (np.sqrt(G) + eps), G


# --8<-- [end:whiteboard_adagrad]


# --8<-- [start:whiteboard_rmsprop]
def rmsprop_step(w, g, s, lr=0.01, alpha=0.99, eps=1e-8):
    """RMSprop 的一步：s 是 g² 的指数滑动平均，w -= lr g / (sqrt(s) + eps)。"""
    s = alpha * s + (1 - alpha) * g * g
    return w - lr * g / (np.sqrt(s) + eps), s


# --8<-- [end:whiteboard_rmsprop]


# --8<-- [start:whiteboard_adam]
def adam_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam 的第 t 步（t 从 1 开始）：一阶、二阶矩的滑动平均，除以 1 - beta^t 做偏差修正。"""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


# --8<-- [end:whiteboard_adam]


# --8<-- [start:whiteboard_adamw]
def adamw_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """AdamW 的第 t 步：先把权重乘 1 - lr·wd（解耦的衰减），再做普通的 Adam 更新。"""
    w = w * (1 - lr * weight_decay)  # 衰减不经过 m、v，不被 sqrt(v) 除
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


# --8<-- [end:whiteboard_adamw]


# --8<-- [start:base]
class Optimizer:
    """Common interface: step(params, grads) updates each array of params in place."""

    def __init__(self, lr: float):
        _check_lr(lr)
        self.lr = lr
        self.state: dict[int, dict] = {}  # per parameter index: buffers and step count

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Apply one update to every parameter array."""
        grads = _check_step(params, grads)
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            state = self.state.setdefault(i, {"step": 0})
            state["step"] += 1
            self._update(p, g, state)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError


# --8<-- [end:base]


# --8<-- [start:check]
def _check_lr(lr: float) -> None:
    if not lr >= 0:
        raise ValueError(f"lr must be >= 0, got {lr}")


def _check_unit(name: str, value: float) -> None:
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value}")


def _check_step(params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
    """The gradients as arrays of their parameters' dtype; errors for mismatches."""
    if len(params) != len(grads):
        raise ValueError(f"params and grads differ in length: {len(params)} vs {len(grads)}")
    checked = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise TypeError(f"params[{i}] must be a float numpy array")
        g = np.asarray(g, dtype=p.dtype)
        if g.shape != p.shape:
            raise ValueError(f"grads[{i}] must have shape {p.shape}, got {g.shape}")
        checked.append(g)
    return checked


# --8<-- [end:check]


# --8<-- [start:sgd]
class SGD(Optimizer):
    """SGD with optional momentum, dampening, Nesterov and L2 weight decay (torch.optim.SGD)."""

    def __init__(
        self,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ):
        super().__init__(lr)
        _check_unit("momentum", momentum)
        if nesterov and (momentum == 0 or dampening != 0):
            raise ValueError("nesterov needs momentum > 0 and dampening == 0")
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov
        self.weight_decay = weight_decay

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            if "v" not in state:
                state["v"] = g.copy()  # first step: v = g (torch does not dampen it)
            else:
                state["v"] = self.momentum * state["v"] + (1 - self.dampening) * g
            v = state["v"]
            g = g + self.momentum * v if self.nesterov else v
        p -= self.lr * g


# --8<-- [end:sgd]


# --8<-- [start:adagrad]
class Adagrad(Optimizer):
    """AdaGrad: G accumulates g², the step is lr g / (sqrt(G) + eps)."""

    def __init__(
        self, lr: float = 1e-2, eps: float = 1e-10, initial_accumulator_value: float = 0.0
    ):
        super().__init__(lr)
        self.eps, self.init = eps, initial_accumulator_value

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        G = state.setdefault("G", np.full_like(p, self.init))
        G += g * g  # accumulate: the sum over all past steps, never reset
        p -= self.lr * g / (np.sqrt(G) + self.eps)


# --8<-- [end:adagrad]


# --8<-- [start:adadelta]
class Adadelta(Optimizer):
    """Adadelta: RMS of past updates over RMS of past gradients; no global lr needed."""

    def __init__(self, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6):
        super().__init__(lr)
        _check_unit("rho", rho)
        self.rho, self.eps = rho, eps

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        Eg2 = state.setdefault("Eg2", np.zeros_like(p))  # running mean of g²
        Edx2 = state.setdefault("Edx2", np.zeros_like(p))  # running mean of Δx²
        Eg2 *= self.rho
        Eg2 += (1 - self.rho) * g * g
        delta = np.sqrt(Edx2 + self.eps) / np.sqrt(Eg2 + self.eps) * g
        Edx2 *= self.rho
        Edx2 += (1 - self.rho) * delta * delta
        p -= self.lr * delta


# --8<-- [end:adadelta]


# --8<-- [start:rmsprop]
class RMSprop(Optimizer):
    """RMSprop: divide by the root of an exponential moving average of g² (decay alpha)."""

    def __init__(self, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8):
        super().__init__(lr)
        _check_unit("alpha", alpha)
        self.alpha, self.eps = alpha, eps

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        s = state.setdefault("s", np.zeros_like(p))
        s *= self.alpha
        s += (1 - self.alpha) * g * g
        p -= self.lr * g / (np.sqrt(s) + self.eps)


# --8<-- [end:rmsprop]


# --8<-- [start:adam]
class Adam(Optimizer):
    """Adam with bias correction; weight_decay is L2 (added to g), as in torch.optim.Adam."""

    decoupled = False

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(lr)
        _check_unit("betas[0]", betas[0])
        _check_unit("betas[1]", betas[1])
        self.beta1, self.beta2 = betas
        self.eps, self.weight_decay = eps, weight_decay

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        if self.weight_decay and self.decoupled:
            p *= 1 - self.lr * self.weight_decay  # AdamW: shrink weights directly
        elif self.weight_decay:
            g = g + self.weight_decay * p  # Adam + L2: decay goes through m and v
        m = state.setdefault("m", np.zeros_like(p))
        v = state.setdefault("v", np.zeros_like(p))
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        t = state["step"]
        m_hat = m / (1 - self.beta1**t)  # bias correction: m and v start at 0
        v_hat = v / (1 - self.beta2**t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay p <- p (1 - lr wd) (torch.optim.AdamW)."""

    decoupled = True

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ):
        super().__init__(lr, betas, eps, weight_decay)


# --8<-- [end:adam]


# --8<-- [start:decay_groups]
def split_weight_decay(named_params: dict[str, np.ndarray]) -> tuple[list[str], list[str]]:
    """(decay, no_decay) names: matrices and kernels (ndim >= 2) decay; biases, norm gains don't."""
    if not isinstance(named_params, dict):
        raise TypeError(
            f"named_params must be a dict name -> array, got {type(named_params).__name__}"
        )
    decay, no_decay = [], []
    for name, p in named_params.items():
        if not isinstance(p, np.ndarray):
            raise TypeError(f"named_params[{name!r}] must be a numpy array")
        (decay if p.ndim >= 2 else no_decay).append(name)
    return decay, no_decay


# --8<-- [end:decay_groups]


# --8<-- [start:trajectory]
def quadratic(scales: tuple[float, ...] = (1.0, 20.0)):
    """f(w) = ½ Σ a_i w_i² and its gradient a ⊙ w: an elongated bowl with minimum at 0."""
    a = np.asarray(scales, dtype=np.float64)
    if a.ndim != 1 or (a <= 0).any():
        raise ValueError(f"scales must be a 1-D sequence of positive numbers, got {scales}")
    return (lambda w: 0.5 * float(np.sum(a * w * w))), (lambda w: a * w)


def trajectory(opt: Optimizer, grad, w0, steps: int) -> np.ndarray:
    """Points visited by opt from w0 on a function with gradient grad, shape (steps + 1, d)."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    w = np.array(w0, dtype=np.float64)
    path = [w.copy()]
    for _ in range(steps):
        opt.step([w], [grad(w)])
        path.append(w.copy())
    return np.array(path)


# --8<-- [end:trajectory]


# --8<-- [start:plot]
FIGURE_OPTIMIZERS = {
    "SGD lr=0.09": lambda: SGD(lr=0.09),
    "Momentum 0.8": lambda: SGD(lr=0.02, momentum=0.8),
    "AdaGrad": lambda: Adagrad(lr=1.0),
    "Adadelta": lambda: Adadelta(lr=2.0, eps=1e-2),
    "RMSprop": lambda: RMSprop(lr=0.1, alpha=0.9),
    "Adam": lambda: Adam(lr=0.5, betas=(0.8, 0.99)),
}


def plot_trajectories(steps: int = 40):
    """Trajectories of each optimizer on f = ½(w1² + 20 w2²), drawn over its contours."""
    import matplotlib.pyplot as plt

    f, grad = quadratic((1.0, 20.0))
    w0 = (-4.5, 1.0)
    xs, ys = np.meshgrid(np.linspace(-5, 1.5, 200), np.linspace(-1.6, 1.6, 200))
    zs = 0.5 * (xs**2 + 20.0 * ys**2)
    fig, axes = plt.subplots(2, 3, figsize=(10, 5.4), sharex=True, sharey=True)
    for ax, (name, make) in zip(axes.flat, FIGURE_OPTIMIZERS.items(), strict=True):
        path = trajectory(make(), grad, w0, steps)
        ax.contour(xs, ys, zs, levels=np.geomspace(0.05, 30, 9), colors="0.6", linewidths=0.6)
        ax.plot(path[:, 0], path[:, 1], "o-", color="C0", markersize=2.5, linewidth=1)
        ax.plot(0, 0, "*", color="C3", markersize=9)
        ax.set_title(f"{name}  f={f(path[-1]):.2g}", fontsize=10)
    fig.suptitle(f"{steps} 步后的轨迹（起点 {w0}，最优点为红星）")
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    f, grad = quadratic((1.0, 10.0))
    for make in [
        lambda: SGD(lr=0.05),
        lambda: SGD(lr=0.02, momentum=0.9, nesterov=True),
        lambda: Adagrad(lr=0.5),
        lambda: RMSprop(lr=0.01),
        lambda: Adam(lr=0.05),
        lambda: AdamW(lr=0.05, weight_decay=0.01),
    ]:
        path = trajectory(make(), grad, [3.0, -2.0], 2000)
        assert f(path[-1]) < 1e-4 * f(path[0]), type(make()).__name__
    w = np.array([1.0])
    Adagrad(lr=1.0).step([w], [np.array([2.0])])
    assert np.isclose(w[0], 1.0 - 2.0 / (2.0 + 1e-10))  # first AdaGrad step is lr * sign(g)
    print("all optimizers converge on the quadratic")
