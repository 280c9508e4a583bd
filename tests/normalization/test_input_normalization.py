"""Input scalers against scikit-learn; the GD demo against the condition-number theory."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from normalization.input_normalization import (
    condition_number,
    gradient_descent,
    make_regression,
    min_max_scale,
    plot_gd_paths,
    steps_to_converge,
    z_score,
)
from sklearn.preprocessing import MinMaxScaler, StandardScaler


def test_hand_case():
    x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
    np.testing.assert_allclose(min_max_scale(x), [[0, 0], [0.5, 0.2], [1, 1]])
    # column 0: mean 2, std sqrt(2/3)
    np.testing.assert_allclose(z_score(x)[:, 0], np.array([-1, 0, 1]) / np.sqrt(2 / 3))


def test_new_data_uses_training_statistics():
    train = np.array([[0.0], [10.0]])
    test = np.array([[20.0], [-5.0]])
    np.testing.assert_allclose(min_max_scale(train, test), [[2.0], [-0.5]])  # may leave [0, 1]
    np.testing.assert_allclose(z_score(train, test), [[3.0], [-2.0]])  # mean 5, std 5


def test_constant_feature_maps_to_zero():
    x = np.array([[1.0, 7.0], [2.0, 7.0]])
    np.testing.assert_array_equal(min_max_scale(x)[:, 1], 0)
    np.testing.assert_array_equal(z_score(x)[:, 1], 0)


def test_constant_feature_below_the_largest_value():
    x = np.array([[1.0, 7.0], [9.0, 7.0]])  # constant column 1 is not where the max is
    np.testing.assert_array_equal(z_score(x)[:, 1], 0)


def test_boolean_features_are_scaled_as_numbers():
    x = np.array([[True, False], [False, False], [True, True]])
    np.testing.assert_array_equal(min_max_scale(x), x.astype(float))


def test_make_regression_by_hand():
    rng = np.random.default_rng(0)  # the defaults: n = 200, scale 5, seed 0
    x = rng.normal(size=(200, 2)) * np.array([1.0, 5.0])
    x -= x.mean(axis=0)
    y = x @ np.array([1.0, 0.5]) + 0.1 * rng.normal(size=200)
    got_x, got_y = make_regression()
    np.testing.assert_allclose(got_x, x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got_y, y - y.mean(), rtol=1e-12, atol=1e-12)


def test_three_features_use_the_extreme_eigenvalues():
    x = np.diag([1.0, 2.0, 3.0])  # Hessian diag(1, 4, 9) / 3: kappa 9, step 2 / (3 + 1/3)
    assert condition_number(x) == pytest.approx(9.0)
    path = gradient_descent(x, np.ones(3), np.zeros(3), 1)
    np.testing.assert_allclose(path, [[0, 0, 0], [0.2, 0.4, 0.6]])


def test_steps_to_converge_is_the_first_step_within_tol():
    x, y = make_regression(scale=5.0)
    y = 100 * y  # ||w*|| about 110: a relative tolerance
    steps = steps_to_converge(x, y)
    w_star = np.linalg.lstsq(x, y, rcond=None)[0]
    err = np.linalg.norm(gradient_descent(x, y, np.zeros(2), steps) - w_star, axis=1)
    assert err[-1] <= 1e-6 * np.linalg.norm(w_star) < err[-2]
    with pytest.raises(ValueError, match=r"^no convergence within 10000 steps$"):
        steps_to_converge(*make_regression(scale=1000.0))  # kappa about 1e6


def test_constant_feature_whose_float_std_is_not_zero():
    x = np.full((3, 1), 171.594)
    assert x.std() > 0  # the mean rounds: std is about 3e-14, not 0
    np.testing.assert_allclose(z_score(x, x + 1.0), 1.0)  # scale 1, as in StandardScaler


features = arrays(
    np.float64,
    st.tuples(st.integers(1, 20), st.integers(1, 4)),
    elements=st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 3)),
)


@settings(max_examples=60, deadline=None)
@given(train=features, seed=st.integers(0, 100))
def test_matches_sklearn(train, seed):
    new = np.random.default_rng(seed).normal(size=(3, train.shape[1])) * 100
    np.testing.assert_allclose(
        min_max_scale(train, new), MinMaxScaler().fit(train).transform(new), rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(
        z_score(train, new), StandardScaler().fit(train).transform(new), rtol=1e-7, atol=1e-7
    )


def test_condition_number_hand_cases():
    x = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 3.0], [0.0, -3.0]])  # Hessian diag(0.5, 4.5)
    assert condition_number(x) == pytest.approx(9.0)
    with pytest.raises(
        ValueError, match=r"^x must have linearly independent columns \(Hessian is singular\)$"
    ):
        condition_number(np.ones((3, 2)))


def test_z_score_leaves_only_the_correlation():
    """After z-score the Hessian is the correlation matrix: kappa = (1 + |r|) / (1 - |r|)."""
    x, _ = make_regression(n=500, scale=30.0, seed=3)
    r = np.corrcoef(x.T)[0, 1]
    assert condition_number(x) > 500
    assert condition_number(z_score(x)) == pytest.approx((1 + abs(r)) / (1 - abs(r)))


def test_gd_error_shrinks_at_the_theoretical_rate():
    x, y = make_regression(scale=5.0)
    kappa = condition_number(x)
    w_star = np.linalg.lstsq(x, y, rcond=None)[0]
    err = np.linalg.norm(gradient_descent(x, y, np.zeros(2), 50) - w_star, axis=1)
    rate = (kappa - 1) / (kappa + 1)
    assert np.all(err[1:] <= rate * err[:-1] * (1 + 1e-9))


def test_normalising_needs_far_fewer_steps():
    x, y = make_regression(scale=5.0)
    raw, scaled = steps_to_converge(x, y), steps_to_converge(z_score(x), y)
    kappa = condition_number(x)
    # Theory: about log(tol) / log((kappa - 1) / (kappa + 1)) steps.
    assert raw == pytest.approx(np.log(1e-6) / np.log((kappa - 1) / (kappa + 1)), rel=0.2)
    assert scaled * 10 < raw


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: min_max_scale(np.zeros(3)), "x_train"),
        (lambda: z_score(np.zeros((0, 2))), "x_train"),
        (lambda: z_score(np.array([[np.nan, 1.0]])), "x_train"),
        (lambda: z_score(np.zeros((2, 2)), np.zeros((2, 2, 1))), "x"),
        (lambda: condition_number(np.ones((3, 2))), "independent"),
        (lambda: gradient_descent(np.eye(2), np.zeros(3), np.zeros(2), 1), "y"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda bad: min_max_scale(bad), "x_train"),
        (lambda bad: min_max_scale(np.ones((2, 2)), bad), "x"),
        (lambda bad: z_score(bad), "x_train"),
        (lambda bad: z_score(np.ones((2, 2)), bad), "x"),
        (lambda bad: condition_number(bad), "x"),
        (lambda bad: gradient_descent(bad, np.zeros(3), np.zeros(1), 1), "x"),
        (lambda bad: steps_to_converge(bad, np.zeros(3)), "x"),
    ],
)
def test_messages_name_the_argument(call, name):
    with pytest.raises(ValueError, match=f"^{name} must have shape"):
        call(np.zeros(3))


@pytest.mark.filterwarnings("ignore:Glyph")
def test_plot_has_two_panels():
    assert len(plot_gd_paths().axes) == 2


def test_unscaled_l2_penalty_shrinks_the_small_scale_feature():
    # The page: without scaling, ridge shrinks the effect of the feature with small values
    # (it needs a large weight) and barely touches the one with large values.
    rng = np.random.default_rng(0)
    signal = rng.normal(size=(200, 2))
    y = signal @ np.array([1.0, 1.0]) + 0.1 * rng.normal(size=200)

    def effect(units, alpha):
        """Ridge on the signals measured in these units, as weights per unit of signal."""
        features = signal * units
        w = np.linalg.solve(features.T @ features + alpha * np.eye(2), features.T @ y)
        return w * units

    raw = np.array([100.0, 0.01])  # same information, very different units
    free, ridge = effect(raw, 0.0), effect(raw, 10.0)
    assert ridge[0] == pytest.approx(free[0], abs=0.1)  # large-valued feature: barely touched
    assert ridge[1] < 0.01 * free[1]  # small-valued feature: shrunk to almost nothing
    standardised = raw / (signal * raw).std(axis=0)  # divide each raw feature by its std
    free, ridge = effect(standardised, 0.0), effect(standardised, 10.0)
    np.testing.assert_allclose(ridge / free, ridge[0] / free[0], rtol=0.02)  # scaled: alike
