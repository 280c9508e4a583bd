"""Gradient clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_ and by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from training.gradient_clipping import clip_grad_norm, clip_grad_value


def test_hand_case():
    g = [np.array([6.0, 8.0])]
    assert clip_grad_norm(g, 5.0) == pytest.approx(10.0)
    np.testing.assert_allclose(g[0], [3.0, 4.0], rtol=1e-6)


def test_inf_norm_and_l1_norm():
    g = [np.array([1.0, -4.0]), np.array([2.0])]
    assert clip_grad_norm(g, 100.0, norm_type=np.inf) == 4.0
    assert clip_grad_norm(g, 100.0, norm_type=1.0) == 7.0
    np.testing.assert_array_equal(g[0], [1.0, -4.0])  # under the limit: unchanged


def test_empty_list():
    assert clip_grad_norm([], 1.0) == 0.0
    for norm_type in (2.0, np.inf):  # tensors without entries: the max of nothing is 0 here
        assert clip_grad_norm([np.zeros(0), np.zeros((2, 0))], 1.0, norm_type=norm_type) == 0.0


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 10_000),
    st.floats(0.01, 10.0),
    st.sampled_from([1.0, 2.0, 3.0, float("inf")]),
)
def test_matches_torch(seed, max_norm, norm_type):
    torch = pytest.importorskip("torch", reason="torch.nn.utils is the reference")
    rng = np.random.default_rng(seed)
    grads = [rng.normal(0, 3, (3, 4)), rng.normal(0, 3, 5)]
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = torch.tensor(g)
    theirs = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    ours = clip_grad_norm(grads, max_norm, norm_type)
    assert ours == pytest.approx(theirs.item(), rel=1e-12)
    for p, g in zip(params, grads, strict=True):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-12)


def test_clip_value_matches_torch():
    torch = pytest.importorskip("torch", reason="torch.nn.utils is the reference")
    g = np.random.default_rng(0).normal(0, 2, (4, 4))
    p = torch.zeros(4, 4, dtype=torch.float64, requires_grad=True)
    p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_([p], 1.0)
    clip_grad_value([g], 1.0)
    np.testing.assert_array_equal(g, p.grad.numpy())


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: clip_grad_norm([np.ones(2)], 0.0), "max_norm"),
        (lambda: clip_grad_norm([np.ones(2)], 1.0, norm_type=0.0), "norm_type"),
        (lambda: clip_grad_value([np.ones(2)], -1.0), "clip_value"),
        (lambda: clip_grad_value([np.ones(2)], 0.0), "clip_value"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()
