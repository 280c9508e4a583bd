"""Receptive-field formula against index propagation and autograd through real conv stacks."""

import numpy as np
import pytest
from cnn.receptive_field import (
    ALEXNET,
    DILATED_STACK,
    VGG16,
    impulse_response,
    receptive_field,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def inputs_seen(layers, out_index: int = 0) -> set[int]:
    """Brute force: the input indices one output unit reads, walking the layers backwards."""
    seen = {out_index}
    for _, k, s, d in reversed(layers):
        seen = {o * s + t * d for o in seen for t in range(k)}  # padding 0: no shift
    return seen


def span(indices) -> int:
    return max(indices) - min(indices) + 1


def autograd_receptive_field(layers, length: int) -> int:
    """Width of the nonzero gradient of the centre output w.r.t. a 1-D input (PyTorch)."""
    torch = pytest.importorskip("torch", reason="PyTorch autograd gives the brute-force field")
    x = torch.zeros(1, 1, length, dtype=torch.float64, requires_grad=True)
    h = x
    for name, k, s, d in layers:
        if name.startswith("pool"):  # average pool: same window as max pool, every input counts
            h = torch.nn.functional.avg_pool1d(h, k, s)
        else:
            weight = torch.ones(1, 1, k, dtype=torch.float64)
            h = torch.nn.functional.conv1d(h, weight, stride=s, dilation=d)
    h[0, 0, h.shape[-1] // 2].backward()
    nonzero = torch.nonzero(x.grad[0, 0]).flatten()
    return int(nonzero.max() - nonzero.min() + 1)


def test_published_stacks():
    vgg = {name: (rf, jump) for name, rf, jump in receptive_field(VGG16)}
    assert vgg["conv1_2"] == (5, 1)
    assert vgg["conv5_3"] == (196, 16)  # 212 is pool5, one layer later
    assert vgg["pool5"] == (212, 32)
    alex = {name: (rf, jump) for name, rf, jump in receptive_field(ALEXNET)}
    assert alex["conv1"] == (11, 4)
    assert alex["conv5"] == (163, 16)
    assert alex["pool5"] == (195, 32)
    assert [rf for _, rf, _ in receptive_field(DILATED_STACK)] == [3, 7, 15]


@pytest.mark.parametrize(
    ("layers", "length"), [(VGG16, 300), (VGG16[:-1], 300), (ALEXNET, 300), (DILATED_STACK, 40)]
)
def test_formula_matches_index_walk_and_autograd(layers, length):
    rf = receptive_field(layers)[-1][1]
    seen = inputs_seen(layers)
    assert span(seen) == rf
    assert len(seen) == rf  # these stacks have no holes: every input in the span is read
    assert autograd_receptive_field(layers, length) == rf


layer_lists = st.lists(
    st.tuples(st.just("conv"), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(layer_lists)
def test_formula_matches_index_walk_on_random_stacks(layers):
    rows = receptive_field(layers)
    for depth in range(1, len(layers) + 1):
        assert rows[depth - 1][1] == span(inputs_seen(layers[:depth]))
        # Neighbouring units of layer `depth` start `jump` input pixels apart.
        assert (
            min(inputs_seen(layers[:depth], 1)) - min(inputs_seen(layers[:depth], 0))
            == (rows[depth - 1][2])
        )


def test_dilated_layer_alone_reads_with_holes():
    seen = inputs_seen([("dil", 3, 1, 2)])
    assert seen == {0, 2, 4}
    assert receptive_field([("dil", 3, 1, 2)])[0][1] == 5


@pytest.mark.parametrize("n", [1, 2, 5, 16])
def test_impulse_response_is_a_distribution_with_linear_variance(n):
    r = impulse_response(n)
    offsets = np.arange(len(r)) - n
    assert len(r) == 2 * n + 1  # theoretical receptive field of n 3-tap layers
    assert r.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(r, r[::-1])
    # A sum of n independent uniform steps on {-1, 0, 1}: variance 2n/3, std grows like sqrt(n).
    assert (r * offsets**2).sum() == pytest.approx(2 * n / 3)


def test_impulse_response_matches_autograd():
    torch = pytest.importorskip("torch", reason="PyTorch autograd is the reference")
    x = torch.zeros(1, 1, 21, dtype=torch.float64, requires_grad=True)
    h = x
    for _ in range(4):
        h = torch.nn.functional.conv1d(h, torch.full((1, 1, 3), 1 / 3, dtype=torch.float64))
    h[0, 0, h.shape[-1] // 2].backward()
    grad = x.grad[0, 0].numpy()
    np.testing.assert_allclose(grad[6:15], impulse_response(4))
    assert np.count_nonzero(grad) == 9


@pytest.mark.parametrize(
    "layers",
    [[("a", 0, 1, 1)], [("a", 3, 0, 1)], [("a", 3, 1, 0)], [("a", 3, 1)]],
)
def test_bad_layers(layers):
    with pytest.raises(ValueError, match="layer"):
        receptive_field(layers)


def test_bad_impulse_arguments():
    with pytest.raises(ValueError, match=r"^n_layers and kernel_size must be >= 1$"):
        impulse_response(0)
    with pytest.raises(ValueError, match="kernel_size"):
        impulse_response(2, kernel_size=0)
    assert impulse_response(3, kernel_size=1).tolist() == [1.0]  # a 1-tap stack sees one pixel
