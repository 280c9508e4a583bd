"""LayerNorm / InstanceNorm / GroupNorm against hand-computed cases, identities and PyTorch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from normalization.batchnorm import batch_norm
from normalization.layer_instance_group_norm import (
    group_norm,
    instance_norm,
    layer_norm,
    normalization_sets,
    plot_normalization_axes,
)

EPS = 1e-5


def test_layer_norm_hand_case_2d():
    x = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 10.0, 10.0, 10.0]])
    y = layer_norm(x, (4,))
    # row 0: mean 2.5, variance 1.25; row 1: constant -> all zeros
    np.testing.assert_allclose(y[0], np.array([-1.5, -0.5, 0.5, 1.5]) / np.sqrt(1.25 + EPS))
    np.testing.assert_array_equal(y[1], 0)


def test_layer_norm_statistics_do_not_mix_samples():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5))
    y = layer_norm(x, (5,))
    x2 = x.copy()
    x2[1:] *= 1000.0  # other samples change: sample 0 must not
    np.testing.assert_array_equal(layer_norm(x2, (5,))[0], y[0])


def test_group_norm_hand_case():
    # C = 4, G = 2: channels {0, 1} and {2, 3} of each sample form a group, H = W = 1.
    x = np.array([1.0, 3.0, 10.0, 20.0]).reshape(1, 4, 1, 1)
    y = group_norm(x, 2).ravel()
    # group 1: mean 2, var 1; group 2: mean 15, var 25
    expected = [-1 / np.sqrt(1 + EPS), 1 / np.sqrt(1 + EPS), -5 / np.sqrt(25 + EPS)]
    np.testing.assert_allclose(y[:3], expected)
    np.testing.assert_allclose(y[3], 5 / np.sqrt(25 + EPS))


def test_group_norm_counts_c_over_g_times_hw_values():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6, 4, 5))
    y = group_norm(x, 3, eps=1e-12)
    for n in range(2):
        for g in range(3):
            block = y[n, 2 * g : 2 * g + 2]  # (C/G) x H x W = 2 x 4 x 5 values
            assert block.size == 40
            assert abs(block.mean()) < 1e-12
            assert abs(block.var() - 1) < 1e-9


def test_instance_norm_hand_case():
    x = np.array([[[[0.0, 2.0], [4.0, 6.0]], [[5.0, 5.0], [5.0, 5.0]]]])  # (1, 2, 2, 2)
    y = instance_norm(x, weight=np.array([2.0, 1.0]), bias=np.array([0.0, 7.0]))
    # channel 0: mean 3, var 5; channel 1: constant -> beta
    np.testing.assert_allclose(y[0, 0].ravel(), 2 * np.array([-3, -1, 1, 3]) / np.sqrt(5 + EPS))
    np.testing.assert_allclose(y[0, 1], 7.0)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 3),
    c=st.sampled_from([1, 2, 3, 4, 6]),
    h=st.integers(1, 4),
    w=st.integers(2, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_group_norm_identities(n, c, h, w, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c, h, w)) * rng.uniform(0.1, 10) + rng.uniform(-5, 5)
    # G = 1: one group holds all channels -> LayerNorm over (C, H, W)
    np.testing.assert_allclose(group_norm(x, 1), layer_norm(x, (c, h, w)), atol=1e-12)
    # G = C: one channel per group -> InstanceNorm
    np.testing.assert_allclose(group_norm(x, c), instance_norm(x), atol=1e-12)
    # InstanceNorm of one sample = training-mode BatchNorm of a batch holding only that sample
    for k in range(n):
        bn, _, _ = batch_norm(x[k : k + 1], None, None, training=True)
        np.testing.assert_allclose(instance_norm(x)[k : k + 1], bn, atol=1e-12)


@pytest.mark.parametrize("kind", ["batch", "layer", "instance", "group"])
def test_sets_are_exactly_what_each_function_averages_over(kind):
    """Perturb one element; exactly the planes in its statistics set must change."""
    n, c, g = 3, 6, 3
    rng = np.random.default_rng(2)
    x = rng.normal(size=(n, c, 2, 2))
    norm = {
        "batch": lambda v: batch_norm(v, None, None, training=True)[0],
        "layer": lambda v: layer_norm(v, v.shape[1:]),
        "instance": instance_norm,
        "group": lambda v: group_norm(v, g),
    }[kind]
    labels = normalization_sets(kind, n, c, g)
    base = norm(x)
    for i in range(n):
        for j in range(c):
            x2 = x.copy()
            x2[i, j, 0, 1] += 1.0
            changed = np.abs(norm(x2) - base).max(axis=(2, 3)) > 1e-12
            np.testing.assert_array_equal(changed, labels == labels[i, j])


def test_sets_by_hand():
    instance = normalization_sets("instance", 2, 3)
    np.testing.assert_array_equal(instance, [[0, 1, 2], [3, 4, 5]])
    groups = normalization_sets("group", 2, 4, 2)
    np.testing.assert_array_equal(groups, [[0, 0, 1, 1], [2, 2, 3, 3]])
    assert instance.dtype.kind == groups.dtype.kind == "i"  # labels, not floats
    # one group (the default) is LayerNorm's set: the whole sample
    np.testing.assert_array_equal(
        normalization_sets("group", 2, 3), normalization_sets("layer", 2, 3)
    )


def test_float32_input_is_normalised_in_float64():
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype(np.float32)
    x64 = x.astype(np.float64)
    np.testing.assert_array_equal(layer_norm(x, (4, 3)), layer_norm(x64, (4, 3)))
    np.testing.assert_array_equal(instance_norm(x), instance_norm(x64))
    np.testing.assert_array_equal(group_norm(x, 2), group_norm(x64, 2))


def test_layer_norm_of_a_single_vector():
    np.testing.assert_allclose(
        layer_norm(np.array([1.0, 2.0, 3.0]), (3,), eps=1e-12), np.array([-1, 0, 1]) * 1.5**0.5
    )


def test_bad_input_messages():
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"^eps must be > 0, got 0.0$"):
        layer_norm(x, (3,), eps=0.0)
    with pytest.raises(ValueError, match=r"^weight must have shape \(3,\), got \(2,\)$"):
        layer_norm(x, (3,), weight=np.ones(2))
    with pytest.raises(ValueError, match=r"^bias must have shape \(3,\), got \(4,\)$"):
        layer_norm(x, (3,), bias=np.ones(4))


def test_sets_have_the_expected_counts():
    assert len(np.unique(normalization_sets("batch", 4, 6))) == 6
    assert len(np.unique(normalization_sets("layer", 4, 6))) == 4
    assert len(np.unique(normalization_sets("instance", 4, 6))) == 24
    assert len(np.unique(normalization_sets("group", 4, 6, 2))) == 8


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: layer_norm(np.zeros((2, 3)), (4,)), "normalized_shape"),
        (lambda: layer_norm(np.zeros((2, 3)), ()), "normalized_shape"),
        (lambda: layer_norm(np.zeros((2, 3)), (3,), weight=np.ones(2)), "weight"),
        (lambda: layer_norm(np.zeros((2, 3)), (3,), eps=-1.0), "eps"),
        (lambda: instance_norm(np.zeros((2, 3))), "x"),
        (lambda: instance_norm(np.zeros((2, 3, 4)), bias=np.zeros(4)), "bias"),
        (lambda: group_norm(np.zeros((2, 6, 3, 3)), 4), "num_groups"),
        (lambda: group_norm(np.zeros((2, 6, 3, 3)), 0), "num_groups"),
        (lambda: group_norm(np.zeros((2, 6, 3, 3)), 2.0), "num_groups"),
        (lambda: group_norm(np.zeros(6), 2), "x"),
        (lambda: normalization_sets("weight", 2, 3), "kind"),
        (lambda: normalization_sets("group", 2, 3, 2), "num_groups"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.filterwarnings("ignore:Glyph")
def test_figure_has_four_panels():
    fig = plot_normalization_axes()
    assert len(fig.axes) == 4
    assert [ax.get_title().split("\n")[0] for ax in fig.axes][:3] == [
        "BatchNorm",
        "LayerNorm",
        "InstanceNorm",
    ]


@pytest.mark.parametrize(("c", "groups"), [(6, 3), (4, 2), (6, 1), (6, 6)])
def test_group_norm_is_the_page_closed_form(c, groups):
    # mu_ng and sigma_ng^2 over the channels S_g = {g C/G, ..., (g + 1) C/G - 1} and all h, w:
    # (C/G) H W values per sample and group, not G H W.
    rng = np.random.default_rng(6)
    n, h, w = 2, 3, 2
    x = rng.normal(size=(n, c, h, w)) * rng.uniform(0.1, 10, size=(1, c, 1, 1))
    expected = np.empty_like(x)
    for i in range(n):
        for g in range(groups):
            s_g = range(g * c // groups, (g + 1) * c // groups)
            values = [x[i, ch, a, b] for ch in s_g for a in range(h) for b in range(w)]
            assert len(values) == (c // groups) * h * w
            mu = sum(values) / len(values)
            var = sum((v - mu) ** 2 for v in values) / len(values)
            for ch in s_g:
                expected[i, ch] = (x[i, ch] - mu) / np.sqrt(var + EPS)
    np.testing.assert_allclose(group_norm(x, groups), expected, rtol=1e-10, atol=1e-12)


# ------------------------------------------------ PyTorch reference (each test skips alone)


def as_tensor(torch, x):
    return torch.from_numpy(np.ascontiguousarray(x))


def set_affine(torch, layer, weight, bias):
    with torch.no_grad():
        layer.weight.copy_(as_tensor(torch, weight))
        layer.bias.copy_(as_tensor(torch, bias))
    return layer


@pytest.mark.parametrize(
    ("shape", "normalized"), [((4, 8), (8,)), ((2, 5, 8), (8,)), ((2, 3, 4, 5), (3, 4, 5))]
)
def test_layer_norm_matches_torch(torch, shape, normalized):
    rng = np.random.default_rng(3)
    x = rng.normal(1.0, 2.0, size=shape)
    weight, bias = rng.normal(size=normalized), rng.normal(size=normalized)
    layer = set_affine(torch, torch.nn.LayerNorm(normalized).double(), weight, bias)
    expected = layer(as_tensor(torch, x)).detach().numpy()
    np.testing.assert_allclose(layer_norm(x, normalized, weight, bias), expected, atol=1e-12)


def test_instance_norm_matches_torch(torch):
    rng = np.random.default_rng(4)
    x = rng.normal(1.0, 2.0, size=(3, 4, 5, 6))
    weight, bias = rng.normal(size=4), rng.normal(size=4)
    layer = set_affine(torch, torch.nn.InstanceNorm2d(4, affine=True).double(), weight, bias)
    expected = layer(as_tensor(torch, x)).detach().numpy()
    np.testing.assert_allclose(instance_norm(x, weight, bias), expected, atol=1e-12)


@pytest.mark.parametrize(
    ("groups", "shape"),
    [(1, (2, 6, 3, 3)), (2, (2, 6, 3, 3)), (3, (2, 6, 4)), (6, (2, 6, 3, 3)), (2, (5, 4))],
)
def test_group_norm_matches_torch(torch, groups, shape):
    rng = np.random.default_rng(5)
    x = rng.normal(1.0, 2.0, size=shape)
    c = shape[1]
    weight, bias = rng.normal(size=c), rng.normal(size=c)
    layer = set_affine(torch, torch.nn.GroupNorm(groups, c).double(), weight, bias)
    expected = layer(as_tensor(torch, x)).detach().numpy()
    np.testing.assert_allclose(group_norm(x, groups, weight, bias), expected, atol=1e-12)
