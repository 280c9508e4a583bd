"""DDPM schedule, forward process and reverse step against the paper's numbers, a loop over
samples, brute-force Gaussian products on a grid, and Monte Carlo; the cosine schedule against the
formula of Nichol & Dhariwal, DDIM against exact moments and the DDPM posterior, CFG and the
ε / x_0 / v conversions."""

import math

import numpy as np
import pytest
from generative.diffusion import (
    cosine_beta_schedule,
    ddim_step,
    guided_eps,
    ideal_eps,
    linear_beta_schedule,
    p_sample_step,
    q_posterior,
    q_sample,
    q_sample_whiteboard,
    reverse_process,
    ring_data,
    v_from_x0_eps,
    x0_eps_from_v,
    x0_from_eps,
)
from hypothesis import given, settings
from hypothesis import strategies as st

BETAS = linear_beta_schedule()
ABAR = np.cumprod(1.0 - BETAS)


def test_linear_schedule_matches_ddpm():
    assert BETAS.shape == (1000,)
    assert BETAS[0] == 1e-4
    assert BETAS[-1] == pytest.approx(0.02)
    np.testing.assert_allclose(np.diff(BETAS), (0.02 - 1e-4) / 999)
    # The fact on the page: ᾱ_T ≈ 4.04e-5, the product of 1 − β_i with β_i written out in floats.
    product = math.prod(1.0 - (1e-4 + (0.02 - 1e-4) * i / 999) for i in range(1000))
    assert ABAR[-1] == pytest.approx(product, rel=1e-12)
    assert ABAR[-1] == pytest.approx(4.04e-5, abs=5e-8)
    np.testing.assert_allclose(linear_beta_schedule(3, 0.1, 0.3), [0.1, 0.2, 0.3])


def test_q_sample_by_hand_and_per_sample_steps():
    rng = np.random.default_rng(0)
    x0, noise = rng.normal(size=(3, 2, 4)), rng.normal(size=(3, 2, 4))
    t = np.array([0, 499, 999])
    out = q_sample(x0, t, noise, ABAR)
    for i, step in enumerate(t):  # one sample at a time, scalar ᾱ
        expected = np.sqrt(ABAR[step]) * x0[i] + np.sqrt(1 - ABAR[step]) * noise[i]
        np.testing.assert_allclose(out[i], expected)
    one_step = q_sample(x0, 499, noise, ABAR)  # one int: the same step for every sample
    np.testing.assert_allclose(one_step[1], out[1])
    assert not np.allclose(one_step[0], out[0])
    # ᾱ = 1 - tiny at t = 0: x_t ≈ x0; t = T - 1: almost pure noise.
    np.testing.assert_allclose(out[0], x0[0], atol=0.05)
    np.testing.assert_allclose(out[2], noise[2], atol=0.02)


def test_q_sample_has_the_marginal_of_the_step_by_step_chain():
    """x_t from q_sample has the distribution of t + 1 steps x <- √(1−β) x + √β ε."""
    mean, var = 1.5, 0.0  # x0 = 1.5; the chain is Gaussian: track its moments exactly
    for beta in BETAS[:301]:  # the paper's steps 1 … 301 = index 300
        mean, var = np.sqrt(1 - beta) * mean, (1 - beta) * var + beta
    assert mean == pytest.approx(np.sqrt(ABAR[300]) * 1.5, rel=1e-12)
    assert var == pytest.approx(1 - ABAR[300], rel=1e-12)
    rng = np.random.default_rng(1)
    x = np.full(20_000, 1.5)
    for beta in BETAS[:301]:  # and by simulation
        x = np.sqrt(1 - beta) * x + np.sqrt(beta) * rng.normal(size=x.size)
    direct = q_sample(np.full(20_000, 1.5), 300, rng.normal(size=20_000), ABAR)
    for sample in (x, direct):
        assert sample.mean() == pytest.approx(mean, abs=0.03)
        assert sample.var() == pytest.approx(var, rel=0.04)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2), st.booleans(), st.integers(0, 2**32 - 1))
def test_whiteboard_matches_q_sample(n, extra_dims, one_int, seed):
    rng = np.random.default_rng(seed)
    shape = (n, *rng.integers(1, 4, extra_dims))
    x0, noise = rng.normal(size=shape), rng.normal(size=shape)
    t = int(rng.integers(1000)) if one_int else rng.integers(0, 1000, n)
    np.testing.assert_allclose(q_sample_whiteboard(x0, t, noise), q_sample(x0, t, noise, ABAR))


def gaussian_product_on_grid(x0, xt, t):
    """Posterior of x_{t-1} given x_t and x0, by multiplying q(x_{t-1} | x0) and
    q(x_t | x_{t-1}) on a fine grid and taking moments (1-D)."""
    prev = ABAR[t - 1]
    grid = np.linspace(-8, 8, 400_001)
    log_prior = -((grid - np.sqrt(prev) * x0) ** 2) / (2 * (1 - prev))
    log_lik = -((xt - np.sqrt(1 - BETAS[t]) * grid) ** 2) / (2 * BETAS[t])
    w = np.exp(log_prior + log_lik - (log_prior + log_lik).max())
    w /= w.sum()
    mean = (w * grid).sum()
    return mean, (w * (grid - mean) ** 2).sum()


@pytest.mark.parametrize(("x0", "xt", "t"), [(0.7, -0.3, 10), (-1.2, 0.4, 300), (0.5, 2.0, 900)])
def test_posterior_against_a_brute_force_gaussian_product(x0, xt, t):
    mean, var = q_posterior(x0, xt, t, BETAS)
    ref_mean, ref_var = gaussian_product_on_grid(x0, xt, t)
    assert mean == pytest.approx(ref_mean, abs=1e-6)
    assert var == pytest.approx(ref_var, rel=1e-4)


def test_posterior_at_the_first_step_is_x0():
    mean, var = q_posterior(np.array([0.3, -2.0]), np.array([5.0, 5.0]), 0, BETAS)
    np.testing.assert_allclose(mean, [0.3, -2.0])
    assert var == 0.0


def test_reverse_step_with_the_true_noise_gives_the_posterior_mean():
    rng = np.random.default_rng(2)
    x0, noise = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    for t in (1, 250, 999):
        xt = q_sample(x0, t, noise, ABAR)
        mean, var = q_posterior(x0, xt, t, BETAS)
        np.testing.assert_allclose(p_sample_step(xt, t, noise, BETAS, np.zeros_like(xt)), mean)
        z = rng.normal(size=xt.shape)
        np.testing.assert_allclose(p_sample_step(xt, t, noise, BETAS, z), mean + np.sqrt(var) * z)


def test_ideal_eps_for_one_data_point_is_the_true_noise():
    data = np.array([[0.5, -1.0]])
    x0 = np.repeat(data, 4, axis=0)
    noise = np.random.default_rng(3).normal(size=(4, 2))
    xt = q_sample(x0, 400, noise, ABAR)
    np.testing.assert_allclose(ideal_eps(xt, 400, data, ABAR), noise)


def test_reverse_process_with_ideal_eps_lands_on_the_data():
    data = ring_data(20, seed=4)
    betas = linear_beta_schedule(200)  # fewer steps keep the test cheap
    out = reverse_process(data, betas, 30, keep={100}, seed=5)
    assert set(out) == {0, 100}
    nearest = np.linalg.norm(out[0][:, None] - data[None], axis=-1).min(axis=1)
    assert nearest.max() < 0.05


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"t": 1000}, ValueError, "0 <= t < 1000"),
        ({"t": -1}, ValueError, "0 <= t"),
        ({"t": 1.5}, TypeError, "integer"),
        ({"t": np.array([1, 2])}, ValueError, "shape"),
        ({"t": np.zeros((3, 1), int)}, ValueError, "shape"),
        ({"noise": np.zeros((3, 3))}, ValueError, "noise"),
        ({"x0": np.full((3, 2), np.nan)}, ValueError, "x0"),
        ({"x0": np.zeros((3, 2), bool)}, TypeError, "x0"),
        ({"alphas_cumprod": np.zeros(10)}, ValueError, "alphas_cumprod"),
        ({"alphas_cumprod": np.ones((2, 5))}, ValueError, "1-D"),
    ],
)
def test_q_sample_bad_input(kwargs, error, match):
    args = {"x0": np.zeros((3, 2)), "t": 5, "noise": np.zeros((3, 2)), "alphas_cumprod": ABAR}
    with pytest.raises(error, match=match):
        q_sample(**(args | kwargs))


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((0,), ValueError, "n_steps"),
        ((10.0,), TypeError, "n_steps"),
        ((True,), TypeError, "n_steps"),
        ((10, 0.0, 0.02), ValueError, "beta_start"),
        ((10, 0.03, 0.02), ValueError, "beta_start"),
        ((10, 1e-4, 1.0), ValueError, "beta_end"),
    ],
)
def test_schedule_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        linear_beta_schedule(*args)


def test_reverse_step_bad_input():
    with pytest.raises(ValueError, match="betas"):
        q_posterior(0.0, 0.0, 3, np.array([0.1, 1.0, 0.2, 0.3]))
    with pytest.raises(ValueError, match="eps_pred"):
        p_sample_step(np.zeros(3), 2, np.zeros(2), BETAS, np.zeros(3))
    with pytest.raises(ValueError, match="t must index"):
        p_sample_step(np.zeros(3), 1000, np.zeros(3), BETAS, np.zeros(3))


def test_cosine_schedule_matches_the_formula_of_nichol_and_dhariwal():
    T, s = 1000, 0.008

    def f(t):
        return math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2

    abar = [f(t) / f(0) for t in range(T + 1)]  # abar[0] = 1
    expected = [min(1 - abar[t] / abar[t - 1], 0.999) for t in range(1, T + 1)]
    betas = cosine_beta_schedule(T)
    np.testing.assert_allclose(betas, expected, rtol=1e-9)  # 1 − ratio loses a few digits
    assert betas[-1] == 0.999  # clipped: f(T) = 0 would make β_T = 1
    assert (betas[:-1] < 0.999).all()
    np.testing.assert_allclose(np.cumprod(1 - betas)[:-1], abar[1:T], rtol=1e-9)
    np.testing.assert_allclose(
        cosine_beta_schedule(4, 0.0)[:3],
        [
            1 - math.cos(math.pi / 8) ** 2,
            1 - (math.cos(math.pi / 4) / math.cos(math.pi / 8)) ** 2,
            1 - (math.cos(3 * math.pi / 8) / math.cos(math.pi / 4)) ** 2,
        ],
        rtol=1e-12,
    )


def test_cosine_schedule_is_flat_at_both_ends_and_steep_in_the_middle():
    """The page's claim: cosine ᾱ_t changes little near t = 0 and t = T and falls about linearly
    in between, faster there than the linear schedule; the linear one is near 0 early."""
    cos = np.concatenate([[1.0], np.cumprod(1 - cosine_beta_schedule(1000))])
    lin = np.concatenate([[1.0], ABAR])

    def drop(abar, a, b):  # mean fall of ᾱ per step between steps a and b, times T
        return (abar[a] - abar[b]) / (b - a) * 1000

    assert drop(cos, 400, 600) == pytest.approx(1.53, abs=0.01)
    assert drop(lin, 400, 600) == pytest.approx(0.85, abs=0.01)
    assert drop(cos, 0, 50) < 0.2
    assert drop(cos, 950, 1000) < 0.2
    slopes = np.diff(cos[300:701])  # near-linear in the middle: the slope varies little
    assert slopes.max() / slopes.min() < 1.2
    assert lin[750] < 0.005 < 0.1 < cos[750]


def test_kl_with_fixed_variance_is_the_scaled_squared_mean_gap_plus_a_constant():
    """Ho et al. eq. 8: KL(N(μ̃, β̃) ‖ N(μ_θ, σ²)) = (μ̃ − μ_θ)² / (2σ²) + C, C free of μ_θ."""
    t = 300
    _, var_post = q_posterior(0.0, 0.0, t, BETAS)
    sigma2 = BETAS[t]  # DDPM's other choice σ_t² = β_t, so that C ≠ 0
    grid = np.linspace(-2, 2, 400_001)
    dx = grid[1] - grid[0]

    def log_normal(mean, var):
        return -((grid - mean) ** 2) / (2 * var) - 0.5 * np.log(2 * np.pi * var)

    mu_tilde = 0.3
    p = np.exp(log_normal(mu_tilde, var_post))
    rest = []
    for mu_theta in (0.3, 0.25, 0.4, 0.1):
        kl = (p * (log_normal(mu_tilde, var_post) - log_normal(mu_theta, sigma2))).sum() * dx
        rest.append(kl - (mu_tilde - mu_theta) ** 2 / (2 * sigma2))
    np.testing.assert_allclose(rest, rest[0], atol=1e-9)
    ratio = var_post / sigma2
    assert rest[0] == pytest.approx(0.5 * (ratio - 1 - np.log(ratio)), rel=1e-6)


def _affine_parts(fn, n):
    """fn(e, z) is affine in the noise vectors e, z: its constant and per-noise coefficients."""
    zero = np.zeros(n)
    c0 = fn(zero, zero)
    return c0, fn(np.ones(n), zero) - c0, fn(zero, np.ones(n)) - c0


@pytest.mark.parametrize(("t", "prev"), [(999, 499), (300, 299), (50, 10)])
@pytest.mark.parametrize("eta", [0.0, 0.5, 1.0])
def test_ddim_step_keeps_the_marginal_q_of_the_earlier_step(t, prev, eta):
    """With the true noise, x_{τ_{i−1}} must have the marginal N(√ᾱ_prev x0, 1 − ᾱ_prev)."""
    x0 = np.array([0.7, -1.3, 2.0])

    def step(e, z):
        xt = np.sqrt(ABAR[t]) * x0 + np.sqrt(1 - ABAR[t]) * e
        return ddim_step(xt, e, ABAR[t], ABAR[prev], eta, z)

    c0, c_eps, c_z = _affine_parts(step, 3)
    np.testing.assert_allclose(c0, np.sqrt(ABAR[prev]) * x0)
    np.testing.assert_allclose(c_eps**2 + c_z**2, 1 - ABAR[prev])
    sigma2 = eta**2 * (1 - ABAR[prev]) / (1 - ABAR[t]) * (1 - ABAR[t] / ABAR[prev])
    np.testing.assert_allclose(c_z, np.sqrt(sigma2))  # Song et al. eq. 16


def test_ddim_step_by_hand_with_noise():
    xt, eps, z = np.array([0.4, -1.0]), np.array([1.5, 0.2]), np.array([-0.3, 0.8])
    abar_t, abar_prev, eta = 0.36, 0.64, 0.5
    sigma = 0.5 * math.sqrt(0.36 / 0.64 * (1 - 0.36 / 0.64))  # = 0.5 · 0.75 · 0.661…
    x0_hat = (xt - 0.8 * eps) / 0.6
    expected = 0.8 * x0_hat + math.sqrt(0.36 - sigma**2) * eps + sigma * z
    np.testing.assert_allclose(ddim_step(xt, eps, abar_t, abar_prev, eta, z), expected)
    assert sigma > 0.1  # a real σ_t ≠ 0 case


def test_ddim_with_eta_one_is_the_ddpm_step():
    rng = np.random.default_rng(6)
    xt, eps, z = rng.normal(size=(3, 5, 2))
    for t in (1, 400, 999):
        ddpm = p_sample_step(xt, t, eps, BETAS, z)
        np.testing.assert_allclose(ddim_step(xt, eps, ABAR[t], ABAR[t - 1], 1.0, z), ddpm)
    # Last step (to ᾱ_0 = 1): no noise in either.
    np.testing.assert_allclose(
        ddim_step(xt, eps, ABAR[0], 1.0, 1.0, z), p_sample_step(xt, 0, eps, BETAS, z)
    )


def test_ddim_with_eta_one_on_a_subsequence_is_the_markov_posterior_there():
    """η = 1 with skipped steps: mean and variance of q(x_{τ_{i−1}} | x_{τ_i}, x0) for the Markov
    chain on τ, whose steps have β'_i = 1 − ᾱ_{τ_i} / ᾱ_{τ_{i−1}}."""
    tau = np.arange(0, 1000, 100)  # 0-based indices 0, 100, …, 900
    sub_betas = 1 - ABAR[tau] / np.concatenate([[1.0], ABAR[tau[:-1]]])
    x0 = np.array([0.5, -0.2])
    xt = np.array([1.1, 0.3])
    for i in (3, 9):
        eps = (xt - np.sqrt(ABAR[tau[i]]) * x0) / np.sqrt(1 - ABAR[tau[i]])
        mean, var = q_posterior(x0, xt, int(i), sub_betas)
        zero, one = np.zeros(2), np.ones(2)
        out0 = ddim_step(xt, eps, ABAR[tau[i]], ABAR[tau[i - 1]], 1.0, zero)
        np.testing.assert_allclose(out0, mean)
        out1 = ddim_step(xt, eps, ABAR[tau[i]], ABAR[tau[i - 1]], 1.0, one)
        np.testing.assert_allclose((out1 - out0) ** 2, var)


def test_fifty_step_ddim_with_the_ideal_eps_lands_on_the_data():
    data = ring_data(20, seed=7)
    tau = np.linspace(0, 999, 50).round().astype(int)
    x = np.random.default_rng(8).normal(size=(30, 2))
    for i in range(len(tau) - 1, -1, -1):
        prev = ABAR[tau[i - 1]] if i > 0 else 1.0
        x = ddim_step(x, ideal_eps(x, tau[i], data, ABAR), ABAR[tau[i]], prev)
    nearest = np.linalg.norm(x[:, None] - data[None], axis=-1).min(axis=1)
    assert nearest.max() < 0.05


def test_guided_eps_conventions():
    rng = np.random.default_rng(9)
    e_u, e_c = rng.normal(size=(2, 3, 4))
    np.testing.assert_allclose(guided_eps(e_u, e_c, 0.0), e_u)  # w = 0: unconditional
    np.testing.assert_allclose(guided_eps(e_u, e_c, 1.0), e_c)  # w = 1: conditional
    for w_paper in (0.5, 2.0, 6.5):  # Ho & Salimans: (1 + w) ε_c − w ε_u = ours at 1 + w
        paper = (1 + w_paper) * e_c - w_paper * e_u
        np.testing.assert_allclose(guided_eps(e_u, e_c, 1 + w_paper), paper)
    np.testing.assert_allclose(guided_eps(np.zeros(2), np.array([1.0, -2.0]), 7.5), [7.5, -15.0])


@settings(max_examples=20, deadline=None)
@given(st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
def test_eps_x0_v_conversions_round_trip(abar, seed):
    rng = np.random.default_rng(seed)
    x0, eps = rng.normal(size=(2, 3, 2))
    xt = np.sqrt(abar) * x0 + np.sqrt(1 - abar) * eps
    v = v_from_x0_eps(x0, eps, abar)
    x0_back, eps_back = x0_eps_from_v(xt, v, abar)
    np.testing.assert_allclose(x0_back, x0, atol=1e-9)
    np.testing.assert_allclose(eps_back, eps, atol=1e-9)
    # (x_t, v) is a rotation of (x0, ε): the squared norm is kept.
    np.testing.assert_allclose(xt**2 + v**2, x0**2 + eps**2, atol=1e-9)
    if abar > 1e-3:
        np.testing.assert_allclose(x0_from_eps(xt, eps, abar), x0, atol=1e-6)


def test_v_by_hand_and_at_snr_zero():
    np.testing.assert_allclose(v_from_x0_eps(np.array([2.0]), np.array([1.0]), 0.36), [0.6 - 1.6])
    x0, eps = np.array([0.5, -1.0]), np.array([0.3, 0.9])
    np.testing.assert_allclose(v_from_x0_eps(x0, eps, 0.0), -x0)  # SNR 0: v = −x0
    np.testing.assert_allclose(x0_eps_from_v(eps, -x0, 0.0)[0], x0)  # x_T = ε still gives x0
    with pytest.raises(ValueError, match="SNR 0"):
        x0_from_eps(eps, eps, 0.0)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: cosine_beta_schedule(0), ValueError, "n_steps"),
        (lambda: cosine_beta_schedule(10.0), TypeError, "n_steps"),
        (lambda: cosine_beta_schedule(10, -0.1), ValueError, "s ="),
        (lambda: ddim_step(np.zeros(2), np.zeros(3), 0.5, 0.6), ValueError, "eps_pred"),
        (lambda: ddim_step(np.zeros(2), np.zeros(2), 0.6, 0.5), ValueError, "abar_t < abar_prev"),
        (lambda: ddim_step(np.zeros(2), np.zeros(2), 0.0, 0.5), ValueError, "0 < abar_t"),
        (lambda: ddim_step(np.zeros(2), np.zeros(2), 0.5, 1.1), ValueError, "abar_prev <= 1"),
        (lambda: ddim_step(np.zeros(2), np.zeros(2), 0.5, 0.6, 1.5), ValueError, "eta"),
        (lambda: ddim_step(np.zeros(2), np.zeros(2), 0.5, 0.6, 0.5), ValueError, "pass noise"),
        (
            lambda: ddim_step(np.zeros(2), np.zeros(2), 0.5, 0.6, 0.5, np.zeros(3)),
            ValueError,
            "noise",
        ),
        (lambda: ddim_step(np.zeros(2), np.full(2, np.nan), 0.5, 0.6), ValueError, "eps_pred"),
        (lambda: guided_eps(np.zeros(2), np.zeros(3), 2.0), ValueError, "shape"),
        (lambda: guided_eps(np.zeros(2), np.zeros(2), np.inf), ValueError, "w must"),
        (lambda: guided_eps(np.zeros(2, bool), np.zeros(2), 2.0), TypeError, "eps_uncond"),
        (lambda: v_from_x0_eps(np.zeros(2), np.zeros(2), 1.5), ValueError, "abar"),
        (lambda: x0_eps_from_v(np.zeros(2), np.zeros(2), -0.1), ValueError, "abar"),
    ],
)
def test_new_functions_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_default_schedules_and_the_smallest_ones():
    np.testing.assert_array_equal(linear_beta_schedule(), np.linspace(1e-4, 0.02, 1000))
    np.testing.assert_array_equal(cosine_beta_schedule(), cosine_beta_schedule(1000, 0.008))
    assert cosine_beta_schedule().shape == (1000,)
    assert linear_beta_schedule(1).tolist() == [1e-4]  # one step is a schedule
    assert cosine_beta_schedule(1).tolist() == [0.999]  # f(1) = 0: clipped
    assert linear_beta_schedule(3, 0.01, 0.01).tolist() == [0.01] * 3  # constant β is allowed


def test_schedule_and_step_error_messages():
    with pytest.raises(TypeError, match=r"^n_steps must be an int, got float$"):
        linear_beta_schedule(10.0)
    with pytest.raises(TypeError, match=r"^n_steps must be an int, got float$"):
        cosine_beta_schedule(10.0)
    for s in (1, 1.5):  # s = 1 is already out: f would not start at the top of the cosine
        with pytest.raises(ValueError, match=rf"^need 0 <= s < 1, got s = {s}$"):
            cosine_beta_schedule(10, s)
    x0 = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"^t must be one int or shape \(N,\) = \(3,\), got shape"):
        q_sample(x0, np.array([1, 2]), x0, ABAR)
    with pytest.raises(ValueError, match=r"^alphas_cumprod must be a non-empty 1-D array, got"):
        q_sample(x0, 0, x0, np.array([]))
    with pytest.raises(ValueError, match=r"^alphas_cumprod must lie in \(0, 1\]$"):
        q_sample(x0, 0, x0, np.array([1.5, 0.5]))
    with pytest.raises(ValueError, match=r"^betas must lie in \(0, 1\)$"):
        q_posterior(0.0, 0.0, 0, np.array([0.5, 1.0]))
    # β = 1 is rejected before p_sample_step divides by √(1 − β_t) = 0.
    with np.errstate(all="raise"), pytest.raises(ValueError, match=r"^betas must lie in \(0, 1\)$"):
        p_sample_step(np.ones(2), 1, np.ones(2), np.array([0.5, 1.0]), np.zeros(2))


def test_q_sample_edge_schedules_and_a_scalar_x0():
    # ᾱ = 1 (no noise yet) is a valid ᾱ; a schedule of one step is enough.
    assert q_sample(np.array([2.0]), 0, np.array([5.0]), np.array([1.0, 0.5])).tolist() == [2.0]
    assert q_sample(np.array([2.0]), 0, np.array([0.0]), np.array([0.25])).tolist() == [1.0]
    assert q_sample(2.0, 0, 0.0, np.array([0.25])) == 1.0  # a scalar x0 with one int t


def test_every_array_argument_is_named_in_its_error():
    z = np.zeros(2)
    calls = {
        q_sample: {"x0": z, "t": 1, "noise": z, "alphas_cumprod": ABAR[:3]},
        q_posterior: {"x0": z, "xt": z, "t": 1, "betas": BETAS[:3]},
        p_sample_step: {"xt": z, "t": 1, "eps_pred": z, "betas": BETAS[:3], "noise": z},
        ddim_step: {
            "xt": z,
            "eps_pred": z,
            "abar_t": 0.5,
            "abar_prev": 0.6,
            "eta": 0.5,
            "noise": z,
        },
        guided_eps: {"eps_uncond": z, "eps_cond": z, "w": 2.0},
        x0_from_eps: {"xt": z, "eps": z, "abar": 0.5},
        v_from_x0_eps: {"x0": z, "eps": z, "abar": 0.5},
        x0_eps_from_v: {"xt": z, "v": z, "abar": 0.5},
    }
    for fn, kwargs in calls.items():
        fn(**kwargs)
        for name, value in kwargs.items():
            if isinstance(value, np.ndarray):
                with pytest.raises(ValueError, match=rf"^{name} must not contain NaN or inf$"):
                    fn(**(kwargs | {name: np.full_like(value, np.nan)}))


def test_real_arrays_only_and_integers_are_fine():
    assert q_sample(np.array([2, 4]), 0, np.array([0, 0]), np.array([0.25])).tolist() == [1, 2]
    for bad, dtype in ((np.array(["a"]), r"[<>]U1"), (np.array([1j]), "complex128")):
        with pytest.raises(
            TypeError, match=rf"^x0 must be a real number array, got dtype {dtype}$"
        ):
            q_sample(bad, 0, np.zeros(1), ABAR)


def test_ddim_and_conversion_error_messages():
    z = np.zeros(2)
    with pytest.raises(ValueError, match=r"^need 0 < abar_t < abar_prev <= 1, got 0.5, 0.5$"):
        ddim_step(z, z, 0.5, 0.5)  # a step to itself
    with pytest.raises(ValueError, match=r"^eta must lie in \[0, 1\], got 1.5$"):
        ddim_step(z, z, 0.5, 0.6, 1.5, z)
    with pytest.raises(ValueError, match=r"^eta > 0 adds noise: pass noise of the shape of xt$"):
        ddim_step(z, z, 0.5, 0.6, 0.5)
    with pytest.raises(
        ValueError, match=r"^abar = 0 \(SNR 0\): x_t = ε carries nothing about x_0; "
    ):
        x0_from_eps(z, z, 0.0)
    # ᾱ = 1 is allowed: no noise, v = ε and x_0 = x_t.
    np.testing.assert_allclose(v_from_x0_eps(np.array([3.0]), np.array([0.5]), 1.0), [0.5])
    np.testing.assert_allclose(x0_from_eps(np.array([3.0]), np.array([0.5]), 1.0), [3.0])


def test_ring_data_is_a_noisy_unit_circle():
    x = ring_data(2000)
    assert x.shape == (2000, 2)
    np.testing.assert_array_equal(x, ring_data(2000, seed=0))  # seed 0 by default
    radius = np.linalg.norm(x, axis=1)
    assert radius.mean() == pytest.approx(1.0, abs=0.01)
    assert radius.std() == pytest.approx(0.05, abs=0.005)
    # Angles uniform on the whole circle, drawn per point: 2000 angles from 500 calls of 4
    # points, an eighth of them in each eighth of the circle.
    small = np.concatenate([ring_data(4, seed) for seed in range(500)])
    angle = np.arctan2(small[:, 1], small[:, 0]) % (2 * np.pi)
    share = np.bincount((angle // (np.pi / 4)).astype(int), minlength=8) / angle.size
    np.testing.assert_allclose(share, 1 / 8, atol=0.03)
    assert len(np.unique(np.arctan2(x[:4, 1], x[:4, 0]))) == 4


def test_ideal_eps_weights_each_point_by_its_gaussian_likelihood():
    data = np.array([[1.0, 0.0], [-1.0, 0.5]])
    t = 600
    abar = ABAR[t]
    xt = np.array([[0.3, -0.2], [40.0, 0.0]])  # the second one is far from both points
    expected = []
    for x in xt:
        log_w = [-((x - np.sqrt(abar) * d) ** 2).sum() / (2 * (1 - abar)) for d in data]
        w = np.exp(np.array(log_w) - max(log_w))
        x0_mean = (w / w.sum()) @ data
        expected.append((x - np.sqrt(abar) * x0_mean) / np.sqrt(1 - abar))
    np.testing.assert_allclose(ideal_eps(xt, t, data, ABAR), expected)
    # Near t = 0 the far point's logits are about −8e6: each row is shifted by its own max.
    with np.errstate(invalid="raise", divide="raise"):  # the other weight may underflow to 0
        eps = ideal_eps(xt, 0, data, ABAR)
    nearest = (xt[1] - np.sqrt(ABAR[0]) * data[0]) / np.sqrt(1 - ABAR[0])
    np.testing.assert_allclose(eps[1], nearest)


def test_reverse_process_keeps_every_step_and_ends_with_the_step_at_t_0():
    data = ring_data(5, seed=9)
    betas = linear_beta_schedule(6, 0.05, 0.3)
    out = reverse_process(data, betas, 3, keep=set(range(1, 7)))
    assert set(out) == set(range(7))
    np.testing.assert_array_equal(out[6], np.random.default_rng(0).normal(size=(3, 2)))  # seed 0
    np.testing.assert_array_equal(out[0], reverse_process(data, betas, 3, keep=set(), seed=0)[0])
    # The last step (index 0) has variance 0: x_0 is the mean from ideal_eps at index 0.
    abar = np.cumprod(1 - betas)
    last = p_sample_step(out[1], 0, ideal_eps(out[1], 0, data, abar), betas, np.zeros((3, 2)))
    np.testing.assert_allclose(out[0], last)
