"""DDPM in numpy: the linear and cosine noise schedules, the forward process q(x_t | x_0), the
posterior q(x_{t-1} | x_t, x_0) and one reverse step, a DDIM step, classifier-free guidance and
the ε / x_0 / v conversions, with a 2-D toy for the figures.

Steps are 0-based indices into the schedule arrays: index t is step t + 1 of Ho et al. (2020),
so alphas_cumprod[-1] is their ᾱ_T.
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def q_sample_whiteboard(x0, t, noise, n_steps=1000):
    """Write the linear schedule, ᾱ = cumprod(1 − β), and x_t = √ᾱ_t x0 + √(1 − ᾱ_t) noise."""
    betas = np.linspace(1e-4, 0.02, n_steps)
    alphas_cumprod = np.cumprod(1.0 - betas)
    abar = alphas_cumprod[t].reshape(-1, *[1] * (x0.ndim - 1))  # one ᾱ per sample
    return np.sqrt(abar) * x0 + np.sqrt(1.0 - abar) * noise


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _float_array(name: str, x) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise TypeError(f"{name} must be a real number array, got dtype {x.dtype}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    # dtype None is float64 too; no caller writes to x or returns it, so a copy is never seen.
    return x.astype(np.float64, copy=False)  # pragma: no mutate (see the comment above)


def _schedule(name: str, values, low_open: bool) -> np.ndarray:
    """A 1-D schedule with every value in (0, 1) (betas) or (0, 1] (alphas_cumprod)."""
    values = _float_array(name, values)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {values.shape}")
    upper_ok = values < 1 if low_open else values <= 1
    if not ((values > 0) & upper_ok).all():
        raise ValueError(f"{name} must lie in (0, {'1)' if low_open else '1]'}")
    return values


def _step_index(t, n_steps: int, batch: int | None) -> np.ndarray:
    """t as an integer array: one int, or one step per sample (shape (N,))."""
    t = np.asarray(t)
    if t.dtype == bool or not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"t must be an int or an integer array, got dtype {t.dtype}")
    if t.ndim > 1 or (t.ndim == 1 and t.shape[0] != batch):
        raise ValueError(f"t must be one int or shape (N,) = ({batch},), got shape {t.shape}")
    if ((t < 0) | (t >= n_steps)).any():
        raise ValueError(f"t must index the schedule: 0 <= t < {n_steps}")
    return t


# --8<-- [end:check]


# --8<-- [start:schedule]
def linear_beta_schedule(
    n_steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02
) -> np.ndarray:
    """β_1, …, β_T evenly spaced from beta_start to beta_end (Ho et al. 2020), shape (n_steps,)."""
    if isinstance(n_steps, bool) or not isinstance(n_steps, int | np.integer):
        raise TypeError(f"n_steps must be an int, got {type(n_steps).__name__}")
    if n_steps < 1:
        raise ValueError(f"n_steps must be at least 1, got {n_steps}")
    if not 0 < beta_start <= beta_end < 1:
        raise ValueError(f"need 0 < beta_start <= beta_end < 1, got {beta_start}, {beta_end}")
    return np.linspace(beta_start, beta_end, n_steps)


# --8<-- [end:schedule]


# --8<-- [start:cosine]
def cosine_beta_schedule(n_steps: int = 1000, s: float = 0.008) -> np.ndarray:
    """Nichol & Dhariwal (2021) §3.2: ᾱ_t = f(t) / f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2),
    β_t = 1 − ᾱ_t / ᾱ_{t−1} clipped at 0.999 (the last β would otherwise be 1); shape (n_steps,)."""
    if isinstance(n_steps, bool) or not isinstance(n_steps, int | np.integer):
        raise TypeError(f"n_steps must be an int, got {type(n_steps).__name__}")
    if n_steps < 1:
        raise ValueError(f"n_steps must be at least 1, got {n_steps}")
    if not 0 <= s < 1:
        raise ValueError(f"need 0 <= s < 1, got s = {s}")
    f = np.cos((np.arange(n_steps + 1) / n_steps + s) / (1 + s) * np.pi / 2) ** 2
    return np.clip(1.0 - f[1:] / f[:-1], 0.0, 0.999)


# --8<-- [end:cosine]


# --8<-- [start:q_sample]
def q_sample(x0, t, noise, alphas_cumprod) -> np.ndarray:
    """x_t = √ᾱ_t x0 + √(1 − ᾱ_t) noise: a sample of q(x_t | x_0).

    t indexes alphas_cumprod (0-based): one int for the whole batch, or shape (N,) for x0 of
    shape (N, ...), one step per sample, broadcast over the other axes.
    """
    x0, noise = _float_array("x0", x0), _float_array("noise", noise)
    if noise.shape != x0.shape:
        raise ValueError(f"noise must have the shape of x0 {x0.shape}, got {noise.shape}")
    alphas_cumprod = _schedule("alphas_cumprod", alphas_cumprod, low_open=False)
    t = _step_index(t, alphas_cumprod.size, x0.shape[0] if x0.ndim else None)
    abar = alphas_cumprod[t]
    if t.ndim == 1:
        abar = abar.reshape(-1, *[1] * (x0.ndim - 1))  # (N, 1, ..., 1)
    return np.sqrt(abar) * x0 + np.sqrt(1.0 - abar) * noise


# --8<-- [end:q_sample]


# --8<-- [start:reverse]
def q_posterior(x0, xt, t: int, betas) -> tuple[np.ndarray, float]:
    """Mean and variance of q(x_{t-1} | x_t, x_0) (DDPM eq. 6–7); t is 0-based.

    ᾱ before the first step is 1, so at t = 0 the mean is x0 and the variance 0.
    """
    x0, xt = _float_array("x0", x0), _float_array("xt", xt)
    betas = _schedule("betas", betas, low_open=True)
    t = int(_step_index(t, betas.size, None))
    alphas_cumprod = np.cumprod(1.0 - betas)
    abar, abar_prev = alphas_cumprod[t], (alphas_cumprod[t - 1] if t > 0 else 1.0)
    coef_x0 = np.sqrt(abar_prev) * betas[t] / (1.0 - abar)
    coef_xt = np.sqrt(1.0 - betas[t]) * (1.0 - abar_prev) / (1.0 - abar)
    variance = (1.0 - abar_prev) / (1.0 - abar) * betas[t]  # β̃_t
    return coef_x0 * x0 + coef_xt * xt, float(variance)


def p_sample_step(xt, t: int, eps_pred, betas, noise) -> np.ndarray:
    """One reverse step x_t -> x_{t-1} from the predicted noise, with variance β̃_t."""
    xt, eps_pred = _float_array("xt", xt), _float_array("eps_pred", eps_pred)
    noise = _float_array("noise", noise)
    if eps_pred.shape != xt.shape or noise.shape != xt.shape:
        raise ValueError(f"eps_pred and noise must have the shape of xt {xt.shape}")
    betas = _schedule("betas", betas, low_open=True)
    t = int(_step_index(t, betas.size, None))
    abar = np.cumprod(1.0 - betas)[t]
    mean = (xt - betas[t] / np.sqrt(1.0 - abar) * eps_pred) / np.sqrt(1.0 - betas[t])
    _, variance = q_posterior(xt, xt, t, betas)  # β̃_t; 0 at t = 0: the last step adds no noise
    return mean + np.sqrt(variance) * noise


# --8<-- [end:reverse]


# --8<-- [start:ddim]
def ddim_step(xt, eps_pred, abar_t: float, abar_prev: float, eta: float = 0.0, noise=None):
    """One DDIM step x_{τ_i} -> x_{τ_{i−1}} (Song et al. 2021 eq. 12 and 16).

    abar_t = ᾱ_{τ_i}, abar_prev = ᾱ_{τ_{i−1}} (1 for the last step); any earlier step may be
    the target, not only t − 1. eta = 0: deterministic; eta = 1 between consecutive steps:
    the DDPM step with variance β̃_t. noise (shape of xt) is needed when eta > 0.
    """
    xt, eps_pred = _float_array("xt", xt), _float_array("eps_pred", eps_pred)
    if eps_pred.shape != xt.shape:
        raise ValueError(f"eps_pred must have the shape of xt {xt.shape}, got {eps_pred.shape}")
    if not 0 < abar_t < abar_prev <= 1:
        raise ValueError(f"need 0 < abar_t < abar_prev <= 1, got {abar_t}, {abar_prev}")
    if not 0 <= eta <= 1:
        raise ValueError(f"eta must lie in [0, 1], got {eta}")
    sigma = eta * np.sqrt((1 - abar_prev) / (1 - abar_t) * (1 - abar_t / abar_prev))
    x0_hat = (xt - np.sqrt(1 - abar_t) * eps_pred) / np.sqrt(abar_t)
    out = np.sqrt(abar_prev) * x0_hat + np.sqrt(1 - abar_prev - sigma**2) * eps_pred
    if sigma > 0:
        if noise is None:
            raise ValueError("eta > 0 adds noise: pass noise of the shape of xt")
        noise = _float_array("noise", noise)
        if noise.shape != xt.shape:
            raise ValueError(f"noise must have the shape of xt {xt.shape}, got {noise.shape}")
        out = out + sigma * noise
    return out


# --8<-- [end:ddim]


# --8<-- [start:cfg]
def guided_eps(eps_uncond, eps_cond, w: float) -> np.ndarray:
    """Classifier-free guidance: ε_uncond + w (ε_cond − ε_uncond); w = 1 is the conditional
    model, w = 0 the unconditional one (diffusers' guidance_scale; Ho & Salimans write 1 + w)."""
    eps_uncond, eps_cond = (
        _float_array("eps_uncond", eps_uncond),
        _float_array("eps_cond", eps_cond),
    )
    if eps_uncond.shape != eps_cond.shape:
        raise ValueError(
            f"eps_uncond and eps_cond differ in shape: {eps_uncond.shape}, {eps_cond.shape}"
        )
    if not np.isfinite(w):
        raise ValueError(f"w must be finite, got {w}")
    return eps_uncond + w * (eps_cond - eps_uncond)


# --8<-- [end:cfg]


# --8<-- [start:parametrizations]
def _abar(abar) -> float:
    if not 0 <= abar <= 1:
        raise ValueError(f"abar must lie in [0, 1], got {abar}")
    return float(abar)


def x0_from_eps(xt, eps, abar: float) -> np.ndarray:
    """x̂_0 = (x_t − √(1 − ᾱ) ε) / √ᾱ; undefined at ᾱ = 0, where x_t is pure noise."""
    if _abar(abar) == 0:
        raise ValueError("abar = 0 (SNR 0): x_t = ε carries nothing about x_0; use v")
    return (_float_array("xt", xt) - np.sqrt(1 - abar) * _float_array("eps", eps)) / np.sqrt(abar)


def v_from_x0_eps(x0, eps, abar: float) -> np.ndarray:
    """The v-prediction target v = √ᾱ ε − √(1 − ᾱ) x_0 (Salimans & Ho 2022)."""
    abar = _abar(abar)
    return np.sqrt(abar) * _float_array("eps", eps) - np.sqrt(1 - abar) * _float_array("x0", x0)


def x0_eps_from_v(xt, v, abar: float) -> tuple[np.ndarray, np.ndarray]:
    """(x_0, ε) from x_t and v: x_0 = √ᾱ x_t − √(1 − ᾱ) v, ε = √(1 − ᾱ) x_t + √ᾱ v."""
    abar = _abar(abar)
    xt, v = _float_array("xt", xt), _float_array("v", v)
    return np.sqrt(abar) * xt - np.sqrt(1 - abar) * v, np.sqrt(1 - abar) * xt + np.sqrt(abar) * v


# --8<-- [end:parametrizations]


# --8<-- [start:toy]
def ring_data(n: int, seed: int = 0) -> np.ndarray:
    """n points near the unit circle: a 2-D data set for the toy diffusion."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = 1.0 + 0.05 * rng.normal(size=n)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def ideal_eps(xt: np.ndarray, t: int, data: np.ndarray, alphas_cumprod: np.ndarray):
    """The noise prediction that minimises the DDPM loss when the data are exactly `data`:
    ε* = (x_t − √ᾱ_t E[x_0 | x_t]) / √(1 − ᾱ_t), the posterior mean a softmax over the points."""
    abar = alphas_cumprod[t]
    d2 = ((xt[:, None, :] - np.sqrt(abar) * data[None, :, :]) ** 2).sum(axis=-1)
    logits = -d2 / (2.0 * (1.0 - abar))
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    x0_mean = (weights / weights.sum(axis=1, keepdims=True)) @ data
    return (xt - np.sqrt(abar) * x0_mean) / np.sqrt(1.0 - abar)


def reverse_process(data, betas, n_samples: int, keep, seed: int = 0) -> dict[int, np.ndarray]:
    """Run every DDPM reverse step from pure noise with ideal_eps.

    Returns x_t (the paper's 1-based t) for every t in keep; t = 0 is the generated sample."""
    rng = np.random.default_rng(seed)
    alphas_cumprod = np.cumprod(1.0 - betas)
    x = rng.normal(size=(n_samples, data.shape[1]))  # x_T
    kept = {}
    for t in range(len(betas), 0, -1):  # x_t -> x_{t-1}, 0-based index t - 1
        if t in keep:
            kept[t] = x
        eps = ideal_eps(x, t - 1, data, alphas_cumprod)
        x = p_sample_step(x, t - 1, eps, betas, rng.normal(size=x.shape))
    kept[0] = x
    return kept


# --8<-- [end:toy]


# --8<-- [start:plot]
def plot_alphas_cumprod():
    """ᾱ_t of the linear schedule (and the cosine schedule for comparison)."""
    import matplotlib.pyplot as plt

    n = 1000
    abar = np.cumprod(1.0 - linear_beta_schedule(n))
    abar_cos = np.cumprod(1 - cosine_beta_schedule(n))
    steps = np.arange(1, n + 1)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, log in zip(axes, (False, True), strict=True):
        ax.plot(steps, abar, label="线性 β（DDPM）")
        ax.plot(steps, abar_cos, "--", label="余弦（Nichol 与 Dhariwal）")
        ax.set_xlabel("步数 t")
        if log:
            ax.set_yscale("log")
            ax.set_ylabel("ᾱ_t（对数坐标）")
        else:
            ax.set_ylabel("ᾱ_t（x_0 系数的平方）")
            ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_toy_diffusion(seed: int = 0):
    """Top: the forward process q(x_t | x_0) on a ring; bottom: the reverse process."""
    import matplotlib.pyplot as plt

    betas = linear_beta_schedule(1000)
    alphas_cumprod = np.cumprod(1.0 - betas)
    rng = np.random.default_rng(seed)
    x0 = ring_data(150, seed)
    shown = [0, 100, 300, 1000]  # the paper's t; index t - 1 into the schedule
    reverse = reverse_process(ring_data(60, seed + 1), betas, 150, set(shown), seed)
    fig, axes = plt.subplots(2, 4, figsize=(9, 4.6), sharex=True, sharey=True)
    for col, t in enumerate(shown):
        xt = x0 if t == 0 else q_sample(x0, t - 1, rng.normal(size=x0.shape), alphas_cumprod)
        abar = 1.0 if t == 0 else alphas_cumprod[t - 1]
        axes[0, col].scatter(*xt.T, s=3, color="C0")
        axes[0, col].set_title(f"t = {t}，ᾱ_t = {abar:.2g}", fontsize=9)
        axes[1, col].scatter(*reverse[t].T, s=3, color="C1")
        axes[1, col].set_title(f"反向 t = {t}", fontsize=9)  # stacked on a phone, each says its t
    for ax in axes.flat:
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
        ax.set_aspect("equal")
        ax.set_xticks([-2, 0, 2])
        ax.set_yticks([-2, 0, 2])
    axes[0, 0].set_ylabel("前向加噪")
    axes[1, 0].set_ylabel("反向去噪（从右往左）")
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    betas = linear_beta_schedule()
    alphas_cumprod = np.cumprod(1.0 - betas)
    assert betas.shape == (1000,)
    assert np.isclose(alphas_cumprod[-1], 4.04e-5, atol=5e-8)  # ᾱ_T of DDPM
    rng = np.random.default_rng(0)
    x0, noise = rng.normal(size=(4, 3, 2)), rng.normal(size=(4, 3, 2))
    t = np.array([0, 10, 500, 999])
    xt = q_sample(x0, t, noise, alphas_cumprod)
    abar = alphas_cumprod[500]
    assert np.allclose(xt[2], np.sqrt(abar) * x0[2] + np.sqrt(1 - abar) * noise[2])
    assert np.allclose(xt, q_sample_whiteboard(x0, t, noise))
    # With the true noise as the prediction, the reverse mean is the posterior mean.
    x0_hat = (xt[2] - np.sqrt(1 - abar) * noise[2]) / np.sqrt(abar)
    mean, _ = q_posterior(x0_hat, xt[2], 500, betas)
    assert np.allclose(p_sample_step(xt[2], 500, noise[2], betas, np.zeros((3, 2))), mean)
    # DDIM with eta = 0 and the true noise jumps from step 1000 to step 500 exactly.
    x0, noise = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    x_from = q_sample(x0, 999, noise, alphas_cumprod)
    x_to = ddim_step(x_from, noise, alphas_cumprod[999], alphas_cumprod[499])
    assert np.allclose(x_to, q_sample(x0, 499, noise, alphas_cumprod))
    print(f"alphas_cumprod[-1] = {alphas_cumprod[-1]:.3e}")
