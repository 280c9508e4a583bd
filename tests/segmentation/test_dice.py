"""Dice against hand cases, scikit-learn's F1 and Jaccard, and autograd / finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from segmentation.dice import dice_coefficient, dice_loss, dice_loss_grad
from sklearn.metrics import f1_score, jaccard_score


def test_hand_case_binary():
    truth = np.array([[1, 1, 0, 0]])
    pred = np.array([[1, 0, 1, 0]])
    # One common pixel, 2 + 2 foreground pixels: 2 * 1 / 4.
    assert dice_coefficient(truth, pred, smooth=0) == pytest.approx(0.5)
    assert dice_coefficient(truth, pred, smooth=1) == pytest.approx(3 / 5)
    assert dice_loss(truth, pred, smooth=0) == pytest.approx(0.5)
    assert dice_coefficient(truth, truth, smooth=0) == 1.0
    assert dice_coefficient(truth, 1 - truth, smooth=0) == 0.0


def test_per_sample_then_batch_mean():
    truth = np.array([[[1, 1], [0, 0]], [[1, 0], [0, 0]]])  # (N=2, 2, 2)
    pred = np.array([[[1, 1], [0, 0]], [[0, 1], [0, 0]]])
    # Sample 0 is perfect (Dice 1), sample 1 misses completely (Dice 0).
    assert dice_coefficient(truth, pred, smooth=0) == pytest.approx(0.5)
    # Pooling both samples into one set instead would give 2 * 2 / (3 + 3) = 2/3.
    pooled = dice_coefficient(truth.reshape(1, -1), pred.reshape(1, -1), smooth=0)
    assert pooled == pytest.approx(2 / 3)


def test_both_masks_empty():
    empty = np.zeros((2, 3, 3))
    assert dice_coefficient(empty, empty, smooth=1) == 1.0
    assert dice_coefficient(empty, empty, smooth=1e-6) == 1.0
    assert dice_coefficient(empty, empty, smooth=0) == 1.0  # defined as the smooth -> 0+ limit
    assert dice_loss(empty, empty, smooth=0) == 0.0
    with pytest.raises(ValueError, match="gradient undefined"):
        dice_loss_grad(empty, empty, smooth=0)


def test_one_mask_empty():
    truth = np.zeros((1, 4))
    pred = np.array([[0, 1, 1, 0]])
    assert dice_coefficient(truth, pred, smooth=0) == 0.0
    assert dice_coefficient(truth, pred, smooth=1) == pytest.approx(1 / 3)


def test_smoothing_dominates_tiny_objects():
    # A one-pixel object that the prediction misses still scores 0.5 with smooth = 1.
    truth = np.zeros((1, 64, 64))
    truth[0, 10, 10] = 1
    assert dice_coefficient(truth, np.zeros_like(truth), smooth=1) == pytest.approx(0.5)
    assert dice_coefficient(truth, np.zeros_like(truth), smooth=0) == 0.0


def test_squared_denominator_hand_case():
    truth = np.array([[1, 0]])
    pred = np.array([[0.5, 0.5]])
    # Plain: 2 * 0.5 / (1 + 1); squared (V-Net): 2 * 0.5 / (1 + 0.25 + 0.25).
    assert dice_coefficient(truth, pred, smooth=0) == pytest.approx(0.5)
    assert dice_coefficient(truth, pred, smooth=0, squared=True) == pytest.approx(2 / 3)


def test_soft_target_is_the_optimum_only_for_the_squared_form():
    truth = np.array([[0.5]])
    # Plain soft Dice p / (0.5 + p) keeps growing towards p = 1; squared peaks at p = t.
    grid = np.linspace(0.01, 1, 100)
    plain = [dice_coefficient(truth, np.array([[q]]), smooth=0) for q in grid]
    squared = [dice_coefficient(truth, np.array([[q]]), smooth=0, squared=True) for q in grid]
    assert grid[np.argmax(plain)] == 1.0
    assert grid[np.argmax(squared)] == pytest.approx(0.5)
    assert dice_coefficient(truth, truth, smooth=0) == pytest.approx(0.5)
    assert dice_coefficient(truth, truth, smooth=0, squared=True) == 1.0


binary_batches = st.tuples(st.integers(1, 4), st.integers(1, 30), st.integers(0, 2**32 - 1))


def random_masks(n, size, seed, density=None):
    rng = np.random.default_rng(seed)
    p_true, p_pred = rng.uniform(0, 1, 2) if density is None else (density, density)
    truth = rng.random((n, size)) < p_true
    pred = rng.random((n, size)) < p_pred
    return truth, pred


@settings(max_examples=50, deadline=None)
@given(binary_batches)
def test_dice_equals_f1_on_binary_masks(case):
    truth, pred = random_masks(*case)
    f1 = np.mean([f1_score(t, p, zero_division=1.0) for t, p in zip(truth, pred, strict=True)])
    assert dice_coefficient(truth, pred, smooth=0) == pytest.approx(f1)
    # On binary masks t**2 = t, so the squared denominator changes nothing.
    assert dice_coefficient(truth, pred, smooth=0, squared=True) == pytest.approx(f1)


@settings(max_examples=50, deadline=None)
@given(binary_batches)
def test_dice_from_iou_per_sample(case):
    truth, pred = random_masks(*case)
    for t, p in zip(truth, pred, strict=True):
        iou = jaccard_score(t, p, zero_division=1.0)
        dice = dice_coefficient(t[None], p[None], smooth=0)
        assert dice == pytest.approx(2 * iou / (1 + iou))
        assert dice >= iou - 1e-12


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(1, 20),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.0, 1e-3, 1.0]),
    st.booleans(),
)
def test_range_and_symmetry_on_probabilities(n, size, seed, smooth, squared):
    rng = np.random.default_rng(seed)
    truth, pred = rng.random((2, n, size)) * (rng.random((2, n, size)) < 0.7)
    d = dice_coefficient(truth, pred, smooth=smooth, squared=squared)
    assert 0.0 <= d <= 1.0 + 1e-12
    assert d == pytest.approx(dice_coefficient(pred, truth, smooth=smooth, squared=squared))


@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("smooth", [0.0, 1.0])
def test_gradient_matches_finite_differences(squared, smooth):
    rng = np.random.default_rng(0)
    truth = (rng.random((3, 4, 5)) < 0.3).astype(float)
    pred = rng.uniform(0.05, 0.95, (3, 4, 5))
    grad = dice_loss_grad(truth, pred, smooth=smooth, squared=squared)
    numeric = np.zeros_like(pred)
    h = 1e-6
    for idx in np.ndindex(pred.shape):
        up, down = pred.copy(), pred.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (
            dice_loss(truth, up, smooth=smooth, squared=squared)
            - dice_loss(truth, down, smooth=smooth, squared=squared)
        ) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("squared", [False, True])
def test_gradient_matches_torch_autograd(squared):
    torch = pytest.importorskip("torch", reason="PyTorch is the autograd reference")
    rng = np.random.default_rng(1)
    truth = (rng.random((2, 8, 8)) < 0.2).astype(float)
    pred = rng.random((2, 8, 8))
    p = torch.tensor(pred, requires_grad=True)
    t = torch.tensor(truth)
    dims = (1, 2)
    inter = (t * p).sum(dims)
    denom = (t**2).sum(dims) + (p**2).sum(dims) if squared else t.sum(dims) + p.sum(dims)
    loss = 1 - ((2 * inter + 1.0) / (denom + 1.0)).mean()
    loss.backward()
    assert dice_loss(truth, pred, squared=squared) == pytest.approx(loss.item())
    np.testing.assert_allclose(dice_loss_grad(truth, pred, squared=squared), p.grad.numpy())


def test_tiny_objects_get_large_gradients():
    # Same prediction error per pixel, but the small object's Dice reacts far more strongly.
    small, large = np.zeros((1, 100)), np.zeros((1, 100))
    small[0, :2], large[0, :50] = 1, 1
    g_small = np.abs(dice_loss_grad(small, 0.5 * small, smooth=0)).max()
    g_large = np.abs(dice_loss_grad(large, 0.5 * large, smooth=0)).max()
    assert g_small == pytest.approx(25 * g_large)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error", "match"),
    [
        (np.zeros((2, 3)), np.zeros((2, 4)), ValueError, "shape"),
        (np.zeros(3), np.zeros(3), ValueError, r"mask\[None\]"),
        (np.zeros((0, 3)), np.zeros((0, 3)), ValueError, "N >= 1"),
        (np.array([[0.0, 1.5]]), np.zeros((1, 2)), ValueError, "y_true"),
        (np.zeros((1, 2)), np.array([[-0.1, 0.5]]), ValueError, "y_pred"),
        (np.zeros((1, 2)), np.array([[np.nan, 0.5]]), ValueError, "y_pred"),
        (np.array([["a", "b"]]), np.zeros((1, 2)), TypeError, "y_true"),
        (np.zeros((1, 2)), np.array([[None, 1]], dtype=object), TypeError, "y_pred"),
    ],
)
def test_bad_input(y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        dice_coefficient(y_true, y_pred)
    with pytest.raises(error, match=match):
        dice_loss_grad(y_true, y_pred)


@pytest.mark.parametrize("smooth", [-1.0, np.nan, np.inf])
def test_bad_smooth(smooth):
    with pytest.raises(ValueError, match="smooth"):
        dice_coefficient(np.zeros((1, 2)), np.zeros((1, 2)), smooth=smooth)


def test_non_numeric_smooth():
    with pytest.raises(TypeError, match="smooth"):
        dice_coefficient(np.zeros((1, 2)), np.zeros((1, 2)), smooth="1")
