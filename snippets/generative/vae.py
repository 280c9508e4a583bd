"""VAE in numpy: the KL term of the ELBO, the reparameterisation trick and its gradient."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def gaussian_kl_whiteboard(mu, logvar):
    """Write KL(N(mu, e^logvar) ‖ N(0, I)) summed over the last axis."""
    return -0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar), axis=-1)


# --8<-- [end:whiteboard]


# --8<-- [start:whiteboard_reparam]
def reparameterize_whiteboard(mu, logvar, eps):
    """Write z = mu + sigma * eps with sigma = exp(logvar / 2) and eps ~ N(0, I)."""
    return mu + np.exp(0.5 * logvar) * eps


# --8<-- [end:whiteboard_reparam]


# --8<-- [start:check]
def _float_array(name: str, x) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise TypeError(f"{name} must be a real number array, got dtype {x.dtype}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    # dtype None is float64 too; no caller writes to x or returns it, so a copy is never seen.
    return x.astype(np.float64, copy=False)  # pragma: no mutate (see the comment above)


def _mean_and_spread(mu, spread, spread_name: str) -> tuple[np.ndarray, np.ndarray]:
    mu, spread = _float_array("mu", mu), _float_array(spread_name, spread)
    if mu.shape != spread.shape:
        raise ValueError(
            f"mu and {spread_name} need the same shape, got {mu.shape}, {spread.shape}"
        )
    return mu, spread


# --8<-- [end:check]


# --8<-- [start:gaussian_kl]
def gaussian_kl(mu, logvar) -> np.ndarray:
    """KL(N(mu, diag(e^logvar)) ‖ N(0, I)), summed over the last axis: shape mu.shape[:-1]."""
    mu, logvar = _mean_and_spread(mu, logvar, "logvar")
    if mu.ndim == 0:
        raise ValueError("mu and logvar need a last (latent) axis, got scalars")
    return -0.5 * np.sum(1.0 + logvar - mu**2 - np.exp(logvar), axis=-1)


# --8<-- [end:gaussian_kl]


# --8<-- [start:free_bits]
def free_bits_kl(mu, logvar, n_groups: int, lam: float) -> float:
    """The KL term with free bits (Kingma et al. 2016, IAF, App. C.8): split the latent axis
    into n_groups equal groups, average each group's KL over the minibatch, and charge
    Σ_j max(λ, KL_j); a group whose average KL is below λ gets no gradient."""
    mu, logvar = _mean_and_spread(mu, logvar, "logvar")
    if mu.ndim != 2:
        raise ValueError(f"mu and logvar must have shape (batch, latent), got {mu.shape}")
    if isinstance(n_groups, bool) or not isinstance(n_groups, int | np.integer):
        raise TypeError(f"n_groups must be an int, got {type(n_groups).__name__}")
    if n_groups < 1 or mu.shape[1] % n_groups:
        raise ValueError(f"n_groups must divide the latent size {mu.shape[1]}, got {n_groups}")
    if not lam >= 0:
        raise ValueError(f"lam must be non-negative, got {lam}")
    kl_per_dim = -0.5 * (1.0 + logvar - mu**2 - np.exp(logvar))  # (batch, latent)
    kl_groups = kl_per_dim.reshape(mu.shape[0], n_groups, -1).sum(axis=2).mean(axis=0)  # (K,)
    return float(np.maximum(lam, kl_groups).sum())


# --8<-- [end:free_bits]


# --8<-- [start:reparameterize]
def reparameterize(mu, logvar, eps) -> np.ndarray:
    """z = mu + exp(logvar / 2) * eps: a sample of N(mu, e^logvar) that is differentiable in
    mu and logvar, because the randomness sits in eps ~ N(0, I)."""
    mu, logvar = _mean_and_spread(mu, logvar, "logvar")
    eps = _float_array("eps", eps)
    try:
        np.broadcast_shapes(mu.shape, eps.shape)
    except ValueError:
        raise ValueError(f"eps {eps.shape} does not broadcast with mu {mu.shape}") from None
    return mu + np.exp(0.5 * logvar) * eps


# --8<-- [end:reparameterize]


# --8<-- [start:gradients]
def pathwise_gradient(df, mu, sigma, eps) -> tuple[np.ndarray, np.ndarray]:
    """Reparameterisation estimate of ∇_(μ, σ) E[f(μ + σε)] from samples eps (axis 0).

    df is f's derivative (elementwise); z = μ + σε gives ∂z/∂μ = 1 and ∂z/∂σ = ε."""
    mu, sigma = _mean_and_spread(mu, sigma, "sigma")
    eps = _float_array("eps", eps)
    if eps.ndim != mu.ndim + 1 or eps.shape[1:] != mu.shape or eps.shape[0] == 0:
        raise ValueError(f"eps must have shape (n_samples, *{mu.shape}), got {eps.shape}")
    if (sigma <= 0).any():
        raise ValueError("sigma must be positive")
    slope = df(mu + sigma * eps)
    return slope.mean(axis=0), (slope * eps).mean(axis=0)


def score_function_gradient(f, mu, sigma, eps) -> tuple[np.ndarray, np.ndarray]:
    """REINFORCE estimate of the same gradient: f(z) ∇ log N(z; μ, σ²), z = μ + σε.

    ∇_μ log N = ε / σ and ∇_σ log N = (ε² − 1) / σ; f itself need not be differentiable."""
    mu, sigma = _mean_and_spread(mu, sigma, "sigma")
    eps = _float_array("eps", eps)
    if eps.ndim != mu.ndim + 1 or eps.shape[1:] != mu.shape or eps.shape[0] == 0:
        raise ValueError(f"eps must have shape (n_samples, *{mu.shape}), got {eps.shape}")
    if (sigma <= 0).any():
        raise ValueError("sigma must be positive")
    value = f(mu + sigma * eps)
    return (value * eps / sigma).mean(axis=0), (value * (eps**2 - 1) / sigma).mean(axis=0)


# --8<-- [end:gradients]


# --8<-- [start:plot]
def plot_kl_landscape():
    """KL(N(μ, σ²) ‖ N(0, 1)) over (μ, log σ²), and its cut at μ = 0."""
    import matplotlib.pyplot as plt

    mu, logvar = np.meshgrid(np.linspace(-3, 3, 121), np.linspace(-5, 3, 161))
    kl = gaussian_kl(mu[..., None], logvar[..., None])
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    contour = left.contour(mu, logvar, kl, levels=[0.1, 0.5, 1, 2, 4, 8], cmap="viridis")
    left.clabel(contour, fontsize=7)
    left.plot([0], [0], "o", color="C3")
    left.annotate("最小值 0：q = 先验", (0, 0), (0.4, -1.2), fontsize=8)
    left.set_xlabel("μ")
    left.set_ylabel("log σ²")
    left.set_title("KL(N(μ, σ²) ‖ N(0, 1))", fontsize=10)
    grid = np.linspace(-5, 3, 161)
    right.plot(grid, gaussian_kl(np.zeros((161, 1)), grid[:, None]), color="C0")
    right.set_xlabel("log σ²（μ = 0）")
    right.set_ylabel("KL")
    right.set_title("方差太小：线性增长；太大：指数增长", fontsize=10)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    mu, logvar = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    kl = gaussian_kl(mu, logvar)
    assert kl.shape == (4,)
    assert (kl >= 0).all()
    assert np.allclose(kl, gaussian_kl_whiteboard(mu, logvar))
    assert gaussian_kl(np.zeros(5), np.zeros(5)) == 0  # q equal to the prior
    # E[z²] = μ² + σ², so the gradient is (2μ, 2σ); the pathwise estimate gets close.
    eps = rng.normal(size=(100_000, 1))
    g_mu, g_sigma = pathwise_gradient(lambda z: 2 * z, np.array([1.5]), np.array([0.5]), eps)
    assert np.allclose([g_mu[0], g_sigma[0]], [3.0, 1.0], atol=0.02)
    print("KL per sample:", kl.round(3))
