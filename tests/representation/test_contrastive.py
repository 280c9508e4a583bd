"""NT-Xent and CLIP's loss against per-anchor loops, numerical gradients and PyTorch."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from representation.contrastive import (
    centroid_accuracy,
    clip_loss,
    clip_loss_whiteboard,
    nt_xent_grad,
    nt_xent_loss,
    nt_xent_whiteboard,
    toy_views,
    train_linear_encoder,
)


def nt_xent_by_loops(z1, z2, temperature):
    """One anchor at a time, in plain Python: −log(e^{s(i,pos)/τ} / Σ_{k≠i} e^{s(i,k)/τ})."""
    views = [*z1, *z2]
    n2 = len(views)

    def cos(a, b):
        return sum(x * y for x, y in zip(a, b, strict=True)) / (math.hypot(*a) * math.hypot(*b))

    total = 0.0
    for i in range(n2):
        pos = (i + n2 // 2) % n2
        denom = sum(math.exp(cos(views[i], views[k]) / temperature) for k in range(n2) if k != i)
        total += -math.log(math.exp(cos(views[i], views[pos]) / temperature) / denom)
    return total / n2


def clip_by_loops(img, txt, scale):
    n = len(img)
    img = img / np.linalg.norm(img, axis=1, keepdims=True)
    txt = txt / np.linalg.norm(txt, axis=1, keepdims=True)

    def one_way(a, b):  # row i of a should pick b[i] among all of b
        total = 0.0
        for i in range(n):
            denom = sum(math.exp(scale * a[i] @ b[j]) for j in range(n))
            total += -math.log(math.exp(scale * a[i] @ b[i]) / denom)
        return total

    i2t, t2i = one_way(img, txt), one_way(txt, img)
    return (i2t + t2i) / (2 * n)


@pytest.mark.parametrize(("n", "d", "temperature"), [(1, 3, 0.5), (3, 4, 0.5), (5, 2, 0.1)])
def test_nt_xent_matches_loops(n, d, temperature):
    rng = np.random.default_rng(n)
    z1, z2 = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    assert nt_xent_loss(z1, z2, temperature) == pytest.approx(
        nt_xent_by_loops(z1, z2, temperature), rel=1e-12
    )


def test_nt_xent_default_temperature_is_half():
    rng = np.random.default_rng(8)
    z1, z2 = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    expected = nt_xent_by_loops(z1, z2, 0.5)
    assert nt_xent_loss(z1, z2) == pytest.approx(expected, rel=1e-12)
    assert nt_xent_whiteboard(z1, z2) == pytest.approx(expected, rel=1e-12)
    g1, _ = nt_xent_grad(z1, z2)
    np.testing.assert_allclose(g1, nt_xent_grad(z1, z2, 0.5)[0], rtol=0, atol=0)


def test_nt_xent_hand_cases():
    # N = 1: the only other view is the positive, so the loss is exactly 0.
    assert nt_xent_loss(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])) == 0.0
    # N = 2, identical views, orthogonal instances: s(pos) = 1/τ, s(neg) = 0 for both negatives.
    z = np.eye(2)
    expected = -np.log(np.exp(2.0) / (np.exp(2.0) + 2))
    assert nt_xent_loss(z, z, 0.5) == pytest.approx(expected)
    # Scale of the embeddings does not matter (cosine).
    rng = np.random.default_rng(0)
    z1, z2 = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    assert nt_xent_loss(7 * z1, 0.2 * z2) == pytest.approx(nt_xent_loss(z1, z2))


def test_each_row_is_shifted_by_its_own_max():
    # τ = 0.001: similarities of ±1000, far past exp's range. Views [1, 0], [0, 1] and their
    # pairs [1, 0], [0, -1]: anchors 0 and 2 cost 0; anchors 1 and 3 see their positive at
    # -1000 and two negatives at 0: 1000 + log 2 each.
    z1, z2 = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, -1.0]])
    expected = 500 + math.log(2) / 2
    assert nt_xent_loss(z1, z2, 0.001) == pytest.approx(expected, rel=1e-12)
    assert nt_xent_whiteboard(z1, z2, 0.001) == pytest.approx(expected, rel=1e-12)
    # CLIP with scale 1000: logits [[1000, 0], [-1000, 0]]; only text 1 -> image 1 is a tie.
    img, txt = np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    assert clip_loss(img, txt, 1000.0) == pytest.approx(math.log(2) / 4, rel=1e-12)
    assert clip_loss_whiteboard(img, txt, 1000.0) == pytest.approx(math.log(2) / 4, rel=1e-12)


def test_nt_xent_gradient_against_finite_differences():
    rng = np.random.default_rng(1)
    z1, z2 = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    g1, g2 = nt_xent_grad(z1, z2, 0.3)
    h = 1e-6
    for grad, which in ((g1, 0), (g2, 1)):
        for idx in np.ndindex(3, 4):
            plus, minus = [z1.copy(), z2.copy()], [z1.copy(), z2.copy()]
            plus[which][idx] += h
            minus[which][idx] -= h
            numeric = (nt_xent_loss(*plus, 0.3) - nt_xent_loss(*minus, 0.3)) / (2 * h)
            assert grad[idx] == pytest.approx(numeric, abs=1e-7)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.floats(0.05, 2.0), st.integers(0, 2**32 - 1))
def test_nt_xent_whiteboard_matches_full_version(n, d, temperature, seed):
    rng = np.random.default_rng(seed)
    z1, z2 = rng.normal(size=(n, d)) + 0.1, rng.normal(size=(n, d)) + 0.1
    assert nt_xent_whiteboard(z1, z2, temperature) == pytest.approx(
        nt_xent_loss(z1, z2, temperature), rel=1e-10
    )


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.floats(1.0, 100.0), st.integers(0, 2**32 - 1))
def test_clip_whiteboard_matches_full_version(n, d, scale, seed):
    rng = np.random.default_rng(seed)
    img, txt = rng.normal(size=(n, d)) + 0.1, rng.normal(size=(n, d)) + 0.1
    assert clip_loss_whiteboard(img, txt, scale) == pytest.approx(
        clip_loss(img, txt, scale), rel=1e-10
    )


def test_clip_matches_loops_and_is_symmetric():
    rng = np.random.default_rng(2)
    img, txt = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    assert clip_loss(img, txt, 10.0) == pytest.approx(clip_by_loops(img, txt, 10.0), rel=1e-12)
    assert clip_loss(img, txt, 10.0) == pytest.approx(clip_loss(txt, img, 10.0))
    # One direction alone differs from the mean of the two (the loss is not one-sided).
    logits = (
        10.0
        * (img / np.linalg.norm(img, axis=1, keepdims=True))
        @ (txt / np.linalg.norm(txt, axis=1, keepdims=True)).T
    )
    one_way = -np.mean(np.diag(logits) - np.log(np.exp(logits).sum(axis=1)))
    assert not np.isclose(clip_loss(img, txt, 10.0), one_way)


def test_nt_xent_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation")
    F = torch.nn.functional
    rng = np.random.default_rng(3)
    z1, z2 = rng.normal(size=(5, 8)), rng.normal(size=(5, 8))
    # A common PyTorch formulation: mask the diagonal with -inf, cross-entropy to i ± N.
    z = F.normalize(torch.from_numpy(np.concatenate([z1, z2])).requires_grad_(), dim=1)
    sim = z @ z.T / 0.2
    sim = sim.masked_fill(torch.eye(10, dtype=torch.bool), float("-inf"))
    target = torch.cat([torch.arange(5, 10), torch.arange(5)])
    expected = F.cross_entropy(sim, target)
    assert nt_xent_loss(z1, z2, 0.2) == pytest.approx(expected.item(), rel=1e-12)
    z1_t = torch.from_numpy(z1).requires_grad_()
    z2_t = torch.from_numpy(z2).requires_grad_()
    u = F.normalize(torch.cat([z1_t, z2_t]), dim=1)
    s = (u @ u.T / 0.2).masked_fill(torch.eye(10, dtype=torch.bool), float("-inf"))
    F.cross_entropy(s, target).backward()
    g1, g2 = nt_xent_grad(z1, z2, 0.2)
    np.testing.assert_allclose(g1, z1_t.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(g2, z2_t.grad.numpy(), atol=1e-12)


def test_clip_matches_torch_cross_entropy_both_ways():
    torch = pytest.importorskip("torch", reason="PyTorch's cross_entropy is the reference")
    F = torch.nn.functional
    rng = np.random.default_rng(4)
    img, txt = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
    i, t = F.normalize(torch.from_numpy(img), dim=1), F.normalize(torch.from_numpy(txt), dim=1)
    logits = 100.0 * i @ t.T
    labels = torch.arange(6)
    expected = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
    assert clip_loss(img, txt, 100.0) == pytest.approx(expected.item(), rel=1e-12)


def test_toy_training_separates_the_classes():
    w0, w, losses = train_linear_encoder(steps=80)
    assert losses[-10:].mean() < losses[:10].mean() - 0.8
    x, _, labels = toy_views(400, np.random.default_rng(9))
    before = centroid_accuracy(x @ w0.T / np.linalg.norm(x @ w0.T, axis=1, keepdims=True), labels)
    after = centroid_accuracy(x @ w.T / np.linalg.norm(x @ w.T, axis=1, keepdims=True), labels)
    assert before < 0.6 < 0.95 < after
    assert np.abs(w[:, 2:]).max() < 0.1 * np.abs(w[:, :2]).max()  # nuisance dims ignored


def test_toy_views_share_the_content_and_redraw_the_nuisance():
    x1, x2, labels = toy_views(4000, np.random.default_rng(0))
    assert x1.shape == x2.shape == (4000, 8)
    assert set(labels.tolist()) == {0, 1, 2, 3}
    for c in range(4):  # class c: centred at radius 2, angle 45° + 90° c, spread 0.4 per axis
        angle = math.pi / 4 + math.pi / 2 * c
        content = x1[labels == c, :2]
        np.testing.assert_allclose(
            content.mean(0), [2 * math.cos(angle), 2 * math.sin(angle)], atol=0.06
        )
        np.testing.assert_allclose(content.std(0), 0.4, rtol=0.1)
    # The augmentation moves the content by noise of std 0.05 and draws the nuisance again.
    assert (x1[:, :2] - x2[:, :2]).std() == pytest.approx(0.05 * math.sqrt(2), rel=0.1)
    assert x1[:, 2:].std() == pytest.approx(3.0, rel=0.05)
    assert x2[:, 2:].std() == pytest.approx(3.0, rel=0.05)
    assert abs(np.corrcoef(x1[:, 2:].ravel(), x2[:, 2:].ravel())[0, 1]) < 0.05


def test_train_linear_encoder_defaults_and_seed():
    w0, w, losses = train_linear_encoder(steps=2)
    same = train_linear_encoder(steps=2, lr=2.0, temperature=0.5, seed=0)
    for got, expected in zip((w0, w, losses), same, strict=True):
        np.testing.assert_array_equal(got, expected)
    assert losses.shape == (2,)
    assert not np.array_equal(train_linear_encoder(steps=2, seed=1)[0], w0)
    # The temperature reaches both the recorded loss and the gradient step.
    _, w_cold, losses_cold = train_linear_encoder(steps=2, temperature=0.2)
    assert losses_cold[0] != losses[0]
    assert not np.array_equal(w_cold, w)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"z1": np.zeros((2, 3))}, ValueError, "zero row"),
        ({"z1": np.ones((3, 3))}, ValueError, "same shape"),
        ({"z1": np.ones(3), "z2": np.ones(3)}, ValueError, r"\(N, D\)"),
        ({"z1": np.ones((0, 3)), "z2": np.ones((0, 3))}, ValueError, "N, D >= 1"),
        ({"z1": np.full((2, 3), np.nan)}, ValueError, "NaN"),
        ({"z1": np.ones((2, 3), bool)}, TypeError, "z1"),
        ({"temperature": 0.0}, ValueError, "temperature"),
        ({"temperature": "0.5"}, TypeError, "temperature"),
    ],
)
def test_nt_xent_bad_input(kwargs, error, match):
    args = {"z1": np.ones((2, 3)), "z2": np.ones((2, 3)), "temperature": 0.5}
    with pytest.raises(error, match=match):
        nt_xent_loss(**(args | kwargs))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"text_emb": np.ones((3, 4))}, ValueError, "same shape"),
        ({"logit_scale": -1.0}, ValueError, "logit_scale"),
        ({"logit_scale": np.inf}, ValueError, "logit_scale"),
        ({"logit_scale": True}, TypeError, "logit_scale"),
        ({"image_emb": np.zeros((2, 3))}, ValueError, "zero row"),
    ],
)
def test_clip_bad_input(kwargs, error, match):
    args = {"image_emb": np.ones((2, 3)), "text_emb": np.ones((2, 3)), "logit_scale": 10.0}
    with pytest.raises(error, match=match):
        clip_loss(**(args | kwargs))


ONES, NAN = np.ones((2, 3)), np.full((2, 3), np.nan)


@pytest.mark.parametrize("f", [nt_xent_loss, nt_xent_grad])
@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((NAN, ONES), ValueError, "z1 must not contain NaN or inf"),
        ((ONES, NAN), ValueError, "z2 must not contain NaN or inf"),
        (
            (ONES, np.ones((3, 3))),
            ValueError,
            r"z1 and z2 need the same shape, got \(2, 3\), \(3, 3\)",
        ),
        ((ONES + 1j, ONES), TypeError, "z1 must be a real number array, got dtype complex128"),
        ((ONES, ONES.astype(str)), TypeError, "z2 must be a real number array, got dtype <U32"),
        ((ONES, ONES, 0.0), ValueError, "temperature must be positive and finite, got 0.0"),
        ((ONES, ONES, "0.5"), TypeError, "temperature must be a number, got str"),
        (
            ([[0, 0, 0], [1, 1, 1]], ONES),
            ValueError,
            "z1 has a zero row: cosine similarity is undefined",
        ),
    ],
)
def test_nt_xent_error_messages_in_full(f, args, error, message):
    with pytest.raises(error, match=f"^{message}$"):
        f(*args)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((NAN, ONES, 10.0), ValueError, "image_emb must not contain NaN or inf"),
        ((ONES, NAN, 10.0), ValueError, "text_emb must not contain NaN or inf"),
        ((ONES, ONES, -1.0), ValueError, "logit_scale must be positive and finite, got -1.0"),
    ],
)
def test_clip_error_messages_in_full(args, error, message):
    with pytest.raises(error, match=f"^{message}$"):
        clip_loss(*args)


def test_integer_embeddings_are_accepted():
    z1, z2 = np.array([[1, 0], [0, 2]]), np.array([[3, 1], [1, 1]])
    assert nt_xent_loss(z1, z2) == nt_xent_loss(z1.astype(float), z2.astype(float))
    assert clip_loss(z1, z2, 10) == clip_loss(z1.astype(float), z2.astype(float), 10.0)
