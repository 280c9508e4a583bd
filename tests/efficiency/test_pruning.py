"""Magnitude pruning against its definition (exact counts, ordering, ties) and torch's prune."""

import numpy as np
import pytest
from efficiency.pruning import gradual_sparsity, magnitude_prune, magnitude_prune_whiteboard
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays


def test_hand_case_layer_vs_global():
    layers = [np.array([[0.1, -2.0], [0.3, 0.05]]), np.array([1.0, -0.2, 0.02, 4.0, 3.0, 5.0])]
    # Layer-wise 50 %: 2 of 4 in layer 0 (0.05, 0.1), 3 of 6 in layer 1 (0.02, 0.2, 1.0).
    local = magnitude_prune(layers, 0.5, scope="layer")
    assert local[0].tolist() == [[False, True], [True, False]]
    assert local[1].tolist() == [False, False, False, True, True, True]
    # Global 50 %: the 5 smallest of all 10 (0.02, 0.05, 0.1, 0.2, 0.3): layer 0 loses 3.
    glob = magnitude_prune(layers, 0.5, scope="global")
    assert glob[0].tolist() == [[False, True], [False, False]]
    assert glob[1].tolist() == [True, False, False, True, True, True]


def test_ties_are_pruned_in_order():
    masks = magnitude_prune([np.array([1.0, -1.0, 1.0]), np.array([1.0, 0.5])], 0.6, scope="global")
    # round(0.6 * 5) = 3: 0.5 first, then the two earliest of the equal magnitudes.
    assert masks[0].tolist() == [False, False, True]
    assert masks[1].tolist() == [True, False]


def test_both_versions_default_to_layer_wise():
    layers = [np.array([0.1, 5.0, 0.2, 6.0]), np.array([10.0, 20.0])]  # global would drop 5.0
    expected = [[False, True, False, True], [False, True]]  # each layer loses its smaller half
    assert [m.tolist() for m in magnitude_prune(layers, 0.5)] == expected
    assert [m.tolist() for m in magnitude_prune_whiteboard(layers, 0.5)] == expected


def test_masks_are_boolean_and_index_the_weights():
    # A float 0/1 mask compares equal to a bool one but cannot select w[mask] (IndexError).
    w = np.array([0.1, -3.0, 2.0, 0.2])
    for masks in (magnitude_prune([w], 0.5), magnitude_prune_whiteboard([w], 0.5, "global")):
        assert masks[0].dtype == bool
        assert w[masks[0]].tolist() == [-3.0, 2.0]


def test_integer_and_float32_weights_are_accepted():
    ints = magnitude_prune([np.array([3, -1, 2, 0])], 0.5)[0]
    assert ints.tolist() == [True, False, True, False]
    halves = magnitude_prune([np.array([0.5, -2.0], dtype=np.float32)], 0.5)[0]
    assert halves.tolist() == [False, True]


def test_gradual_sparsity_by_hand():
    # s_f + (s_i - s_f)(1 - p)^3 with s_i = 0.1, s_f = 0.9 over steps 100..200.
    assert gradual_sparsity(0, 0.9, begin=100, end=200, initial=0.1) == pytest.approx(0.1)
    assert gradual_sparsity(100, 0.9, begin=100, end=200, initial=0.1) == pytest.approx(0.1)
    assert gradual_sparsity(150, 0.9, begin=100, end=200, initial=0.1) == pytest.approx(0.8)
    assert gradual_sparsity(180, 0.9, begin=100, end=200, initial=0.1) == pytest.approx(
        0.9 - 0.8 * 0.2**3
    )
    assert gradual_sparsity(500, 0.9, begin=100, end=200, initial=0.1) == pytest.approx(0.9)
    # begin = 0 (prune from the first step) is allowed: 0.8 · (1 − 0.5³) = 0.7 at half way.
    assert gradual_sparsity(50, 0.8, begin=0, end=100) == pytest.approx(0.7)
    curve = [gradual_sparsity(t, 0.9, begin=100, end=200) for t in range(100, 201)]
    gains = np.diff(curve)
    assert (gains > 0).all()
    assert (np.diff(gains) < 0).all()  # pruning slows down towards the end


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"begin": 5, "end": 5}, ValueError, "begin < end"),
        ({"begin": -1, "end": 5}, ValueError, "begin"),
        ({"begin": 0.0, "end": 5}, TypeError, "begin"),
        ({"begin": 0, "end": 5, "initial": 1.5}, ValueError, "sparsity"),
    ],
)
def test_gradual_sparsity_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        gradual_sparsity(1, 0.5, **kwargs)
    with pytest.raises(TypeError, match=r"^step must be an int, got float$"):
        gradual_sparsity(1.5, 0.5, begin=0, end=5)


def test_gradual_sparsity_type_errors_name_the_argument():
    with pytest.raises(TypeError, match=r"^begin must be an int, got bool$"):
        gradual_sparsity(1, 0.5, begin=False, end=5)
    with pytest.raises(TypeError, match=r"^end must be an int, got float$"):
        gradual_sparsity(1, 0.5, begin=0, end=5.0)


def test_count_uses_round_half_to_even():
    # 0.25 * 10 = 2.5 -> 2 (Python's round, as torch.nn.utils.prune); 0.35 * 10 = 3.5 -> 4.
    assert (~magnitude_prune([np.arange(10.0)], 0.25)[0]).sum() == 2
    assert (~magnitude_prune([np.arange(10.0)], 0.35)[0]).sum() == 4


def test_edges():
    w = [np.ones((2, 2)), np.zeros(0)]
    assert all(m.all() for m in magnitude_prune(w, 0.0, scope="global"))
    masks = magnitude_prune(w, 1.0, scope="layer")
    assert not masks[0].any()
    assert masks[1].shape == (0,)
    assert magnitude_prune([], 0.5, scope="global") == []


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.ones(3), 0.5), {}, TypeError, r"^weights must be a list of arrays \(one per layer\)$"),
        ((3.0, 0.5), {}, TypeError, r"^weights must be a list of arrays \(one per layer\)$"),
        (([np.ones(3)], 1.5), {}, ValueError, "sparsity"),
        (([np.ones(3)], "0.5"), {}, TypeError, r"^sparsity must be a number in \[0, 1\], got str$"),
        (([np.ones(3)], 0.5), {"scope": "row"}, ValueError, "scope"),
        (([np.array([1.0, np.nan])], 0.5), {}, ValueError, "NaN"),
        (([np.array(["a"])], 0.5), {}, TypeError, "real"),
    ],
)
def test_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        magnitude_prune(*args, **kwargs)


layer_lists = st.lists(
    arrays(
        np.float64, array_shapes(max_dims=2, max_side=5), elements=st.integers(-4, 4).map(float)
    ),
    min_size=1,
    max_size=4,
)


def check_definition(weights, masks, sparsity):
    """Exactly round(s·n) pruned; every pruned |w| <= every kept |w|; ties: earlier first."""
    flat_w = np.concatenate([np.abs(w).ravel() for w in weights])
    flat_keep = np.concatenate([m.ravel() for m in masks])
    assert (~flat_keep).sum() == round(sparsity * flat_w.size)
    pruned, kept = np.flatnonzero(~flat_keep), np.flatnonzero(flat_keep)
    # Every (pruned, kept) pair, by broadcasting: smaller, or equal and earlier.
    wp, wk = flat_w[pruned][:, None], flat_w[kept][None, :]
    assert ((wp < wk) | ((wp == wk) & (pruned[:, None] < kept[None, :]))).all()


@settings(max_examples=50, deadline=None)
@given(layer_lists, st.floats(0, 1))
def test_matches_the_definition(weights, sparsity):
    glob = magnitude_prune(weights, sparsity, scope="global")
    assert [m.shape for m in glob] == [w.shape for w in weights]
    check_definition(weights, glob, sparsity)
    for w, m in zip(weights, magnitude_prune(weights, sparsity, scope="layer"), strict=True):
        check_definition([w], [m], sparsity)


@settings(max_examples=40, deadline=None)
@given(layer_lists, st.floats(0, 1), st.sampled_from(["layer", "global"]))
def test_whiteboard_matches_full_version(weights, sparsity, scope):
    full = magnitude_prune(weights, sparsity, scope=scope)
    for got, expected in zip(
        magnitude_prune_whiteboard(weights, sparsity, scope), full, strict=True
    ):
        np.testing.assert_array_equal(got, expected)


def test_against_torch_prune(torch):
    import torch.nn.utils.prune as prune

    rng = np.random.default_rng(0)
    shapes = [(8, 5), (3, 8)]
    weights = [rng.normal(size=s) for s in shapes]  # distinct magnitudes: no ties
    for amount in (0.3, 0.55):
        layers = [torch.nn.Linear(s[1], s[0], bias=False) for s in shapes]
        for layer, w in zip(layers, weights, strict=True):
            layer.weight.data = torch.from_numpy(w)
        prune.global_unstructured(
            [(layer, "weight") for layer in layers],
            pruning_method=prune.L1Unstructured,
            amount=amount,
        )
        ours = magnitude_prune(weights, amount, scope="global")
        for layer, m in zip(layers, ours, strict=True):
            np.testing.assert_array_equal(layer.weight_mask.numpy().astype(bool), m)
        layer = torch.nn.Linear(5, 8, bias=False)
        layer.weight.data = torch.from_numpy(weights[0])
        prune.l1_unstructured(layer, "weight", amount=amount)
        ours = magnitude_prune(weights[:1], amount, scope="layer")[0]
        np.testing.assert_array_equal(layer.weight_mask.numpy().astype(bool), ours)


def test_ties_against_torch_prune(torch):
    import torch.nn.utils.prune as prune

    # torch picks among equal |w| with torch.topk, whose order is unspecified: the count and
    # the pruned magnitudes agree with ours, which ones of the tied weights go may not.
    rng = np.random.default_rng(3)
    for w in [np.array([1.0, -1.0, 1.0, 0.5]), rng.integers(-3, 4, size=40).astype(float)]:
        for amount in (0.3, 0.5, 0.8):
            layer = torch.nn.Linear(w.size, 1, bias=False)
            layer.weight.data = torch.from_numpy(w[None, :])
            prune.l1_unstructured(layer, "weight", amount=amount)
            theirs = layer.weight_mask.numpy()[0].astype(bool)
            ours = magnitude_prune([w], amount)[0]
            assert (~theirs).sum() == (~ours).sum()
            np.testing.assert_array_equal(np.sort(np.abs(w[~theirs])), np.sort(np.abs(w[~ours])))
    assert magnitude_prune([np.array([1.0, -1.0, 1.0, 0.5])], 0.5)[0].tolist() == [
        False,
        True,
        True,
        False,
    ]
