"""The top-k router against a per-token brute force (sorting, capacity with GShard's
priority), the Switch load-balancing loss by hand, and an MoE layer against a token loop."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llm.moe import (
    expert_capacity,
    load_balancing_loss,
    moe_layer,
    top2_router_whiteboard,
    topk_router,
)

rng = np.random.default_rng(0)


def brute_force_router(logits, k, capacity):
    """One token and one choice at a time: first choices of all tokens, then second ones."""
    t_count, e_count = logits.shape
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    choices = [
        sorted(range(e_count), key=lambda e, t=t: (-probs[t, e], e))[:k] for t in range(t_count)
    ]
    weights = np.array([[probs[t, e] for e in choices[t]] for t in range(t_count)])
    weights /= weights.sum(1, keepdims=True)
    load = [0] * e_count
    for j in range(k):
        for t in range(t_count):
            e = choices[t][j]
            if capacity is not None and load[e] >= capacity:
                weights[t, j] = 0.0  # expert full: this choice is dropped
            else:
                load[e] += 1
    return np.array(choices), weights


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(2, 6), st.sampled_from([None, 0.5, 1.0, 1.25, 2.0]))
def test_router_matches_brute_force(n_tokens, n_experts, factor):
    logits = rng.normal(size=(n_tokens, n_experts)) * 2
    k = min(2, n_experts)
    cap = None if factor is None else expert_capacity(n_tokens, n_experts, k, factor)
    idx, w, _ = topk_router(logits, k=k, capacity_factor=factor)
    ref_idx, ref_w = brute_force_router(logits, k, cap)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_allclose(w, ref_w, rtol=1e-12)
    wb_idx, wb_w, wb_aux = top2_router_whiteboard(logits, np.inf if cap is None else cap)
    np.testing.assert_array_equal(wb_idx, idx)
    np.testing.assert_allclose(wb_w, w, rtol=1e-12)
    assert np.isclose(wb_aux, topk_router(logits, k=2, capacity_factor=None)[2])


def test_top2_weights_are_softmax_of_the_top2_logits():
    logits = np.array([[2.0, 0.0, 1.0, -1.0]])
    idx, w, _ = topk_router(logits, capacity_factor=None)
    assert idx.tolist() == [[0, 2]]
    np.testing.assert_allclose(w[0], np.exp([2.0, 1.0]) / np.exp([2.0, 1.0]).sum())


def test_ties_go_to_the_lower_expert_index():
    logits = np.array([[1.0, 1.0, 2.0, 2.0]])  # an unstable sort may put expert 3 first
    assert topk_router(logits, capacity_factor=None)[0].tolist() == [[2, 3]]
    assert top2_router_whiteboard(logits, capacity=10)[0].tolist() == [[2, 3]]


def test_large_logits_do_not_overflow():
    # Each row is shifted by its own maximum: a global shift would underflow the second row.
    logits = np.array([[1000.0, 999.0, 0.0], [0.0, -1.0, -1000.0]])
    expected = [[1 / (1 + np.exp(-1)), 1 / (1 + np.exp(1))]] * 2
    for _, w, aux in (
        topk_router(logits, capacity_factor=None),
        top2_router_whiteboard(logits, 10),
    ):
        np.testing.assert_allclose(w, expected, rtol=1e-12)
        assert np.isfinite(aux)


def test_integer_logits_are_accepted():
    idx, w, _ = topk_router(np.array([[2, 0, 1]]), capacity_factor=None)
    assert idx.tolist() == [[0, 2]]
    np.testing.assert_allclose(w, [[1 / (1 + np.exp(-1)), 1 / (1 + np.exp(1))]])


def test_top1_routing_gives_each_token_weight_one():
    # Switch Transformer: k = 1, the single choice renormalised to 1.
    idx, w, _ = topk_router(rng.normal(size=(5, 4)), k=1, capacity_factor=None)
    assert idx.shape == w.shape == (5, 1)
    np.testing.assert_allclose(w, 1.0)


def test_default_capacity_factor_is_1_25():
    # Eight tokens all want expert 0 (top-1 of 4 experts): ceil(1.25 * 8 / 4) = 3 slots.
    _, w, _ = topk_router(np.tile([3.0, 0.0, 0.0, 0.0], (8, 1)), k=1)
    assert (w[:, 0] > 0).tolist() == [True] * 3 + [False] * 5


def test_capacity_drops_second_choices_first():
    # Four tokens all prefer expert 0, then expert 1; 2 experts, k = 2, factor 0.5:
    # capacity ceil(0.5 * 2 * 4 / 2) = 2 slots per expert.
    logits = np.tile([3.0, 1.0], (4, 1))
    assert expert_capacity(4, 2, 2, 0.5) == 2
    _, w, _ = topk_router(logits, capacity_factor=0.5)
    kept = w > 0
    assert kept[:, 0].tolist() == [True, True, False, False]  # expert 0: first two tokens
    assert kept[:, 1].tolist() == [True, True, False, False]  # expert 1: its first two
    assert (w[2:] == 0).all()  # tokens 2 and 3 dropped entirely: only the residual carries them


def test_a_dropped_choice_is_zeroed_not_renormalised():
    # One slot per expert. Token 0 takes expert 0 (then 2); token 1 keeps its first choice
    # (expert 1) and loses its second (expert 0, full): its kept weight stays p1 / (p1 + p0).
    logits = np.log(np.array([[0.6, 0.1, 0.3], [0.3, 0.5, 0.2]]))
    assert expert_capacity(2, 3, 2, 0.5) == 1
    idx, w, _ = topk_router(logits, capacity_factor=0.5)
    assert idx.tolist() == [[0, 2], [1, 0]]
    np.testing.assert_allclose(w, [[0.6 / 0.9, 0.3 / 0.9], [0.5 / 0.8, 0.0]])
    assert w[1].sum() < 1


def test_load_balancing_loss_is_alpha_when_balanced():
    probs = np.full((8, 4), 0.25)
    idx = np.array([[t % 4, (t + 1) % 4] for t in range(8)])  # every expert chosen 4 times
    assert np.isclose(load_balancing_loss(probs, idx, alpha=0.01), 0.01)
    # All tokens to expert 0 with probability ~1: alpha * E * (1 * 1) = 4 alpha.
    collapsed = np.tile([1.0, 0.0, 0.0, 0.0], (8, 1))
    assert np.isclose(load_balancing_loss(collapsed, np.zeros((8, 1), int), 0.01), 0.04)


def test_alpha_scales_the_auxiliary_loss():
    probs = np.full((8, 4), 0.25)
    idx = np.array([[t % 4] for t in range(8)])
    assert np.isclose(load_balancing_loss(probs, idx), 0.01)  # Switch's default alpha
    logits = rng.normal(size=(6, 4))
    aux = topk_router(logits, capacity_factor=None, alpha=1.0)[2]
    assert np.isclose(aux, 100 * topk_router(logits, capacity_factor=None)[2])


def test_load_balancing_loss_by_hand():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]])
    idx = np.array([[0], [1]])  # top-1: f = (1/2, 1/2, 0); P = (0.4, 0.4, 0.2)
    assert np.isclose(load_balancing_loss(probs, idx, alpha=1.0), 3 * (0.5 * 0.4 + 0.5 * 0.4))


def test_moe_layer_against_token_loop():
    x = rng.normal(size=(6, 4))
    router = rng.normal(size=(3, 4))
    experts = rng.normal(size=(3, 5, 4))
    for factor in (None, 0.5):
        idx, w, _ = topk_router(x @ router.T, capacity_factor=factor)
        expected = np.array(
            [sum(w[t, j] * experts[idx[t, j]] @ x[t] for j in range(2)) for t in range(6)]
        )
        out = moe_layer(x, router, experts, capacity_factor=factor)
        np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_router_against_torch_topk_softmax():
    torch = pytest.importorskip("torch", reason="torch.topk + softmax is the reference")
    logits = rng.normal(size=(10, 8))
    vals, ind = torch.topk(torch.from_numpy(logits), 2, dim=-1)
    idx, w, _ = topk_router(logits, capacity_factor=None)
    np.testing.assert_array_equal(idx, ind.numpy())
    np.testing.assert_allclose(w, torch.softmax(vals, dim=-1).numpy(), rtol=1e-12)


def test_expert_capacity():
    assert expert_capacity(1024, 8, 2, 1.0) == 256
    assert expert_capacity(1024, 8, 2, 1.25) == 320
    assert expert_capacity(10, 3, 1, 1.0) == math.ceil(10 / 3)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: topk_router(np.ones(4)),
            ValueError,
            r"router_logits must be \(tokens, experts\), got shape \(4,\)",
        ),
        (lambda: topk_router(np.ones((0, 4))), ValueError, r"got shape \(0, 4\)"),
        (
            lambda: topk_router(np.ones((3, 4)), k=5),
            ValueError,
            r"k must be an int in \[1, 4\], got 5",
        ),
        (lambda: topk_router(np.ones((3, 4)), k=0), ValueError, r"in \[1, 4\], got 0"),
        (lambda: topk_router(np.ones((3, 4)), k=True), ValueError, r"in \[1, 4\], got True"),
        (lambda: topk_router(np.ones((3, 4)), k=2.0), ValueError, r"in \[1, 4\], got 2.0"),
        (
            lambda: topk_router(np.array([[np.nan, 1.0]]), k=1),
            ValueError,
            "^router_logits must be finite$",
        ),
        (lambda: topk_router(np.array([[np.inf, 1.0]]), k=1), ValueError, "must be finite"),
        (
            lambda: topk_router(np.array([["a", "b"]])),
            TypeError,
            "router_logits must be an array of real numbers, got dtype <U1",
        ),
        (lambda: topk_router(np.ones((3, 4), dtype=bool)), TypeError, "got dtype bool"),
        (lambda: topk_router(np.ones((3, 4), dtype=complex)), TypeError, "got dtype complex128"),
        (
            lambda: topk_router(np.ones((3, 4)), capacity_factor=0.0),
            ValueError,
            "capacity_factor must be a finite number > 0, got 0.0",
        ),
        (
            lambda: topk_router(np.ones((3, 4)), capacity_factor=np.inf),
            ValueError,
            "finite number > 0, got inf",
        ),
        (
            lambda: load_balancing_loss(np.ones((3, 4)), np.zeros((2, 1), int)),
            ValueError,
            r"need router_probs \(T, E\) and expert_index \(T, k\), got \(3, 4\), \(2, 1\)",
        ),
        (
            lambda: load_balancing_loss(np.ones(3), np.zeros((3, 1), int)),
            ValueError,
            r"need router_probs \(T, E\) and expert_index \(T, k\), got \(3,\), \(3, 1\)",
        ),
        (
            lambda: load_balancing_loss([["a"]], np.zeros((1, 1), int)),
            TypeError,
            "router_probs must be an array of real numbers",
        ),
        (
            lambda: moe_layer([["a"]], np.ones((3, 1)), np.ones((3, 5, 1))),
            TypeError,
            "x must be an array of real numbers",
        ),
        (
            lambda: moe_layer(np.ones((3, 1)), [["a"]], np.ones((3, 5, 1))),
            TypeError,
            "router_weight must be an array of real numbers",
        ),
        (
            lambda: moe_layer(np.ones((3, 1)), np.ones((3, 1)), [["a"]]),
            TypeError,
            "expert_weights must be an array of real numbers",
        ),
        (
            lambda: moe_layer(np.ones((3, 4)), np.ones((2, 4)), np.ones((3, 5, 4))),
            ValueError,
            r"^need x \(T, d\), router_weight \(E, d\), expert_weights \(E, d_out, d\)$",
        ),
        (
            lambda: moe_layer(np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 5, 2))),
            ValueError,
            r"expert_weights must be \(E, d_out, 4\), got \(3, 5, 2\)",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
