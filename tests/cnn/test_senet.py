"""SE block against a loop over channels, a PyTorch module with the same weights, and counts."""

import math

import numpy as np
import pytest
from cnn.senet import se_block, se_params, se_scale
from hypothesis import given, settings
from hypothesis import strategies as st


def random_weights(rng, c, r):
    hidden = c // r
    return (
        rng.standard_normal((hidden, c)),
        rng.standard_normal(hidden),
        rng.standard_normal((c, hidden)),
        rng.standard_normal(c),
    )


def se_by_hand(x, w1, b1, w2, b2):
    n, c, h, w = x.shape
    out = np.empty_like(x)
    for i in range(n):
        z = [x[i, ch].sum() / (h * w) for ch in range(c)]
        hidden = [
            max(0.0, sum(w1[j, ch] * z[ch] for ch in range(c)) + b1[j]) for j in range(len(b1))
        ]
        for ch in range(c):
            logit = sum(w2[ch, j] * hidden[j] for j in range(len(b1))) + b2[ch]
            out[i, ch] = x[i, ch] / (1.0 + math.exp(-logit))
    return out


@settings(max_examples=30, deadline=None)
@given(
    c_and_r=st.sampled_from([(4, 2), (8, 4), (16, 16), (32, 16), (6, 3)]),
    hw=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    seed=st.integers(0, 2**16),
)
def test_se_block_matches_hand_computation(c_and_r, hw, seed):
    c, r = c_and_r
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, c, *hw))
    weights = random_weights(rng, c, r)
    y = se_block(x, *weights)
    assert y.shape == x.shape
    s = se_scale(x, *weights)
    assert s.shape == (2, c)
    # A sigmoid gate is in (0, 1); in float64 it rounds to 1.0 above about 37 (to 0 far below).
    assert ((s >= 0) & (s <= 1)).all()
    np.testing.assert_allclose(y, se_by_hand(x, *weights), rtol=1e-10, atol=1e-12)


def test_se_block_matches_torch_module():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference SE block")
    nn = torch.nn
    c, r = 64, 16
    squeeze_excite = nn.Sequential(
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(c, c // r),
        nn.ReLU(),
        nn.Linear(c // r, c),
        nn.Sigmoid(),
    ).double()
    x = torch.randn(3, c, 7, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ref = (x * squeeze_excite(x)[:, :, None, None]).numpy()
    fc1, fc2 = squeeze_excite[2], squeeze_excite[4]
    weights = [p.detach().numpy() for p in (fc1.weight, fc1.bias, fc2.weight, fc2.bias)]
    np.testing.assert_allclose(se_block(x.numpy(), *weights), ref, atol=1e-12)
    assert se_params(c, r) == sum(p.numel() for p in squeeze_excite.parameters())


def test_parameter_overhead_formula():
    for c in (64, 256, 2048):
        assert se_params(c, 16, bias=False) == 2 * c * c // 16
    # SE-ResNet-50: one SE per bottleneck, on its output channels (3, 4, 6, 3 blocks).
    extra = sum(
        n * se_params(c, 16, bias=False) for c, n in [(256, 3), (512, 4), (1024, 6), (2048, 3)]
    )
    assert extra == 2514944
    # r = 16 by default (the paper's choice); the count is an int; r = 1 and C = 1 are allowed
    assert se_params(256) == se_params(256, 16) == 2 * 256 * 16 + 16 + 256
    assert type(se_params(256)) is int
    assert se_params(4, 1) == 2 * 4 * 4 + 4 + 4
    assert se_params(1, 1, bias=False) == 2


def test_large_logits_do_not_overflow():
    x = np.ones((1, 2, 1, 1))
    weights = (np.ones((1, 2)), np.zeros(1), np.array([[1e4], [-1e4]]), np.zeros(2))
    with np.errstate(all="raise"):
        s = se_scale(x, *weights)
    np.testing.assert_allclose(s, [[1.0, 0.0]])


def test_bad_input():
    rng = np.random.default_rng(0)
    w = random_weights(rng, 8, 4)
    with pytest.raises(ValueError, match="x must"):
        se_block(np.zeros((8, 3, 3)), *w)
    with pytest.raises(ValueError, match="w1"):
        se_block(np.zeros((1, 6, 3, 3)), *w)
    shapes = r"for C=8, got \(2, 8\), \(2, 8\)$"
    with pytest.raises(ValueError, match=r"^w1 must be \(C/r, C\) and w2 \(C, C/r\) " + shapes):
        se_block(np.zeros((1, 8, 3, 3)), w[0], w[1], w[0], w[3])  # w2 transposed
    with pytest.raises(ValueError, match="b1"):
        se_block(np.zeros((1, 8, 3, 3)), w[0], np.zeros(3), w[2], w[3])
    with pytest.raises(ValueError, match="reduction"):
        se_params(24, 16)
    with pytest.raises(ValueError, match="reduction"):
        se_params(0, 16)
    with pytest.raises(ValueError, match="reduction"):
        se_params(16, 0)
