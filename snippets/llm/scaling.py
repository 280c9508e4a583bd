"""Compute-optimal model size and data under C = 6 N D: Chinchilla's 20 tokens per
parameter, and the optimum of its fitted loss L(N, D) = E + A / N^alpha + B / D^beta."""

# --8<-- [start:imports]
import math

import numpy as np

# --8<-- [end:imports]

# --8<-- [start:chinchilla]
# Hoffmann et al. 2022, Approach 3 (eq. 10): the fitted parametric loss.
CHINCHILLA_FIT = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def _flops(compute: object) -> float:
    if isinstance(compute, bool) or not isinstance(compute, int | float | np.number):
        raise TypeError(f"compute must be a number of FLOPs, got {type(compute).__name__}")
    if not (math.isfinite(compute) and compute > 0):
        raise ValueError(f"compute must be a finite number > 0, got {compute}")
    return float(compute)


def compute_optimal(compute: float, tokens_per_param: float = 20.0) -> tuple[float, float]:
    """(N, D) with C = 6 N D and D = tokens_per_param * N, i.e. N = sqrt(C / (6 r))."""
    c = _flops(compute)
    if not (math.isfinite(tokens_per_param) and tokens_per_param > 0):
        raise ValueError(f"tokens_per_param must be > 0, got {tokens_per_param}")
    n = math.sqrt(c / (6 * tokens_per_param))
    return n, tokens_per_param * n


def chinchilla_loss(n_params, n_tokens, fit: dict | None = None):
    """The fitted loss E + A / N^alpha + B / D^beta (nats per token on their data)."""
    f = CHINCHILLA_FIT if fit is None else fit
    # Without dtype=float the same numbers: an int array to a float power is float64 anyway.
    n, d = np.asarray(n_params, dtype=float), np.asarray(n_tokens, dtype=float)  # pragma: no mutate
    if (n <= 0).any() or (d <= 0).any():
        raise ValueError("n_params and n_tokens must be > 0")
    return f["E"] + f["A"] / n ** f["alpha"] + f["B"] / d ** f["beta"]


def loss_optimal(compute: float, fit: dict | None = None) -> tuple[float, float]:
    """Minimise the fitted loss on C = 6 N D in closed form (Hoffmann et al., eq. 4):
    N = G (C / 6)^(beta / (alpha + beta)), G = (alpha A / (beta B))^(1 / (alpha + beta))."""
    c = _flops(compute)
    f = CHINCHILLA_FIT if fit is None else fit
    a, b = f["alpha"], f["beta"]
    g = (a * f["A"] / (b * f["B"])) ** (1 / (a + b))
    n = g * (c / 6) ** (b / (a + b))
    return n, c / (6 * n)


# --8<-- [end:chinchilla]


# --8<-- [start:plot]
def plot_isoflop(budgets=(1e21, 1e22, 1e23, 5.76e23)):
    """Fitted loss along each compute budget as N varies; dots mark the minima."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for i, c in enumerate(budgets):
        n = np.logspace(8, 12, 200)
        ax.plot(n, chinchilla_loss(n, c / (6 * n)), color=f"C{i}", label=f"C = {c:.3g} FLOPs")
        n_opt, d_opt = loss_optimal(c)
        ax.plot(n_opt, chinchilla_loss(n_opt, d_opt), "o", color=f"C{i}")
        n20, d20 = compute_optimal(c)
        ax.plot(n20, chinchilla_loss(n20, d20), "x", color=f"C{i}")
    ax.set_xscale("log")
    ax.set_ylim(1.8, 3.2)
    ax.set_xlabel("参数量 N（D = C / 6N）")
    ax.set_ylabel("拟合的损失 L(N, D)")
    ax.set_title("圆点：拟合损失的最小值；叉：每参数 20 个 token", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    n, d = compute_optimal(5.76e23)  # Gopher's budget, which Chinchilla also used
    assert abs(n / 1e9 - 69.3) < 0.1
    assert abs(d / 1e12 - 1.39) < 0.01
    assert math.isclose(6 * n * d, 5.76e23)
    print(f"20 tokens/param: N = {n / 1e9:.1f}B, D = {d / 1e12:.2f}T")
    print(
        "fitted-loss optimum: N = {:.1f}B, D = {:.2f}T".format(
            *(v / s for v, s in zip(loss_optimal(5.76e23), (1e9, 1e12), strict=True))
        )
    )
