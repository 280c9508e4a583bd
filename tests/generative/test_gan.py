"""GAN losses against numerical gradients and PyTorch; D*, V(D*, G) = −log 4 + 2 JS, and the
divergences against brute force and scipy."""

import warnings

import numpy as np
import pytest
from generative.gan import (
    discriminator_loss,
    generator_loss,
    generator_loss_grad,
    js_divergence,
    kl_divergence,
    normal_pdf,
    optimal_discriminator,
    toy_densities,
    value_function,
    wasserstein1_1d,
)

X, P_DATA, P_G, DX = toy_densities()


def test_optimal_discriminator_maximises_the_value_pointwise_and_globally():
    d_star = optimal_discriminator(P_DATA, P_G)
    # Pointwise: a log D + b log(1 − D) is maximised at a / (a + b); check on a fine D grid.
    d_grid = np.linspace(1e-4, 1 - 1e-4, 20_001)
    for i in (300, 800, 1000, 1400):
        a, b = P_DATA[i], P_G[i]
        best = d_grid[np.argmax(a * np.log(d_grid) + b * np.log1p(-d_grid))]
        assert best == pytest.approx(d_star[i], abs=1e-4)
    v_star = value_function(d_star, P_DATA, P_G, DX)
    rng = np.random.default_rng(0)
    for _ in range(5):  # any other discriminator does worse
        other = np.clip(d_star + 0.1 * rng.normal(size=d_star.shape), 1e-9, 1 - 1e-9)
        assert value_function(other, P_DATA, P_G, DX) < v_star


def test_value_at_d_star_is_minus_log4_plus_2js():
    d_star = optimal_discriminator(P_DATA, P_G)
    js = js_divergence(P_DATA, P_G, DX)
    assert value_function(d_star, P_DATA, P_G, DX) == pytest.approx(-np.log(4) + 2 * js)
    # p_g = p_data: D* = 1/2 everywhere, V = −log 4, JS = 0.
    np.testing.assert_allclose(optimal_discriminator(P_DATA, P_DATA), 0.5)
    assert value_function(np.full_like(X, 0.5), P_DATA, P_DATA, DX) == pytest.approx(-np.log(4))
    assert js_divergence(P_DATA, P_DATA, DX) == 0.0


def test_js_against_scipy():
    spatial = pytest.importorskip("scipy.spatial.distance", reason="scipy computes JS")
    ours = js_divergence(P_DATA, P_G, DX)
    # scipy's jensenshannon is the square root of JS (natural log by default), on weights.
    assert ours == pytest.approx(spatial.jensenshannon(P_DATA, P_G) ** 2, rel=1e-9)


def test_js_of_disjoint_supports_is_log2_and_kl_is_infinite():
    p = np.where(X < -1, 1.0, 0.0)
    q = np.where(X > 1, 1.0, 0.0)
    p, q = p / (p.sum() * DX), q / (q.sum() * DX)
    assert js_divergence(p, q, DX) == pytest.approx(np.log(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # found by the support check, not by dividing by 0
        assert kl_divergence(p, q, DX) == np.inf


def test_wasserstein_against_scipy_and_a_shift():
    stats = pytest.importorskip("scipy.stats", reason="scipy computes W1")
    assert wasserstein1_1d(P_DATA, P_G, DX) == pytest.approx(
        stats.wasserstein_distance(X, X, P_DATA, P_G), rel=1e-3
    )
    a, b = normal_pdf(X, 0.0, 0.1), normal_pdf(X, 2.5, 0.1)
    a, b = a / (a.sum() * DX), b / (b.sum() * DX)
    assert wasserstein1_1d(a, b, DX) == pytest.approx(2.5, rel=1e-3)  # W1 of a shift = |θ|


def test_losses_by_hand():
    real, fake = np.array([2.0, -1.0]), np.array([0.5])
    sig = 1 / (1 + np.exp(-real))
    expected = -np.log(sig).mean() - np.log(1 - 1 / (1 + np.exp(-0.5)))
    assert discriminator_loss(real, fake) == pytest.approx(expected)
    d_fake = 1 / (1 + np.exp(-fake))
    assert generator_loss(fake) == pytest.approx(-np.log(d_fake[0]))
    assert generator_loss(fake, non_saturating=False) == pytest.approx(np.log(1 - d_fake[0]))
    # Huge logits do not overflow.
    assert np.isfinite(discriminator_loss(np.array([800.0, -800.0]), np.array([-800.0, 800.0])))


def test_generator_gradients_against_finite_differences():
    logits = np.array([-9.0, -3.0, 0.0, 2.5])
    h = 1e-6
    for non_saturating in (True, False):
        grad = generator_loss_grad(logits, non_saturating)
        for i in range(len(logits)):
            e = np.eye(len(logits))[i] * h
            numeric = (
                generator_loss(logits + e, non_saturating)
                - generator_loss(logits - e, non_saturating)
            ) / (2 * h)
            assert grad[i] == pytest.approx(numeric, abs=1e-8)
    # The page's point: where D(G(z)) ≈ 0 the minimax loss has almost no gradient.
    assert abs(generator_loss_grad(logits[:1], False)[0]) < 2e-4
    assert generator_loss_grad(logits[:1], True)[0] == pytest.approx(-1.0, abs=2e-4)


def test_losses_match_torch_bce():
    torch = pytest.importorskip("torch", reason="PyTorch's BCE-with-logits is the reference")
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=8) * 3, rng.normal(size=8) * 3
    r, f = torch.from_numpy(real), torch.from_numpy(fake).requires_grad_()
    expected = bce(r, torch.ones(8, dtype=torch.float64)) + bce(
        f, torch.zeros(8, dtype=torch.float64)
    )
    assert discriminator_loss(real, fake) == pytest.approx(expected.item(), rel=1e-12)
    ns = bce(f, torch.ones(8, dtype=torch.float64))  # non-saturating: label fakes as real
    ns.backward()
    assert generator_loss(fake) == pytest.approx(ns.item(), rel=1e-12)
    np.testing.assert_allclose(generator_loss_grad(fake), f.grad.numpy(), rtol=1e-10)


NON_NEGATIVE = "^densities must be non-negative$"
D_RANGE = r"^d must be values in \[0, 1\]"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: optimal_discriminator(np.ones(3), np.ones(2)), ValueError, "same shape"),
        (lambda: optimal_discriminator(-np.ones(2), np.ones(2)), ValueError, "non-negative"),
        (lambda: optimal_discriminator(np.ones(2), -np.ones(2)), ValueError, NON_NEGATIVE),
        (lambda: js_divergence(P_DATA, P_G, 0.0), ValueError, "dx"),
        (
            lambda: js_divergence(P_DATA, P_G * 2, DX),
            ValueError,
            r"^q must integrate.*got 2\.0000$",
        ),
        (lambda: js_divergence(P_DATA * 2, P_G, DX), ValueError, "^p must integrate"),
        (lambda: js_divergence([0.5, 0.5], [1 / 3] * 3, 1.0), ValueError, "same length"),
        (
            lambda: js_divergence(np.full((2, 2), 0.25), np.full((2, 2), 0.25), 1.0),
            ValueError,
            "1-D",
        ),
        (lambda: js_divergence([], [], 1.0), ValueError, "non-empty 1-D"),
        (lambda: js_divergence([0.5, 0.5], [1.5, -0.5], 1.0), ValueError, NON_NEGATIVE),
        (lambda: value_function(np.full_like(X, 1.5), P_DATA, P_G, DX), ValueError, "d must"),
        (lambda: value_function([-0.1, 0.5], [0.5, 0.5], [0.5, 0.5], 1.0), ValueError, D_RANGE),
        (lambda: value_function([0.5], [0.5, 0.5], [0.5, 0.5], 1.0), ValueError, D_RANGE),
        (lambda: generator_loss(np.array([])), ValueError, "^need at least one fake logit$"),
        (lambda: generator_loss_grad([]), ValueError, "^need at least one fake logit$"),
        (lambda: discriminator_loss([], [0.0]), ValueError, "^need at least one real and one"),
        (lambda: discriminator_loss([0.0], []), ValueError, "^need at least one real and one"),
        (lambda: discriminator_loss(np.array([np.inf]), np.zeros(1)), ValueError, "NaN or inf"),
        (lambda: generator_loss_grad(np.array(["x"])), TypeError, "fake_logits"),
        (lambda: generator_loss(np.array([1 + 2j])), TypeError, "real number"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_errors_name_the_argument_at_fault():
    bad, one = [np.nan], [1.0]
    calls = [
        ("p", lambda: js_divergence(bad, one, 1.0)),
        ("q", lambda: js_divergence(one, bad, 1.0)),
        ("real_logits", lambda: discriminator_loss(bad, one)),
        ("fake_logits", lambda: discriminator_loss(one, bad)),
        ("fake_logits", lambda: generator_loss(bad)),
        ("fake_logits", lambda: generator_loss_grad(bad)),
        ("p_data", lambda: optimal_discriminator(bad, one)),
        ("p_g", lambda: optimal_discriminator(one, bad)),
        ("d", lambda: value_function(bad, one, one, 1.0)),
    ]
    for name, call in calls:
        with pytest.raises(ValueError, match=f"^{name} must not contain NaN or inf$"):
            call()


def test_edge_values_are_valid_input():
    # Integer logits are numbers too; one logit of each kind is enough: 2 log 2 at D = 1/2.
    assert discriminator_loss([0], [0]) == pytest.approx(2 * np.log(2))
    assert js_divergence([1.0], [1.0], 1.0) == 0.0  # a one-point grid
    # Zero densities are allowed; D* = 1/2 where both are 0.
    np.testing.assert_allclose(optimal_discriminator([0, 1, 2, 0], [1, 0, 2, 0]), [0, 1, 0.5, 0.5])
    # A perfect discriminator on disjoint supports: D = 1 on p_data, 0 on p_g, V = 0 (0 log 0 = 0),
    # without numpy warnings about log 0.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert value_function([1.0, 0.0], [1.0, 0.0], [0.0, 1.0], 1.0) == 0.0
    # A density sampled on a coarse grid is accepted without renormalising (mass 1 − 5e-5).
    x = np.linspace(-4, 4, 81)
    assert kl_divergence(normal_pdf(x, 0.0, 1.0), normal_pdf(x, 0.0, 1.0), x[1] - x[0]) == 0.0


def test_normal_pdf_and_the_toy_densities():
    peak = 1 / (2.0 * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(
        normal_pdf(np.array([1.0, 3.0]), 1.0, 2.0), [peak, peak * np.exp(-0.5)]
    )
    x, _, _, dx = toy_densities()  # called here: X is computed at import, before any mutant
    assert (x.size, dx) == (2001, pytest.approx(0.006))  # the default grid: spacing 12 / 2000
    # Normalised on the grid, even on a coarse one where the sampled mixture has mass 1.0016.
    _, p_data, p_g, dx = toy_densities(13)
    assert p_data.sum() * dx == pytest.approx(1.0, rel=1e-12)
    assert p_g.sum() * dx == pytest.approx(1.0, rel=1e-12)
    x, p_data, p_g, dx = toy_densities(401)
    assert (len(x), x[0], x[-1]) == (401, -6.0, 6.0)
    assert dx == pytest.approx(0.03)
    assert p_data.sum() * dx == pytest.approx(1.0)
    assert p_g.sum() * dx == pytest.approx(1.0)
    # p_data: two equal bumps of std 0.6 at ±2; p_g: one bump N(1.5, 1).
    np.testing.assert_allclose(p_data, p_data[::-1], atol=1e-12)
    right = x > 0
    assert x[right][np.argmax(p_data[right])] == pytest.approx(2.0, abs=dx)
    assert (p_data[right] * (x[right] - 2.0) ** 2).sum() * dx == pytest.approx(0.5 * 0.36, rel=1e-2)
    assert x[np.argmax(p_g)] == pytest.approx(1.5, abs=dx)
    assert (p_g * (x - 1.5) ** 2).sum() * dx == pytest.approx(1.0, rel=1e-2)


def test_non_saturating_gradient_at_a_fixed_optimal_d_is_grad_kl_minus_2js():
    """Arjovsky & Bottou (2017) Thm 2.5 on 1-D Gaussians: p_data = N(0, 1), generator
    g_θ(z) = θ + 0.8 z. With D* = p_data / (p_data + p_g) built at θ0 and held fixed,
    d/dθ E_z[−log D*(g_θ(z))] at θ0 equals d/dθ [KL(p_gθ ‖ p_data) − 2 JS(p_data ‖ p_gθ)] at θ0."""
    theta0, scale, h = 1.2, 0.8, 1e-4
    x = np.linspace(-12, 12, 24_001)
    dx = x[1] - x[0]

    def density(mean, std):
        p = normal_pdf(x, mean, std)
        return p / (p.sum() * dx)

    p_data, p_g0 = normal_pdf(x, 0.0, 1.0), normal_pdf(x, theta0, scale)
    d_star = p_data / (p_data + p_g0)  # fixed: θ0 only

    def loss(theta):  # E_z[−log D*(θ + scale · z)] = E_{x ~ p_gθ}[−log D*(x)], on the grid
        return -(normal_pdf(x, theta, scale) * np.log(d_star)).sum() * dx

    def divergence(theta, js_weight=2.0):
        p_g, p_r = density(theta, scale), density(0.0, 1.0)
        return kl_divergence(p_g, p_r, dx) - js_weight * js_divergence(p_r, p_g, dx)

    grad_loss = (loss(theta0 + h) - loss(theta0 - h)) / (2 * h)
    grad_div = (divergence(theta0 + h) - divergence(theta0 - h)) / (2 * h)
    assert grad_loss == pytest.approx(grad_div, rel=1e-5)
    # The −2 JS term matters: KL alone (or with −JS) gives another gradient.
    grad_kl = (divergence(theta0 + h, 0.0) - divergence(theta0 - h, 0.0)) / (2 * h)
    assert abs(grad_kl - grad_loss) > 0.05 * abs(grad_loss)
    # Sign of that term: −2 JS decreases as p_g moves away from p_data, pushing them apart.
    js_grad = (
        js_divergence(density(0, 1), density(theta0 + h, scale), dx)
        - js_divergence(density(0, 1), density(theta0 - h, scale), dx)
    ) / (2 * h)
    assert js_grad > 0
