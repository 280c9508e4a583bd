"""DDPM schedule, forward process and reverse step against the paper's numbers, a loop over
samples, brute-force Gaussian products on a grid, and Monte Carlo."""

import numpy as np
import pytest
from generative.diffusion import (
    ideal_eps,
    linear_beta_schedule,
    p_sample_step,
    q_posterior,
    q_sample,
    q_sample_whiteboard,
    reverse_process,
    ring_data,
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
    # The fact on the page: ᾱ at step 1000 is about 4.0e-5 (product of all 1000 factors).
    product = 1.0
    for beta in BETAS:
        product *= 1.0 - beta
    assert ABAR[-1] == pytest.approx(product, rel=1e-12)
    assert ABAR[-1] == pytest.approx(4.0e-5, rel=0.01)
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
