"""Weight initialisation (normal, truncated normal, Xavier/Glorot, He/Kaiming) and its effect
on activations and gradients in deep stacks. Weight shape follows PyTorch: (fan_out, fan_in).
"""

# --8<-- [start:imports]
import math

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:fans]
def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel), as torch.nn.init computes it."""
    if len(shape) < 2 or min(shape) < 1:
        raise ValueError(f"shape must have >= 2 positive dims, got {shape}")
    receptive = int(np.prod(shape[2:]))  # 1 for a Linear layer, k*k for a k×k conv
    return shape[1] * receptive, shape[0] * receptive


GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": np.sqrt(2.0)}


# --8<-- [end:fans]


# --8<-- [start:inits]
def truncated_normal(shape, std: float, rng: np.random.Generator) -> np.ndarray:
    """N(0, std²) with every value outside ±2 std redrawn (like tf.random.truncated_normal)."""
    if not std > 0:
        raise ValueError(f"std must be > 0, got {std}")
    w = rng.normal(0.0, std, shape)
    bad = np.abs(w) > 2 * std
    while bad.any():  # about 4.6 % per round: a few rounds suffice
        w[bad] = rng.normal(0.0, std, bad.sum())
        bad = np.abs(w) > 2 * std
    return w


def xavier_uniform(shape, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    """U(-a, a), a = gain · sqrt(6 / (fan_in + fan_out)): Var = gain² · 2 / (fan_in + fan_out)."""
    fan_in, fan_out = fans(shape)
    a = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, shape)


def xavier_normal(shape, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    """N(0, std²), std = gain · sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return rng.normal(0.0, gain * np.sqrt(2.0 / (fan_in + fan_out)), shape)


def kaiming_normal(shape, rng: np.random.Generator, nonlinearity: str = "relu") -> np.ndarray:
    """He init N(0, gain² / fan_in); for ReLU gain² = 2, so Var = 2 / fan_in."""
    if nonlinearity not in GAINS:
        raise ValueError(f"nonlinearity must be one of {sorted(GAINS)}, got {nonlinearity!r}")
    fan_in, _ = fans(shape)
    return rng.normal(0.0, GAINS[nonlinearity] / np.sqrt(fan_in), shape)


def kaiming_uniform(shape, rng: np.random.Generator, nonlinearity: str = "relu") -> np.ndarray:
    """He init U(-b, b), b = gain · sqrt(3 / fan_in): the same variance as kaiming_normal."""
    if nonlinearity not in GAINS:
        raise ValueError(f"nonlinearity must be one of {sorted(GAINS)}, got {nonlinearity!r}")
    fan_in, _ = fans(shape)
    b = GAINS[nonlinearity] * np.sqrt(3.0 / fan_in)
    return rng.uniform(-b, b, shape)


# --8<-- [end:inits]


# --8<-- [start:torch_default]
def leaky_relu_gain(a: float) -> float:
    """torch.nn.init.calculate_gain("leaky_relu", a) = sqrt(2 / (1 + a²))."""
    return float(np.sqrt(2.0 / (1.0 + a * a)))


def torch_default_init(
    shape: tuple[int, ...], rng: np.random.Generator, bias: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Weight and bias as nn.Linear / nn.Conv2d initialise them: both U(-1/sqrt(fan_in), ...)."""
    fan_in, _ = fans(shape)
    # kaiming_uniform_(a=sqrt(5)): gain · sqrt(3 / fan_in) = sqrt(2 / 6) · sqrt(3 / fan_in)
    bound = leaky_relu_gain(np.sqrt(5.0)) * np.sqrt(3.0 / fan_in)
    weight = rng.uniform(-bound, bound, shape)
    b = rng.uniform(-1 / np.sqrt(fan_in), 1 / np.sqrt(fan_in), shape[0]) if bias else None
    return weight, b


# --8<-- [end:torch_default]


# --8<-- [start:trunc_normal]
def trunc_normal(
    shape,
    rng: np.random.Generator,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
) -> np.ndarray:
    """N(mean, std²) restricted to [a, b], like torch.nn.init.trunc_normal_: a, b are absolute."""
    if not std > 0 or not a < b:
        raise ValueError(f"need std > 0 and a < b, got std={std}, a={a}, b={b}")

    def cdf(x: float) -> float:
        return 0.5 * (1 + math.erf((x - mean) / (std * math.sqrt(2))))

    if cdf(b) - cdf(a) < 1e-3:  # rejection sampling would almost never accept
        raise ValueError(f"[{a}, {b}] holds less than 0.1% of N({mean}, {std}²)")
    w = rng.normal(mean, std, shape)
    bad = (w < a) | (w > b)
    while bad.any():
        w[bad] = rng.normal(mean, std, bad.sum())
        bad = (w < a) | (w > b)
    return w


# --8<-- [end:trunc_normal]


# --8<-- [start:deep_stack]
ACTIVATIONS = {
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64)),
    "sigmoid": (
        lambda z: 1.0 / (1.0 + np.exp(-z)),
        lambda z: np.exp(-z) / (1.0 + np.exp(-z)) ** 2,
    ),
}


INITS = ("normal", "small", "xavier", "xavier_gain", "he")


def make_weight(init: str, width: int, rng: np.random.Generator, activation: str) -> np.ndarray:
    """A (width, width) weight: N(0, 1), N(0, 0.01²), Xavier (gain 1 or the activation's), He."""
    shape = (width, width)
    if init == "normal":
        return rng.normal(0.0, 1.0, shape)
    if init == "small":
        return rng.normal(0.0, 0.01, shape)
    if init == "xavier":
        return xavier_normal(shape, rng)
    if init == "xavier_gain":
        return xavier_normal(shape, rng, gain=GAINS[activation])
    if init == "he":
        return kaiming_normal(shape, rng, "relu")
    raise ValueError(f"init must be one of {INITS}, got {init!r}")


def deep_stack(
    init: str, activation: str, depth: int = 50, width: int = 64, batch: int = 64, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Per layer: Var(z_l) and ||dLoss/dW_l|| for z_l = a_{l-1} W_lᵀ, a_l = f(z_l), Loss = Σ a_D."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if depth < 1 or width < 1 or batch < 1:
        raise ValueError("depth, width and batch must be >= 1")
    f, df = ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    weights = [make_weight(init, width, rng, activation) for _ in range(depth)]
    a = rng.normal(0.0, 1.0, (batch, width))
    inputs, zs = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for W in weights:
            inputs.append(a)
            z = a @ W.T
            zs.append(z)
            a = f(z)
        grad_a = np.ones_like(a)  # dLoss/da_depth for loss = sum of the outputs
        grad_norms = np.empty(depth)
        for layer in range(depth - 1, -1, -1):
            grad_z = grad_a * df(zs[layer])
            grad_norms[layer] = np.linalg.norm(grad_z.T @ inputs[layer])  # ||dLoss/dW_l||
            grad_a = grad_z @ weights[layer]
        # Too deep, it overflows without a warning: inf, then nan (inf - inf).
        return np.array([z.var() for z in zs]), grad_norms


# --8<-- [end:deep_stack]


# --8<-- [start:plot]
VARIANCE_CASES = [
    ("tanh", "small", "tanh + N(0, 0.01²)"),
    ("tanh", "normal", "tanh + N(0, 1)"),
    ("tanh", "xavier", "tanh + Xavier（gain 1）"),
    ("tanh", "xavier_gain", "tanh + Xavier（gain 5/3）"),
    ("relu", "small", "ReLU + N(0, 0.01²)"),
    ("relu", "normal", "ReLU + N(0, 1)"),
    ("relu", "he", "ReLU + He"),
]
GRADIENT_CASES = [
    ("sigmoid", "xavier", "sigmoid + Xavier"),
    ("tanh", "normal", "tanh + N(0, 1)"),
    ("tanh", "xavier", "tanh + Xavier（gain 1）"),
    ("relu", "he", "ReLU + He"),
]


def plot_cases(ax, cases, which: int, depth: int) -> None:
    layers = np.arange(1, depth + 1)
    for act, init, label, color in cases:
        values = deep_stack(init, act, depth=depth, width=64, batch=64)[which]
        ax.semilogy(layers, values, "--" if act == "relu" else "-", color=color, label=label)
    ax.set_xlabel("层号（1 = 靠近输入）")
    ax.grid(alpha=0.3)


def plot_activation_variance(depth: int = 50):
    """Var(z_l) per layer, width 64: every case (left), the well-initialised ones (right)."""
    import matplotlib.pyplot as plt

    cases = [(*case, f"C{i}") for i, case in enumerate(VARIANCE_CASES)]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    plot_cases(ax1, cases, 0, depth)
    plot_cases(ax2, [c for c in cases if c[1] in ("xavier", "xavier_gain", "he")], 0, depth)
    ax1.set_ylabel("Var(z)")
    ax1.set_title("全部初始化方式")
    ax2.set_title("放大：方差没有爆炸或消失的几种")
    ax1.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_gradient_norms(depth: int = 50):
    """Norm of dLoss/dW_l per layer in the same stacks: vanishing or exploding towards input."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    plot_cases(ax, [(*c, f"C{i}") for i, c in enumerate(GRADIENT_CASES)], 1, depth)
    ax.set_ylabel("||∂L/∂W||")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    assert fans((64, 32, 3, 3)) == (32 * 9, 64 * 9)
    w = xavier_uniform((400, 600), rng)
    assert abs(w.var() / (2 / 1000) - 1) < 0.05
    w = kaiming_normal((300, 500), rng)
    assert abs(w.var() / (2 / 500) - 1) < 0.05
    assert np.abs(truncated_normal((1000,), 0.1, rng)).max() <= 0.2
    var_he, _ = deep_stack("he", "relu", depth=50, width=64, batch=64)
    var_big, _ = deep_stack("normal", "relu", depth=50, width=64, batch=64)
    assert 0.1 < var_he[-1] < 10
    assert var_big[-1] > 1e60
    w, bias = torch_default_init((64, 3, 3, 3), rng)  # fan_in = 27
    assert np.abs(w).max() <= 1 / np.sqrt(27)
    assert np.abs(bias).max() <= 1 / np.sqrt(27)
    assert np.abs(trunc_normal((1000,), rng, std=0.02)).max() < 0.1  # a = -2, b = 2: no effect
    print("ReLU + He keeps the variance near 1:", np.round(var_he[::10], 2))
