"""GAN in numpy: the losses from logits, the optimal discriminator and the divergences it
turns the value function into, on densities given on a 1-D grid."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _float_array(name: str, x) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise TypeError(f"{name} must be a real number array, got dtype {x.dtype}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    return x.astype(np.float64, copy=False)


def _densities(p, q, dx) -> tuple[np.ndarray, np.ndarray]:
    """Two densities on the same grid of spacing dx, each integrating to 1."""
    p, q = _float_array("p", p), _float_array("q", q)
    if p.ndim != 1 or p.shape != q.shape or p.size == 0:
        raise ValueError(
            f"p and q must be non-empty 1-D arrays of the same length, got {p.shape}, {q.shape}"
        )
    if (p < 0).any() or (q < 0).any():
        raise ValueError("densities must be non-negative")
    if not dx > 0:
        raise ValueError(f"dx must be positive, got {dx}")
    for name, d in (("p", p), ("q", q)):
        if not np.isclose(d.sum() * dx, 1.0, atol=1e-3):
            raise ValueError(f"{name} must integrate to 1 on the grid, got {d.sum() * dx:.4f}")
    return p, q


def _log_sigmoid(logits: np.ndarray) -> np.ndarray:
    """log σ(l) = −softplus(−l), without overflow for large |l|."""
    return -np.logaddexp(0.0, -logits)


# --8<-- [end:check]


# --8<-- [start:losses]
def discriminator_loss(real_logits, fake_logits) -> float:
    """−E[log D(x)] − E[log(1 − D(G(z)))] with D = σ(logit): binary cross-entropy."""
    real, fake = _float_array("real_logits", real_logits), _float_array("fake_logits", fake_logits)
    if real.size == 0 or fake.size == 0:
        raise ValueError("need at least one real and one fake logit")
    return float(-_log_sigmoid(real).mean() - _log_sigmoid(-fake).mean())  # 1 − σ(l) = σ(−l)


def generator_loss(fake_logits, non_saturating: bool = True) -> float:
    """Non-saturating −E[log D(G(z))] (default), or the minimax E[log(1 − D(G(z)))]."""
    fake = _float_array("fake_logits", fake_logits)
    if fake.size == 0:
        raise ValueError("need at least one fake logit")
    if non_saturating:
        return float(-_log_sigmoid(fake).mean())
    return float(_log_sigmoid(-fake).mean())


def generator_loss_grad(fake_logits, non_saturating: bool = True) -> np.ndarray:
    """∂ generator_loss / ∂ logit for each fake sample: σ(l) − 1 or −σ(l), over the batch size."""
    fake = _float_array("fake_logits", fake_logits)
    if fake.size == 0:
        raise ValueError("need at least one fake logit")
    d = np.exp(_log_sigmoid(fake))  # D(G(z))
    return ((d - 1.0) if non_saturating else -d) / fake.size


# --8<-- [end:losses]


# --8<-- [start:divergences]
def optimal_discriminator(p_data, p_g) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)); 1/2 where both densities are 0."""
    p_data, p_g = _float_array("p_data", p_data), _float_array("p_g", p_g)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data and p_g need the same shape, got {p_data.shape}, {p_g.shape}")
    if (p_data < 0).any() or (p_g < 0).any():
        raise ValueError("densities must be non-negative")
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def value_function(d, p_data, p_g, dx: float) -> float:
    """V(D, G) = ∫ p_data log D + p_g log(1 − D) dx on a grid (0 · log 0 = 0)."""
    p_data, p_g = _densities(p_data, p_g, dx)
    d = _float_array("d", d)
    if d.shape != p_data.shape or (d < 0).any() or (d > 1).any():
        raise ValueError(f"d must be values in [0, 1] of shape {p_data.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 · log 0: masked out by np.where
        real = np.where(p_data > 0, p_data * np.log(d), 0.0)
        fake = np.where(p_g > 0, p_g * np.log1p(-d), 0.0)
    return float((real + fake).sum() * dx)


def kl_divergence(p, q, dx: float) -> float:
    """KL(p ‖ q) = ∫ p log(p / q) dx on a grid; inf where p > 0 = q."""
    p, q = _densities(p, q, dx)
    if ((p > 0) & (q == 0)).any():
        return float("inf")
    mask = p > 0
    return float((p[mask] * np.log(p[mask] / q[mask])).sum() * dx)


def js_divergence(p, q, dx: float) -> float:
    """JS(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m), m = (p + q) / 2; between 0 and log 2."""
    p, q = _densities(p, q, dx)
    m = (p + q) / 2
    return 0.5 * kl_divergence(p, m, dx) + 0.5 * kl_divergence(q, m, dx)


def wasserstein1_1d(p, q, dx: float) -> float:
    """W1(p, q) = ∫ |F_p − F_q| dx in one dimension (F: the cumulative distributions)."""
    p, q = _densities(p, q, dx)
    return float(np.abs(np.cumsum(p - q) * dx).sum() * dx)


# --8<-- [end:divergences]


# --8<-- [start:toy]
def normal_pdf(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Density of N(mean, std²) at x."""
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def toy_densities(n: int = 2001) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Grid x, p_data (two bumps at −2 and 2) and p_g (one wide bump): a collapsed generator."""
    x = np.linspace(-6, 6, n)
    dx = float(x[1] - x[0])
    p_data = 0.5 * normal_pdf(x, -2.0, 0.6) + 0.5 * normal_pdf(x, 2.0, 0.6)
    p_g = normal_pdf(x, 1.5, 1.0)
    return x, p_data / (p_data.sum() * dx), p_g / (p_g.sum() * dx), dx


# --8<-- [end:toy]


# --8<-- [start:plot]
def plot_gan_toy():
    """Left: p_data, p_g and D*. Right: JS and W1 as a narrow p_g slides past p_data."""
    import matplotlib.pyplot as plt

    x, p_data, p_g, dx = toy_densities()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.4))
    left.plot(x, p_data, label="p_data")
    left.plot(x, p_g, "--", label="p_g")
    twin = left.twinx()
    twin.plot(x, optimal_discriminator(p_data, p_g), color="C2", label="D*(x)")
    twin.set_ylim(-0.05, 1.05)
    twin.set_ylabel("D*(x)", color="C2")
    left.set_xlabel("x")
    left.set_ylabel("密度")
    left.legend(loc="upper left", fontsize=8)
    left.set_title("最优判别器 D* = p_data / (p_data + p_g)", fontsize=10)

    shifts = np.linspace(-4, 4, 81)
    narrow = normal_pdf(x, 0.0, 0.1)
    narrow /= narrow.sum() * dx
    js, w1 = [], []
    for s in shifts:
        moved = normal_pdf(x, s, 0.1)
        moved /= moved.sum() * dx
        js.append(js_divergence(narrow, moved, dx))
        w1.append(wasserstein1_1d(narrow, moved, dx))
    right.plot(shifts, js, label="JS")
    right.plot(shifts, w1, "--", label="W1")
    right.axhline(np.log(2), color="0.6", lw=0.8)
    right.text(-4, np.log(2) + 0.1, "log 2", fontsize=8)
    right.set_xlabel("p_g 相对 p_data 的平移 θ")
    right.set_title("两个窄分布：JS 很快饱和，W1 = |θ|", fontsize=10)
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    x, p_data, p_g, dx = toy_densities()
    d_star = optimal_discriminator(p_data, p_g)
    v_star = value_function(d_star, p_data, p_g, dx)
    assert np.isclose(v_star, -np.log(4) + 2 * js_divergence(p_data, p_g, dx))
    assert value_function(np.clip(d_star + 0.05, 0, 1), p_data, p_g, dx) < v_star
    # D(G(z)) ≈ 0 early in training: the minimax loss has almost no gradient.
    logits = np.array([-7.0])
    assert abs(generator_loss_grad(logits, non_saturating=False)[0]) < 1e-3
    assert abs(generator_loss_grad(logits)[0]) > 0.99
    print(f"V(D*, G) = {v_star:.4f}, JS = {js_divergence(p_data, p_g, dx):.4f}")
