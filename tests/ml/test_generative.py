"""The shared-covariance Gaussian posterior against scipy densities and the logistic form."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ml.generative import logistic_parameters, posterior_by_bayes
from scipy import stats  # installed with scikit-learn, which requires it


def random_model(seed: int, d: int):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d))
    return (
        rng.normal(size=d),
        rng.normal(size=d),
        a @ a.T + 0.5 * np.eye(d),
        rng.normal(size=(8, d)),
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.floats(0.05, 0.95))
def test_bayes_posterior_matches_scipy_densities(seed, d, prior1):
    mu0, mu1, cov, x = random_model(seed, d)
    p0 = stats.multivariate_normal(mu0, cov).pdf(x) * (1 - prior1)
    p1 = stats.multivariate_normal(mu1, cov).pdf(x) * prior1
    np.testing.assert_allclose(
        posterior_by_bayes(x, mu0, mu1, cov, prior1), p1 / (p0 + p1), rtol=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.floats(0.05, 0.95))
def test_posterior_is_logistic_in_x(seed, d, prior1):
    mu0, mu1, cov, x = random_model(seed, d)
    w, b = logistic_parameters(mu0, mu1, cov, prior1)
    expected = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    np.testing.assert_allclose(posterior_by_bayes(x, mu0, mu1, cov, prior1), expected, rtol=1e-9)


def test_equal_priors_put_the_boundary_halfway():
    mu0, mu1, cov = np.array([0.0, 0.0]), np.array([4.0, 0.0]), np.eye(2)
    assert posterior_by_bayes(np.array([[2.0, 7.0]]), mu0, mu1, cov, 0.5)[0] == pytest.approx(0.5)


def test_float32_parameters_are_computed_in_float64():
    mu0, mu1, cov, x = random_model(0, 3)
    single = [a.astype(np.float32) for a in (x, mu0, mu1, cov)]
    exact = posterior_by_bayes(*(a.astype(np.float64) for a in single), 0.3)
    np.testing.assert_allclose(posterior_by_bayes(*single, 0.3), exact, rtol=1e-12)


def test_matches_sklearn_lda_fitted_on_the_same_statistics():
    lda_mod = pytest.importorskip("sklearn.discriminant_analysis")
    rng = np.random.default_rng(0)
    cov = np.array([[1.0, 0.4], [0.4, 0.8]])
    x0 = rng.multivariate_normal([0, 0], cov, 300)
    x1 = rng.multivariate_normal([1.5, 1.0], cov, 100)
    X, y = np.r_[x0, x1], np.r_[np.zeros(300), np.ones(100)]
    lda = lda_mod.LinearDiscriminantAnalysis(solver="lsqr", store_covariance=True).fit(X, y)
    ours = posterior_by_bayes(X, lda.means_[0], lda.means_[1], lda.covariance_, lda.priors_[1])
    np.testing.assert_allclose(ours, lda.predict_proba(X)[:, 1], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.zeros(2), np.zeros(3), np.eye(2), 0.5), "mu0"),
        ((0.0, 0.0, np.eye(1), 0.5), "mu0"),  # a scalar mean, not a (d,) vector
        ((np.zeros(2), np.zeros(2), -np.eye(2), 0.5), r"^cov must be symmetric positive definite$"),
        ((np.zeros(2), np.zeros(2), np.diag([1.0, 0.0]), 0.5), "positive definite"),  # singular
        ((np.zeros(2), np.zeros(2), np.eye(2), 1.0), "prior1"),
        ((np.zeros(2), np.zeros(2), np.eye(2), 0.0), "prior1"),
    ],
)
def test_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        logistic_parameters(*args)


def test_log_odds_is_linear_only_with_a_shared_covariance():
    # The page: with different covariances the log-odds is quadratic in x (QDA), not linear;
    # two Poissons (sufficient statistic x itself) give a linear one.
    x = np.random.default_rng(0).normal(size=(50, 2)) * 2

    def residual(log_odds, features):
        coef = np.linalg.lstsq(features, log_odds, rcond=None)[0]
        return np.abs(features @ coef - log_odds).max()

    affine = np.hstack([x, np.ones((50, 1))])
    quadratic = np.hstack([affine, x**2, x[:, :1] * x[:, 1:]])

    def gaussian_log_odds(cov1):
        dist1 = stats.multivariate_normal([1.0, 0.5], cov1)
        return dist1.logpdf(x) - stats.multivariate_normal([0.0, 0.0], np.eye(2)).logpdf(x)

    assert residual(gaussian_log_odds(np.eye(2)), affine) < 1e-9
    own = gaussian_log_odds([[2.0, 0.5], [0.5, 1.0]])
    assert residual(own, affine) > 0.5
    assert residual(own, quadratic) < 1e-9
    k = np.arange(30)
    poisson = stats.poisson(7.0).logpmf(k) - stats.poisson(3.0).logpmf(k)
    assert residual(poisson, np.stack([k, np.ones(30)], axis=1)) < 1e-9
