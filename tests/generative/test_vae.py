"""The VAE's KL term against Monte Carlo and the general two-Gaussian closed form; the
reparameterised gradient against the analytic one, finite differences and PyTorch autograd."""

import math

import numpy as np
import pytest
from generative.vae import (
    free_bits_kl,
    gaussian_kl,
    gaussian_kl_whiteboard,
    pathwise_gradient,
    reparameterize,
    reparameterize_whiteboard,
    score_function_gradient,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def kl_two_gaussians(mu_q, cov_q, mu_p, cov_p):
    """KL(N(mu_q, cov_q) ‖ N(mu_p, cov_p)) for full covariance matrices."""
    k = len(mu_q)
    inv_p = np.linalg.inv(cov_p)
    diff = mu_p - mu_q
    _, logdet_p = np.linalg.slogdet(cov_p)
    _, logdet_q = np.linalg.slogdet(cov_q)
    return 0.5 * (np.trace(inv_p @ cov_q) + diff @ inv_p @ diff - k + logdet_p - logdet_q)


def log_normal_pdf(z, mu, var):
    return -0.5 * (np.log(2 * np.pi * var) + (z - mu) ** 2 / var).sum(axis=-1)


def test_kl_matches_the_general_closed_form():
    rng = np.random.default_rng(0)
    mu, logvar = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    kl = gaussian_kl(mu, logvar)
    assert kl.shape == (5,)
    for i in range(5):
        expected = kl_two_gaussians(mu[i], np.diag(np.exp(logvar[i])), np.zeros(3), np.eye(3))
        assert kl[i] == pytest.approx(expected, rel=1e-12)


def test_kl_matches_monte_carlo():
    rng = np.random.default_rng(1)
    mu, logvar = np.array([0.8, -0.5]), np.array([-1.0, 0.7])
    z = mu + np.exp(0.5 * logvar) * rng.normal(size=(200_000, 2))
    mc = (log_normal_pdf(z, mu, np.exp(logvar)) - log_normal_pdf(z, 0.0, 1.0)).mean()
    assert gaussian_kl(mu, logvar) == pytest.approx(mc, abs=0.01)


def test_kl_against_scipy_entropy_on_a_grid():
    stats = pytest.importorskip("scipy.stats", reason="scipy integrates the 1-D KL")
    x = np.linspace(-12, 12, 200_001)
    q, p = stats.norm.pdf(x, 1.2, 0.4), stats.norm.pdf(x, 0, 1)
    assert gaussian_kl(np.array([1.2]), np.log(np.array([0.16]))) == pytest.approx(
        stats.entropy(q, p), rel=1e-6
    )


def test_kl_is_zero_only_at_the_prior_and_sums_the_last_axis():
    assert gaussian_kl(np.zeros((2, 4)), np.zeros((2, 4))).tolist() == [0.0, 0.0]
    one = gaussian_kl(np.array([1.0]), np.array([0.0]))
    assert one == pytest.approx(0.5)  # ½ μ²
    assert gaussian_kl(np.array([1.0, 1.0, 1.0]), np.zeros(3)) == pytest.approx(1.5)
    assert gaussian_kl(np.zeros(1), np.log(np.array([2.0]))) == pytest.approx(
        0.5 * (2 - 1 - np.log(2))
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_whiteboard_matches_full_version(n, d, seed):
    rng = np.random.default_rng(seed)
    mu, logvar, eps = (rng.normal(size=(n, d)) for _ in range(3))
    np.testing.assert_allclose(gaussian_kl_whiteboard(mu, logvar), gaussian_kl(mu, logvar))
    np.testing.assert_allclose(
        reparameterize_whiteboard(mu, logvar, eps), reparameterize(mu, logvar, eps)
    )


def test_reparameterized_samples_have_the_right_moments():
    rng = np.random.default_rng(2)
    mu, logvar = np.array([2.0, -1.0]), np.array([0.5, -2.0])
    z = reparameterize(mu, logvar, rng.normal(size=(100_000, 2)))
    np.testing.assert_allclose(z.mean(axis=0), mu, atol=0.02)
    np.testing.assert_allclose(z.var(axis=0), np.exp(logvar), rtol=0.02)


def test_pathwise_gradient_equals_finite_differences_of_the_same_samples():
    """Common random numbers: E[f(μ + σε)] is a smooth function of (μ, σ) for fixed ε."""
    rng = np.random.default_rng(3)
    eps = rng.normal(size=(1000, 2))
    mu, sigma = np.array([0.3, -0.7]), np.array([0.8, 1.3])

    def objective(m, s):
        return np.sin(m + s * eps).sum(axis=1).mean()

    g_mu, g_sigma = pathwise_gradient(np.cos, mu, sigma, eps)
    h = 1e-6
    for j in range(2):
        e = np.eye(2)[j] * h
        assert g_mu[j] == pytest.approx(
            (objective(mu + e, sigma) - objective(mu - e, sigma)) / (2 * h), abs=1e-8
        )
        assert g_sigma[j] == pytest.approx(
            (objective(mu, sigma + e) - objective(mu, sigma - e)) / (2 * h), abs=1e-8
        )


def test_both_estimators_agree_with_the_analytic_gradient():
    """E[sin(μ + σε)] = sin μ · exp(−σ²/2)."""
    rng = np.random.default_rng(4)
    mu, sigma = np.array([0.9]), np.array([0.6])
    eps = rng.normal(size=(400_000, 1))
    damp = np.exp(-(sigma**2) / 2)
    exact = np.cos(mu) * damp, -sigma * np.sin(mu) * damp
    path = pathwise_gradient(np.cos, mu, sigma, eps)
    score = score_function_gradient(np.sin, mu, sigma, eps)
    for estimate in (path, score):
        np.testing.assert_allclose(estimate[0], exact[0], atol=0.01)
        np.testing.assert_allclose(estimate[1], exact[1], atol=0.01)
    # The pathwise estimate is much less noisy per sample (the point made on the page).
    per_sample_path = np.cos(mu + sigma * eps) * eps
    per_sample_score = np.sin(mu + sigma * eps) * (eps**2 - 1) / sigma
    assert per_sample_path.std() < per_sample_score.std() / 2


def test_pathwise_gradient_matches_torch_autograd():
    torch = pytest.importorskip("torch", reason="PyTorch autograd is the reference")
    rng = np.random.default_rng(5)
    eps = rng.normal(size=(64, 3))
    mu, sigma = rng.normal(size=3), rng.uniform(0.5, 2.0, 3)
    mu_t = torch.tensor(mu, requires_grad=True)
    sigma_t = torch.tensor(sigma, requires_grad=True)
    z = mu_t + sigma_t * torch.from_numpy(eps)  # what Normal.rsample does
    (z**3).sum(dim=1).mean().backward()
    g_mu, g_sigma = pathwise_gradient(lambda v: 3 * v**2, mu, sigma, eps)
    np.testing.assert_allclose(g_mu, mu_t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g_sigma, sigma_t.grad.numpy(), rtol=1e-12)
    # The page's claim: rsample keeps the graph, sample() does not.
    normal = torch.distributions.Normal(mu_t, sigma_t)
    assert normal.rsample().requires_grad
    assert not normal.sample().requires_grad


def test_kl_matches_torch_distributions():
    torch = pytest.importorskip("torch", reason="torch.distributions is the reference")
    rng = np.random.default_rng(6)
    mu, logvar = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    q = torch.distributions.Normal(torch.from_numpy(mu), torch.from_numpy(np.exp(0.5 * logvar)))
    p = torch.distributions.Normal(torch.zeros(4, 3, dtype=torch.float64), 1.0)
    expected = torch.distributions.kl_divergence(q, p).sum(dim=-1).numpy()
    np.testing.assert_allclose(gaussian_kl(mu, logvar), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("mu", "logvar", "error", "match"),
    [
        (np.zeros(3), np.zeros(2), ValueError, "same shape"),
        (np.array(0.0), np.array(0.0), ValueError, "last"),
        (np.array([np.nan]), np.zeros(1), ValueError, "NaN"),
        (np.array(["a"]), np.zeros(1), TypeError, "mu"),
        (np.zeros(2), np.array([True, False]), TypeError, "logvar"),
    ],
)
def test_kl_bad_input(mu, logvar, error, match):
    with pytest.raises(error, match=match):
        gaussian_kl(mu, logvar)


def test_reparameterize_and_estimators_bad_input():
    with pytest.raises(ValueError, match="broadcast"):
        reparameterize(np.zeros(3), np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="sigma must be positive"):
        pathwise_gradient(np.cos, np.zeros(1), np.zeros(1), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="n_samples"):
        score_function_gradient(np.sin, np.zeros(2), np.ones(2), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="n_samples"):
        pathwise_gradient(np.cos, np.zeros(2), np.ones(2), np.zeros((0, 2)))


def _free_bits_by_definition(mu, logvar, n_groups, lam):
    """Σ_j max(λ, mean over the batch of Σ_{i in group j} KL_i), one scalar at a time."""
    batch, latent = mu.shape
    size = latent // n_groups
    total = 0.0
    for j in range(n_groups):
        group_kl = 0.0
        for b in range(batch):
            for i in range(j * size, (j + 1) * size):
                var = math.exp(logvar[b, i])
                group_kl += 0.5 * (mu[b, i] ** 2 + var - 1 - logvar[b, i]) / batch
        total += max(lam, group_kl)
    return total


@settings(max_examples=15, deadline=None)
@given(st.sampled_from([(1, 6), (2, 6), (3, 6), (6, 6)]), st.floats(0.0, 2.0), st.integers(0, 99))
def test_free_bits_against_the_definition(groups_latent, lam, seed):
    n_groups, latent = groups_latent
    rng = np.random.default_rng(seed)
    mu, logvar = rng.normal(size=(2, 5, latent)) * 0.7
    expected = _free_bits_by_definition(mu, logvar, n_groups, lam)
    assert free_bits_kl(mu, logvar, n_groups, lam) == pytest.approx(expected, rel=1e-12)


def test_free_bits_averages_over_the_batch_before_the_max():
    # Group KL is 2 for one sample and 0 for the other: the batch mean 1 is above λ = 0.5, so
    # the term is 1; clipping each sample first would give (2 + 0.5) / 2 = 1.25.
    mu = np.array([[2.0], [0.0]])
    assert free_bits_kl(mu, np.zeros((2, 1)), 1, 0.5) == pytest.approx(1.0)
    assert free_bits_kl(mu, np.zeros((2, 1)), 1, 1.5) == pytest.approx(1.5)


def test_free_bits_gives_no_gradient_to_groups_below_lambda():
    mu, logvar = np.zeros((4, 4)), np.zeros((4, 4))
    mu[:, :2] = 1.0  # group 0: mean KL 1.0 > λ; group 1: KL 0.02 < λ
    mu[:, 2:] = 0.1
    h = 1e-6

    def grad(b, i):
        e = np.zeros_like(mu)
        e[b, i] = h
        lo, hi = free_bits_kl(mu - e, logvar, 2, 0.25), free_bits_kl(mu + e, logvar, 2, 0.25)
        return (hi - lo) / (2 * h)

    assert grad(0, 3) == 0.0  # below λ: constant
    assert grad(0, 0) == pytest.approx(mu[0, 0] / 4, rel=1e-6)  # ∂/∂μ of μ² / 2, over batch 4


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((np.zeros((2, 6)), np.zeros((2, 6)), 4, 0.1), ValueError, "divide"),
        ((np.zeros((2, 6)), np.zeros((2, 6)), 0, 0.1), ValueError, "divide"),
        ((np.zeros((2, 6)), np.zeros((2, 6)), 2.0, 0.1), TypeError, "n_groups"),
        ((np.zeros((2, 6)), np.zeros((2, 6)), 2, -0.1), ValueError, "lam"),
        ((np.zeros((2, 6)), np.zeros((2, 6)), 2, np.nan), ValueError, "lam"),
        ((np.zeros(6), np.zeros(6), 2, 0.1), ValueError, "batch, latent"),
        ((np.zeros((2, 6)), np.zeros((2, 5)), 2, 0.1), ValueError, "same shape"),
    ],
)
def test_free_bits_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        free_bits_kl(*args)


def test_whiteboard_kl_sums_the_last_axis_of_any_batch_shape():
    rng = np.random.default_rng(7)
    mu, logvar = rng.normal(size=(2, 2, 3, 4))
    np.testing.assert_allclose(gaussian_kl_whiteboard(mu, logvar), gaussian_kl(mu, logvar))
    assert gaussian_kl_whiteboard(np.ones(3), np.zeros(3)) == pytest.approx(1.5)  # one vector


def test_every_array_argument_is_named_in_its_error():
    z, s = np.zeros(2), np.ones(2)
    calls = [
        (gaussian_kl, {"mu": z, "logvar": z}),
        (free_bits_kl, {"mu": z[None], "logvar": z[None], "n_groups": 1, "lam": 0.1}),
        (reparameterize, {"mu": z, "logvar": z, "eps": z}),
        (lambda **kw: pathwise_gradient(np.cos, **kw), {"mu": z, "sigma": s, "eps": z[None]}),
        (lambda **kw: score_function_gradient(np.sin, **kw), {"mu": z, "sigma": s, "eps": z[None]}),
    ]
    for fn, kwargs in calls:
        fn(**kwargs)
        for name, value in kwargs.items():
            if isinstance(value, np.ndarray):
                with pytest.raises(ValueError, match=rf"^{name} must not contain NaN or inf$"):
                    fn(**(kwargs | {name: np.full_like(value, np.nan)}))


def test_integer_input_is_fine_and_complex_is_not():
    assert gaussian_kl(np.array([1, 0]), np.zeros(2, dtype=int)) == pytest.approx(0.5)
    with pytest.raises(TypeError, match=r"^mu must be a real number array, got dtype complex128$"):
        gaussian_kl(np.array([1j]), np.zeros(1))


def test_vae_error_messages():
    with pytest.raises(
        ValueError, match=r"^mu and logvar need a last \(latent\) axis, got scalars$"
    ):
        gaussian_kl(0.0, 0.0)
    with pytest.raises(TypeError, match=r"^n_groups must be an int, got float$"):
        free_bits_kl(np.zeros((2, 6)), np.zeros((2, 6)), 2.0, 0.1)
    with pytest.raises(ValueError, match=r"^eps \(2,\) does not broadcast with mu \(3,\)$"):
        reparameterize(np.zeros(3), np.zeros(3), np.zeros(2))
    for estimator, f in ((pathwise_gradient, np.cos), (score_function_gradient, np.sin)):
        with pytest.raises(ValueError, match=r"^sigma must be positive$"):
            estimator(f, np.zeros(2), np.array([1.0, 0.0]), np.zeros((4, 2)))
        for eps in (np.zeros((0, 2)), np.zeros(2)):  # no samples; no sample axis
            with pytest.raises(ValueError, match=r"^eps must have shape \(n_samples, \*\(2,\)\)"):
                estimator(f, np.zeros(2), np.ones(2), eps)
        with pytest.raises(
            ValueError, match=r"^eps must have shape \(n_samples, \*\(\)\), got \(\)$"
        ):
            estimator(f, 0.0, 1.0, 0.5)  # a scalar eps has no sample axis either


def test_estimators_from_a_single_sample():
    mu, sigma, eps = np.array([0.5]), np.array([2.0]), np.array([[0.25]])  # z = 1
    g_mu, g_sigma = score_function_gradient(np.sin, mu, sigma, eps)
    np.testing.assert_allclose(g_mu, np.sin(1.0) * 0.25 / 2.0)
    np.testing.assert_allclose(g_sigma, np.sin(1.0) * (0.0625 - 1) / 2.0)
    g_mu, g_sigma = pathwise_gradient(np.cos, mu, sigma, eps)
    np.testing.assert_allclose(g_mu, np.cos(1.0))
    np.testing.assert_allclose(g_sigma, np.cos(1.0) * 0.25)
