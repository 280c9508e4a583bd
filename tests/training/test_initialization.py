"""Initialisers against their variance formulas and torch.nn.init; deep-stack behaviour."""

import math
import warnings

import numpy as np
import pytest
from training.initialization import (
    deep_stack,
    fans,
    kaiming_normal,
    kaiming_uniform,
    leaky_relu_gain,
    make_weight,
    torch_default_init,
    trunc_normal,
    truncated_normal,
    xavier_normal,
    xavier_uniform,
)

SHAPE = (300, 200)


def test_fans_of_linear_and_conv_weights():
    assert fans((10, 4)) == (4, 10)
    assert fans((64, 3, 7, 7)) == (3 * 49, 64 * 49)
    assert fans((64, 1, 1, 1)) == (1, 64)  # a 1×1 conv over one channel


def test_fans_match_torch():
    torch = pytest.importorskip("torch", reason="torch.nn.init computes the reference fans")
    for shape in [(10, 4), (64, 3, 7, 7), (8, 2, 3)]:
        got = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
        assert fans(shape) == got


@pytest.mark.parametrize(
    ("init", "variance"),
    [
        (lambda r: xavier_uniform(SHAPE, r), 2 / 500),
        (lambda r: xavier_normal(SHAPE, r), 2 / 500),
        (lambda r: xavier_uniform(SHAPE, r, gain=5 / 3), (5 / 3) ** 2 * 2 / 500),
        (lambda r: kaiming_normal(SHAPE, r), 2 / 200),
        (lambda r: kaiming_uniform(SHAPE, r), 2 / 200),
        (lambda r: kaiming_normal(SHAPE, r, "tanh"), (5 / 3) ** 2 / 200),
    ],
)
def test_variance_formulas(init, variance):
    w = init(np.random.default_rng(0))
    assert w.shape == SHAPE
    assert abs(w.mean()) < 0.05 * np.sqrt(variance)
    assert w.var() == pytest.approx(variance, rel=0.03)


def test_uniform_bounds():
    rng = np.random.default_rng(1)
    assert np.abs(xavier_uniform(SHAPE, rng)).max() <= np.sqrt(6 / 500)
    assert np.abs(kaiming_uniform(SHAPE, rng)).max() <= np.sqrt(2) * np.sqrt(3 / 200)


def test_truncated_normal_range_and_variance():
    w = truncated_normal((200_000,), 0.5, np.random.default_rng(2))
    assert np.abs(w).max() <= 1.0
    # variance of N(0, 1) truncated to ±2: 1 - 2·2·φ(2) / (Φ(2) - Φ(-2)) ≈ 0.7737
    phi2 = np.exp(-2.0) / np.sqrt(2 * np.pi)
    mass = math.erf(2 / math.sqrt(2))
    assert w.var() == pytest.approx(0.25 * (1 - 4 * phi2 / mass), rel=0.02)
    # Small draws too: when nothing lies beyond 3 std, a first check at 3 std instead of 2
    # would skip the redraw and leave values beyond 2 std.
    for seed in range(5):
        assert np.abs(truncated_normal((20,), 1.0, np.random.default_rng(seed))).max() <= 2.0


def test_statistics_match_torch_nn_init():
    torch = pytest.importorskip("torch", reason="torch.nn.init is the reference")
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    pairs = [
        (torch.nn.init.xavier_uniform_, xavier_uniform(SHAPE, rng)),
        (torch.nn.init.xavier_normal_, xavier_normal(SHAPE, rng)),
        (
            lambda t: torch.nn.init.kaiming_normal_(t, nonlinearity="relu"),
            kaiming_normal(SHAPE, rng),
        ),
        (
            lambda t: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu"),
            kaiming_uniform(SHAPE, rng),
        ),
    ]
    for torch_init, ours in pairs:
        theirs = torch_init(torch.empty(SHAPE, dtype=torch.float64)).numpy()
        assert ours.var() == pytest.approx(theirs.var(), rel=0.04)
        assert np.abs(ours).max() <= np.abs(theirs).max() * 1.2 + 1e-12


def test_make_weight_scales():
    rng = np.random.default_rng(0)
    expected = {  # std of a (200, 200) weight; Xavier: sqrt(2 / (200 + 200))
        "normal": 1.0,
        "small": 0.01,
        "xavier": math.sqrt(1 / 200),
        "xavier_gain": 5 / 3 * math.sqrt(1 / 200),  # tanh's gain
        "he": math.sqrt(2 / 200),
    }
    for init, std in expected.items():
        assert make_weight(init, 200, rng, "tanh").std() == pytest.approx(std, rel=0.02)


def test_deep_stack_defaults():
    var, grads = deep_stack("he", "relu")  # 50 layers of width 64, a batch of 64, seed 0
    explicit = deep_stack("he", "relu", depth=50, width=64, batch=64, seed=0)
    np.testing.assert_array_equal(var, explicit[0])
    np.testing.assert_array_equal(grads, explicit[1])


def test_deep_stack_of_size_one_and_overflow_without_warnings():
    var, grads = deep_stack("he", "relu", depth=1, width=1, batch=1)
    assert var.shape == grads.shape == (1,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overflow (×32 per layer) and inf - inf stay silent
        var, grads = deep_stack("normal", "relu", depth=420, width=64, batch=4)
    # ×32 per layer: inf from about layer 200, nan (inf - inf) in the last few; the gradient
    # norms are 0 below them, since ReLU's derivative at nan is 0
    assert np.isfinite(var[:100]).all()
    assert np.isinf(var[250:400]).all()
    assert np.isnan(var[-1])
    assert (grads[:400] == 0).all()


def test_deep_stack_gradients_match_torch_autograd():
    torch = pytest.importorskip("torch", reason="PyTorch autograd is the reference")
    for act in ("tanh", "relu", "sigmoid"):
        _, grads = deep_stack("xavier", act, depth=4, width=8, batch=5, seed=3)
        rng = np.random.default_rng(3)  # rebuild the same weights and input
        ws = [
            torch.tensor(make_weight("xavier", 8, rng, act), requires_grad=True) for _ in range(4)
        ]
        a = torch.tensor(rng.normal(0.0, 1.0, (5, 8)))
        f = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}[act]
        for W in ws:
            a = f(a @ W.T)
        a.sum().backward()
        np.testing.assert_allclose(grads, [w.grad.norm().item() for w in ws], rtol=1e-10)


SEEDS = range(4)


@pytest.mark.parametrize("seed", SEEDS)
def test_right_init_keeps_the_variance_in_a_band(seed):
    var_he, grad_he = deep_stack("he", "relu", depth=50, width=64, batch=64, seed=seed)
    assert var_he.min() > 1e-2
    assert var_he.max() < 1e2
    assert grad_he.max() / grad_he.min() < 100
    var_tanh, _ = deep_stack("xavier_gain", "tanh", depth=50, width=64, batch=64, seed=seed)
    assert var_tanh.min() > 0.3
    assert var_tanh.max() < 10


@pytest.mark.parametrize("seed", SEEDS)
def test_wrong_init_explodes_or_vanishes(seed):
    def run(init, act):
        return deep_stack(init, act, depth=50, width=64, batch=64, seed=seed)

    assert run("normal", "relu")[0][-1] > 1e60  # ×(64 / 2) per layer
    assert run("small", "relu")[0][-1] < 1e-90  # ×(64 · 1e-4 / 2) per layer
    assert run("small", "tanh")[0][-1] < 1e-90
    var, grad = run("normal", "tanh")  # saturated: variance flat, gradient explodes backward
    assert var.min() > 30
    assert grad[0] / grad[-1] > 1e10
    _, grad = run("xavier", "sigmoid")  # σ' <= 1/4 every layer: gradient vanishes backward
    assert grad[0] / grad[-1] < 1e-20


def test_bad_input_raises():
    rng = np.random.default_rng()
    with pytest.raises(ValueError, match="shape"):
        fans((3,))
    with pytest.raises(ValueError, match="std"):
        truncated_normal((3,), 0.0, rng)
    with pytest.raises(ValueError, match="nonlinearity"):
        kaiming_normal((3, 3), rng, "gelu")
    names = r"\['linear', 'relu', 'sigmoid', 'tanh'\], got 'gelu'"
    with pytest.raises(ValueError, match=rf"^nonlinearity must be one of {names}$"):
        kaiming_uniform((3, 3), rng, "gelu")
    with pytest.raises(ValueError, match="init"):
        make_weight("lecun", 4, rng, "relu")
    with pytest.raises(ValueError, match="activation"):
        deep_stack("he", "elu")
    for kwargs in ({"depth": 0}, {"width": 0}, {"batch": 0}):
        with pytest.raises(ValueError, match=r"^depth, width and batch must be >= 1$"):
            deep_stack("he", "relu", **kwargs)


# ---- PyTorch's defaults -------------------------------------------------------------------


def test_default_init_bound_is_one_over_sqrt_fan_in():
    # gain(a = sqrt 5) = sqrt(2 / 6); times sqrt(3 / fan_in) gives exactly 1 / sqrt(fan_in).
    for fan_in in (1, 27, 500):
        assert leaky_relu_gain(math.sqrt(5)) * math.sqrt(3 / fan_in) == pytest.approx(
            1 / math.sqrt(fan_in)
        )
    w, b = torch_default_init((300, 500), np.random.default_rng(0))
    assert np.abs(w).max() <= 1 / math.sqrt(500)
    assert np.abs(w).max() > 0.99 / math.sqrt(500)
    assert w.var() == pytest.approx(1 / (3 * 500), rel=0.03)  # U(-c, c) has variance c² / 3
    assert b.shape == (300,)
    assert np.abs(b).max() <= 1 / math.sqrt(500)
    assert b.min() < -0.9 / math.sqrt(500)  # symmetric around 0 like the weight
    assert torch_default_init((4, 3), np.random.default_rng(0), bias=False)[1] is None


@pytest.mark.parametrize("make", ["linear", "conv"])
def test_default_init_matches_torch_layers(torch, make):
    torch.manual_seed(0)
    if make == "linear":
        layer, shape = torch.nn.Linear(400, 300), (300, 400)
    else:
        layer, shape = torch.nn.Conv2d(32, 256, 3), (256, 32, 3, 3)
    fan_in, _ = fans(shape)
    assert torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(
        leaky_relu_gain(math.sqrt(5))
    )
    ours_w, ours_b = torch_default_init(shape, np.random.default_rng(0))
    for theirs, ours in ((layer.weight, ours_w), (layer.bias, ours_b)):
        theirs = theirs.detach().numpy().astype(np.float64)
        assert theirs.shape == ours.shape
        bound = 1 / math.sqrt(fan_in)
        for values in (theirs, ours):
            assert np.abs(values).max() <= bound + 1e-7
            assert np.abs(values).max() > 0.95 * bound
        if theirs.size > 10_000:
            assert theirs.var() == pytest.approx(bound**2 / 3, rel=0.05)
            assert ours.var() == pytest.approx(theirs.var(), rel=0.05)


def test_trunc_normal_bounds_are_absolute(torch):
    rng = np.random.default_rng(0)
    t = torch.empty(200_000, dtype=torch.float64)
    # Defaults a = -2, b = 2 with std 0.02: ±100 std, i.e. no truncation at all.
    theirs = torch.nn.init.trunc_normal_(t, std=0.02).numpy().copy()
    ours = trunc_normal(200_000, rng, std=0.02)
    for values in (theirs, ours):
        assert values.std() == pytest.approx(0.02, rel=0.01)
        assert np.abs(values).max() > 0.08  # values beyond 4 std exist: nothing was cut
    # The intended ±2 std cut: a = -0.04, b = 0.04, variance about 0.774 · std².
    theirs = torch.nn.init.trunc_normal_(t, std=0.02, a=-0.04, b=0.04).numpy().copy()
    ours = trunc_normal(200_000, rng, std=0.02, a=-0.04, b=0.04)
    for values in (theirs, ours):
        assert np.abs(values).max() <= 0.04
        assert values.var() == pytest.approx(0.774 * 0.02**2, rel=0.02)


def test_trunc_normal_matches_the_two_std_version_and_rejects_bad_input():
    rng = np.random.default_rng(1)
    a = trunc_normal(50_000, rng, std=0.5, a=-1.0, b=1.0)
    b = truncated_normal(50_000, 0.5, rng)
    assert a.var() == pytest.approx(b.var(), rel=0.03)
    shifted = trunc_normal(10_000, rng, mean=1.0, std=1.0, a=0.0, b=5.0)
    assert shifted.min() >= 0.0
    # Defaults N(0, 1) on [-2, 2]: the ±2 std cut, variance 0.774.
    default = trunc_normal(50_000, rng)
    assert np.abs(default).max() <= 2.0
    assert default.var() == pytest.approx(0.774, rel=0.02)
    # The mass check uses mean and std: [9, 11] holds 68 % of N(10, 1).
    around_ten = trunc_normal(1000, rng, mean=10.0, std=1.0, a=9.0, b=11.0)
    assert np.abs(around_ten - 10.0).max() <= 1.0
    # The limit is 0.1 % of the mass: beyond 3 std (0.13 %) is allowed, beyond 3.2 (0.07 %) not.
    assert trunc_normal(3, rng, a=3.0, b=10.0).min() >= 3.0
    with pytest.raises(ValueError, match=r"0\.1%"):
        trunc_normal(3, rng, a=3.2, b=10.0)
    with pytest.raises(ValueError, match="std"):
        trunc_normal(3, rng, std=0.0)
    with pytest.raises(ValueError, match="a < b"):
        trunc_normal(3, rng, a=1.0, b=-1.0)
    with pytest.raises(ValueError, match="a < b"):
        trunc_normal(3, rng, a=1.0, b=1.0)
    with pytest.raises(ValueError, match=r"0\.1%"):
        trunc_normal(3, rng, std=0.02, a=1.0, b=2.0)
    with pytest.raises(ValueError, match="shape"):
        torch_default_init((5,), rng)
