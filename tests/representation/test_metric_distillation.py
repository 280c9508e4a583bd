"""Pair and triplet losses, batch-hard mining and the distillation loss against loops, hand
cases, numerical gradients and PyTorch (triplet_margin_loss, KLDivLoss + cross_entropy)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from representation.metric_distillation import (
    batch_hard_triplet_loss,
    contrastive_loss,
    distillation_loss,
    distillation_loss_whiteboard,
    soft_target_grad,
    triplet_loss,
    triplet_loss_whiteboard,
)


def test_contrastive_loss_by_hand():
    x1 = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    x2 = np.array([[3.0, 4.0], [0.3, 0.4], [3.0, 4.0]])  # distances 5, 0.5, 5
    same = np.array([True, False, False])
    # similar pair: 25; dissimilar inside the margin: (1 − 0.5)² = 0.25; beyond: 0
    assert contrastive_loss(x1, x2, same) == pytest.approx((25 + 0.25 + 0) / 3)
    # margin = 6: both dissimilar pairs are now inside it, (6 − 0.5)² and (6 − 5)².
    assert contrastive_loss(x1, x2, same, margin=6.0) == pytest.approx((25 + 5.5**2 + 1) / 3)
    assert contrastive_loss(x1, x2, same, 0.4) == pytest.approx(25 / 3)  # both beyond 0.4
    assert contrastive_loss(x1, x2, same, margin=0) == pytest.approx(25 / 3)  # margin 0 allowed
    # Only the difference x1 - x2 counts: moving both points by the same vector changes nothing.
    assert contrastive_loss(x1 + 2, x2 + 2, same) == pytest.approx((25 + 0.25 + 0) / 3)
    # Integer embeddings are fine.
    assert contrastive_loss(x1.astype(int), np.array([[3, 4]] * 3), same) == pytest.approx(25 / 3)


def test_triplet_loss_by_hand():
    a = np.array([[0.0, 0.0]])
    p, n = np.array([[3.0, 4.0]]), np.array([[6.0, 8.0]])  # d(a, p) = 5, d(a, n) = 10
    assert triplet_loss(a, p, n, margin=1.0) == pytest.approx(0.0)
    assert triplet_loss(a, p, n, margin=7.0) == pytest.approx(2.0, abs=1e-5)
    assert triplet_loss(a[0], n[0], p[0]) == pytest.approx(6.0, abs=1e-5)  # (D,) input


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.floats(0.1, 3.0), st.integers(0, 2**32 - 1))
def test_triplet_whiteboard_matches_full_version(n, d, margin, seed):
    rng = np.random.default_rng(seed)
    a, p, neg = rng.normal(size=(3, n, d))
    # The full version adds torch's eps = 1e-6 inside the distance: equal to ~1e-5.
    assert triplet_loss_whiteboard(a, p, neg, margin) == pytest.approx(
        triplet_loss(a, p, neg, margin), abs=1e-5
    )


def test_triplet_matches_torch_including_eps():
    torch = pytest.importorskip("torch", reason="torch.nn.functional.triplet_margin_loss")
    rng = np.random.default_rng(0)
    a, p, n = rng.normal(size=(3, 7, 5))
    a[0], p[0] = 1.0, 1.0  # a zero difference: where torch's eps shows most
    for margin in (0.2, 1.0, 3.0):
        expected = torch.nn.functional.triplet_margin_loss(
            *map(torch.from_numpy, (a, p, n)), margin=margin, p=2
        )
        # Equal up to rounding, not bit for bit: the mean is summed in another order.
        assert triplet_loss(a, p, n, margin) == pytest.approx(expected.item(), rel=1e-12)
    one = torch.nn.functional.triplet_margin_loss(*map(torch.from_numpy, (a[1], p[1], n[1])))
    assert triplet_loss(a[1], p[1], n[1]) == pytest.approx(one.item(), rel=1e-12)


def test_torch_norm_gradient_at_zero_is_zero_not_nan():
    """The page: with eps = 0 torch's distance still has a finite gradient at x = y; NaN only
    comes from differentiating a hand-written sqrt of the sum of squares."""
    torch = pytest.importorskip("torch", reason="PyTorch's autograd is what the page describes")
    x = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.pairwise_distance(
        x, torch.zeros(2, 3, dtype=torch.float64), eps=0.0
    ).sum().backward()
    assert torch.equal(x.grad, torch.zeros(2, 3, dtype=torch.float64))
    x.grad = None
    (x**2).sum(dim=1).sqrt().sum().backward()
    assert torch.isnan(x.grad).all()


def batch_hard_by_loops(x, labels, margin):
    losses = []
    for i in range(len(x)):
        d = [math.dist(x[i], x[j]) for j in range(len(x))]
        pos = [d[j] for j in range(len(x)) if j != i and labels[j] == labels[i]]
        neg = [d[j] for j in range(len(x)) if labels[j] != labels[i]]
        if pos and neg:
            losses.append(max(max(pos) - min(neg) + margin, 0.0))
    return sum(losses) / len(losses)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batch_hard_matches_loops(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(9, 3))
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2, 3])  # class 3 has no positive: skipped
    assert batch_hard_triplet_loss(x, labels, 0.5) == pytest.approx(
        batch_hard_by_loops(x, labels, 0.5), rel=1e-9
    )


def batch_hard_by_all_triplets(x, labels, margin):
    """Enumerate every valid (a, p, n); an anchor's loss is the largest hinge among its triplets."""
    worst = {}
    for a, p, n in np.ndindex(len(x), len(x), len(x)):
        if a != p and labels[a] == labels[p] and labels[n] != labels[a]:
            hinge = max(math.dist(x[a], x[p]) - math.dist(x[a], x[n]) + margin, 0.0)
            worst[a] = max(worst.get(a, 0.0), hinge)
    return sum(worst.values()) / len(worst)


@pytest.mark.parametrize(("seed", "margin"), [(0, 0.5), (1, 1.0), (2, 2.0)])
def test_batch_hard_matches_brute_force_over_all_triplets(seed, margin):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(9, 2))
    labels = np.array([2, 0, 1, 0, 2, 1, 0, 3, 2])  # shuffled; class 3 has no positive
    assert batch_hard_triplet_loss(x, labels, margin) == pytest.approx(
        batch_hard_by_all_triplets(x, labels, margin), rel=1e-9
    )
    default = batch_hard_by_all_triplets(x, labels, 1.0)
    assert batch_hard_triplet_loss(x, labels) == pytest.approx(default, rel=1e-9)


def test_batch_hard_needs_a_positive_and_a_negative():
    with pytest.raises(ValueError, match="no anchor"):
        batch_hard_triplet_loss(np.zeros((3, 2)), np.array([0, 1, 2]))


def kl_by_loops(s, t, T):
    total = 0.0
    for row_s, row_t in zip(s, t, strict=True):
        zs = sum(math.exp(v / T) for v in row_s)
        zt = sum(math.exp(v / T) for v in row_t)
        for vs, vt in zip(row_s, row_t, strict=True):
            pt, ps = math.exp(vt / T) / zt, math.exp(vs / T) / zs
            total += pt * math.log(pt / ps)
    return total / len(s)


def test_distillation_defaults_are_t4_alpha09():
    rng = np.random.default_rng(7)
    s, t = rng.normal(size=(2, 3, 4)) * 2
    y = np.array([1, 0, 3])
    ce = -np.mean([s[i, y[i]] - math.log(np.exp(s[i]).sum()) for i in range(3)])
    expected = 0.9 * 16.0 * kl_by_loops(s, t, 4.0) + 0.1 * ce
    assert distillation_loss(s, t, y) == pytest.approx(expected, rel=1e-12)
    assert distillation_loss_whiteboard(s, t, y) == pytest.approx(expected, rel=1e-12)


def test_log_softmax_shifts_each_row_by_its_own_max():
    # exp(800) overflows and exp(-800) underflows: each row must be shifted by its own max.
    s = np.array([[800.0, 0.0], [0.0, -800.0]])
    y = np.array([0, 0])
    assert distillation_loss(s, s, y, temperature=1.0) == 0.0
    assert distillation_loss_whiteboard(s, s, y, T=1.0) == 0.0


def test_distillation_temperature_and_alpha_are_keyword_only():
    s = t = np.zeros((2, 3))
    with pytest.raises(TypeError):
        distillation_loss(s, t, np.array([0, 1]), 4.0)


def test_distillation_by_loops_and_limits():
    rng = np.random.default_rng(3)
    s, t = rng.normal(size=(2, 4, 5)) * 2
    y = np.array([0, 3, 4, 1])
    ce = -np.mean([s[i, y[i]] - math.log(np.exp(s[i]).sum()) for i in range(4)])
    kl = kl_by_loops(s, t, 3.0)
    expected = 0.7 * 9.0 * kl + 0.3 * ce
    assert distillation_loss(s, t, y, temperature=3.0, alpha=0.7) == pytest.approx(expected)
    assert distillation_loss(s, t, y, alpha=0.0) == pytest.approx(ce)  # plain cross-entropy
    assert distillation_loss(t, t, y, alpha=1.0) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=20, deadline=None)
@given(
    st.integers(1, 5), st.integers(2, 6), st.floats(0.5, 10.0), st.floats(0.0, 1.0),
    st.integers(0, 2**32 - 1),
)  # fmt: skip
def test_distillation_whiteboard_matches_full_version(n, c, temperature, alpha, seed):
    rng = np.random.default_rng(seed)
    s, t = rng.normal(size=(2, n, c)) * 3
    y = rng.integers(0, c, n)
    assert distillation_loss_whiteboard(s, t, y, temperature, alpha) == pytest.approx(
        distillation_loss(s, t, y, temperature=temperature, alpha=alpha), rel=1e-10, abs=1e-12
    )


def test_soft_target_gradient_against_finite_differences():
    rng = np.random.default_rng(4)
    s, t = rng.normal(size=(2, 3, 4))
    y = np.zeros(3, dtype=int)
    for T in (1.0, 4.0):
        grad = soft_target_grad(s, t, T)
        h = 1e-6
        for idx in np.ndindex(3, 4):
            e = np.zeros_like(s)
            e[idx] = h

            def kl(z, T=T):
                return distillation_loss(z, t, y, temperature=T, alpha=1.0) / T**2

            assert grad[idx] == pytest.approx((kl(s + e) - kl(s - e)) / (2 * h), abs=1e-8)


def test_soft_gradient_shrinks_as_one_over_t_squared():
    """Hinton et al.: for large T the soft-target gradient is ≈ (z_s − z_t) / (C T²)."""
    rng = np.random.default_rng(5)
    s, t = rng.normal(size=(2, 1, 10))
    s -= s.mean()
    t -= t.mean()  # zero-mean logits, as in the paper's approximation
    scaled = [np.linalg.norm(soft_target_grad(s, t, T)) * T**2 for T in (20.0, 40.0, 80.0)]
    assert scaled[0] == pytest.approx(scaled[2], rel=0.02)
    np.testing.assert_allclose(
        soft_target_grad(s, t, 40.0) * 40.0**2, (s - t) / 10, rtol=0.05, atol=1e-3
    )


def test_distillation_matches_torch():
    torch = pytest.importorskip("torch", reason="KLDivLoss(batchmean) + cross_entropy")
    F = torch.nn.functional
    rng = np.random.default_rng(6)
    s, t = rng.normal(size=(2, 5, 7)) * 2
    y = rng.integers(0, 7, 5)
    for T, alpha in ((4.0, 0.9), (1.0, 0.5), (2.5, 1.0)):
        s_t = torch.from_numpy(s).requires_grad_()
        kd = F.kl_div(
            F.log_softmax(s_t / T, dim=1), F.softmax(torch.from_numpy(t) / T, dim=1),
            reduction="batchmean",
        )  # fmt: skip
        loss = alpha * T**2 * kd + (1 - alpha) * F.cross_entropy(s_t, torch.from_numpy(y))
        ours = distillation_loss(s, t, y, temperature=T, alpha=alpha)
        assert ours == pytest.approx(loss.item(), rel=1e-12)
    s_t = torch.from_numpy(s).requires_grad_()
    F.kl_div(
        F.log_softmax(s_t / 3.0, dim=1), F.softmax(torch.from_numpy(t) / 3.0, dim=1),
        reduction="batchmean",
    ).backward()  # fmt: skip
    np.testing.assert_allclose(soft_target_grad(s, t, 3.0), s_t.grad.numpy(), atol=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"labels": np.array([0, 5])}, ValueError, "labels must lie"),
        ({"labels": np.array([0.0, 1.0])}, TypeError, "labels"),
        ({"labels": np.array([0])}, ValueError, "shape"),
        ({"teacher_logits": np.zeros((2, 4))}, ValueError, "one shape"),
        ({"temperature": 0.0}, ValueError, "temperature"),
        ({"alpha": 1.5}, ValueError, "alpha"),
        ({"alpha": "0.5"}, TypeError, "alpha"),
        ({"student_logits": np.full((2, 3), np.nan)}, ValueError, "NaN"),
    ],
)
def test_distillation_bad_input(kwargs, error, match):
    args = {"student_logits": np.zeros((2, 3)), "teacher_logits": np.zeros((2, 3))}
    args |= {"labels": np.array([0, 2])}
    with pytest.raises(error, match=match):
        distillation_loss(**(args | kwargs))


Z23, Z24 = np.zeros((2, 3)), np.zeros((2, 4))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: triplet_loss(Z23, Z23, Z24), ValueError, "one shape"),
        (lambda: triplet_loss(Z23, Z23, Z23, margin=0), ValueError, "margin"),
        (lambda: triplet_loss(*3 * [np.zeros((1, 1, 3))]), ValueError, "ndim"),
        (lambda: contrastive_loss(Z23, Z23, np.array([1, 0])), ValueError, "same"),
        (lambda: batch_hard_triplet_loss(Z23, np.array([0, 1, 1])), ValueError, "labels"),
    ],
)
def test_metric_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


Z22, NAN22, STR22 = np.zeros((2, 2)), np.full((2, 2), np.nan), np.array([["1", "2"], ["3", "4"]])
Y2 = np.array([0, 1])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: contrastive_loss(NAN22, Z22, Y2 > 0),
            ValueError,
            "x1 must not contain NaN or inf",
        ),
        (
            lambda: contrastive_loss(Z22, NAN22, Y2 > 0),
            ValueError,
            "x2 must not contain NaN or inf",
        ),
        (
            lambda: contrastive_loss(Z22, np.zeros((2, 3)), Y2 > 0),
            ValueError,
            r"x1 and x2 need the same shape, got \(2, 2\), \(2, 3\)",
        ),
        (
            lambda: contrastive_loss(np.zeros((2, 3)), np.zeros((2, 3)), Y2),
            ValueError,
            r"same must be a boolean array of shape \(2,\)",
        ),
        (
            lambda: contrastive_loss(Z22, Z22, Y2 > 0, margin=-1.0),
            ValueError,
            r"margin must lie in \[0.0, inf\], got -1.0",
        ),
        (lambda: triplet_loss(NAN22, Z22, Z22), ValueError, "anchor must not contain NaN or inf"),
        (lambda: triplet_loss(Z22, NAN22, Z22), ValueError, "positive must not contain NaN or inf"),
        (lambda: triplet_loss(Z22, Z22, NAN22), ValueError, "negative must not contain NaN or inf"),
        (
            lambda: triplet_loss(Z22, Z22, Z22, margin=0),
            ValueError,
            r"margin must lie in \(0.0, inf\], got 0",
        ),
        (
            lambda: triplet_loss(Z22 + 1j, Z22, Z22),
            TypeError,
            "anchor must be a real number array, got dtype complex128",
        ),
        (
            lambda: triplet_loss(STR22, Z22, Z22),
            TypeError,
            "anchor must be a real number array, got dtype <U1",
        ),
        (
            lambda: batch_hard_triplet_loss(NAN22, Y2),
            ValueError,
            "embeddings must not contain NaN or inf",
        ),
        (
            lambda: batch_hard_triplet_loss(Z22, Y2, margin=0),
            ValueError,
            r"margin must lie in \(0.0, inf\], got 0",
        ),
        (
            lambda: batch_hard_triplet_loss(Z22, Y2),
            ValueError,
            "no anchor has both a positive and a negative in the batch",
        ),
        (
            lambda: distillation_loss(NAN22, Z22, Y2),
            ValueError,
            "student_logits must not contain NaN or inf",
        ),
        (
            lambda: distillation_loss(Z22, NAN22, Y2),
            ValueError,
            "teacher_logits must not contain NaN or inf",
        ),
        (
            lambda: distillation_loss(Z22, Z22, np.array([0, 2])),
            ValueError,
            r"labels must lie in \[0, 2\)",
        ),
        (
            lambda: distillation_loss(Z22, Z22, Y2, temperature=0.0),
            ValueError,
            r"temperature must lie in \(0.0, inf\], got 0.0",
        ),
        (
            lambda: distillation_loss(Z22, Z22, Y2, alpha=1.5),
            ValueError,
            r"alpha must lie in \[0.0, 1.0\], got 1.5",
        ),
        (
            lambda: distillation_loss(Z22, Z22, Y2, alpha="0.5"),
            TypeError,
            "alpha must be a number, got str",
        ),
        (
            lambda: soft_target_grad(NAN22, Z22, 1.0),
            ValueError,
            "student_logits must not contain NaN or inf",
        ),
        (
            lambda: soft_target_grad(Z22, NAN22, 1.0),
            ValueError,
            "teacher_logits must not contain NaN or inf",
        ),
        (
            lambda: soft_target_grad(Z22, np.zeros((2, 3)), 1.0),
            ValueError,
            r"student and teacher logits need one shape, got \(2, 2\), \(2, 3\)",
        ),
        (
            lambda: soft_target_grad(Z22, Z22, 0.0),
            ValueError,
            r"temperature must lie in \(0.0, inf\], got 0.0",
        ),
    ],
)
def test_error_messages_in_full(call, error, message):
    with pytest.raises(error, match=f"^{message}$"):
        call()
