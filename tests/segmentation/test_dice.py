"""Dice against hand cases, scikit-learn's F1 and Jaccard, and autograd / finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from segmentation.dice import dice_coefficient, dice_loss, dice_loss_grad, dice_loss_whiteboard
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


def test_global_by_default_per_sample_when_asked():
    truth = np.array([[[1, 1], [0, 0]], [[1, 0], [0, 0]]])  # (N=2, 2, 2)
    pred = np.array([[[1, 1], [0, 0]], [[0, 1], [0, 0]]])
    # Default: all 8 pixels form one set, 2 * 2 / (3 + 3) = 2/3 (a "batch Dice").
    assert dice_coefficient(truth, pred, smooth=0) == pytest.approx(2 / 3)
    # Per sample: sample 0 is perfect (Dice 1), sample 1 misses completely (Dice 0).
    assert dice_coefficient(truth, pred, smooth=0, sample_axis=0) == pytest.approx(0.5)
    assert dice_coefficient(truth, pred, smooth=0, sample_axis=-3) == pytest.approx(0.5)


def test_a_2d_mask_is_one_set_of_pixels():
    # One (H, W) mask each: the obvious call gives the Dice of the two pixel sets, not the mean
    # of the H per-row Dice values.
    truth = np.array([[1, 1, 0], [0, 0, 0], [0, 1, 1]])
    pred = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 1]])
    # 3 common pixels, 4 + 4 foreground pixels: 6 / 8.
    assert dice_coefficient(truth, pred, smooth=0) == pytest.approx(6 / 8)
    assert dice_coefficient(truth, pred, smooth=0) == pytest.approx(
        f1_score(truth.ravel(), pred.ravel())
    )
    # Rows as samples only when asked for: (2/3 + 0 + 1) / 3.
    assert dice_coefficient(truth, pred, smooth=0, sample_axis=0) == pytest.approx(5 / 9)


def one_hot(labels: np.ndarray, n_classes: int, axis: int = 1) -> np.ndarray:
    """(N, H, W) class indices -> one-hot with the class axis inserted at axis."""
    return np.moveaxis(np.eye(n_classes)[labels], -1, axis)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_per_class_dice_is_sklearn_macro_f1(n, n_classes, seed):
    rng = np.random.default_rng(seed)
    lab_t, lab_p = rng.integers(0, n_classes, (2, n, 4, 5))
    t, p = one_hot(lab_t, n_classes), one_hot(lab_p, n_classes)
    kw = {"smooth": 0, "class_axis": 1}

    def macro_f1(a, b, labels):
        return f1_score(a.ravel(), b.ravel(), labels=labels, average="macro", zero_division=1.0)

    classes, foreground = list(range(n_classes)), list(range(1, n_classes))
    # Each class pooled over the batch, then the mean over classes (with or without class 0).
    assert dice_coefficient(t, p, **kw) == pytest.approx(macro_f1(lab_t, lab_p, classes))
    assert dice_coefficient(t, p, include_background=False, **kw) == pytest.approx(
        macro_f1(lab_t, lab_p, foreground)
    )
    # One Dice per (sample, class) pair, as MONAI's DiceMetric, then the mean of all pairs.
    per_sample = [macro_f1(a, b, foreground) for a, b in zip(lab_t, lab_p, strict=True)]
    both = dice_coefficient(t, p, sample_axis=0, include_background=False, **kw)
    assert both == pytest.approx(np.mean(per_sample))
    # Channels last (N, H, W, C) with class_axis=-1: the same numbers.
    t_last, p_last = one_hot(lab_t, n_classes, -1), one_hot(lab_p, n_classes, -1)
    kw_last = {"smooth": 0, "sample_axis": 0, "class_axis": -1, "include_background": False}
    assert dice_coefficient(t_last, p_last, **kw_last) == pytest.approx(both)


def test_both_masks_empty():
    empty = np.zeros((2, 3, 3))
    assert dice_coefficient(empty, empty, smooth=1) == 1.0
    assert dice_coefficient(empty, empty, smooth=1e-6) == 1.0
    assert dice_coefficient(empty, empty, smooth=0) == 1.0  # defined as the smooth -> 0+ limit
    assert dice_loss(empty, empty, smooth=0) == 0.0
    with pytest.raises(ValueError, match=r"^gradient undefined"):
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
    kw = {"smooth": 0, "sample_axis": 0}
    assert dice_coefficient(truth, pred, **kw) == pytest.approx(f1)
    if truth.shape[1] > 1:  # sklearn reads one column as a binary target, not multilabel
        samples = f1_score(truth, pred, average="samples", zero_division=1.0)  # rows: samples
        assert dice_coefficient(truth, pred, **kw) == pytest.approx(samples)
    # On binary masks t**2 = t, so the squared denominator changes nothing.
    assert dice_coefficient(truth, pred, squared=True, **kw) == pytest.approx(f1)
    # Default: one set of all elements.
    pooled = f1_score(truth.ravel(), pred.ravel(), zero_division=1.0)
    assert dice_coefficient(truth, pred, smooth=0) == pytest.approx(pooled)


@settings(max_examples=50, deadline=None)
@given(binary_batches)
def test_dice_from_iou_per_sample(case):
    truth, pred = random_masks(*case)
    for t, p in zip(truth, pred, strict=True):
        iou = jaccard_score(t, p, zero_division=1.0)
        dice = dice_coefficient(t, p, smooth=0)
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


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(2, 4),
    st.integers(0, 2**32 - 1),
    st.sampled_from([1e-3, 1.0]),
)
def test_whiteboard_is_per_sample_per_class_without_background(n, c, seed, smooth):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, c, size=(n, 5, 6))
    onehot = (labels[:, None] == np.arange(c)[None, :, None, None]).astype(float)
    logits = rng.normal(size=(n, c, 5, 6))
    prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # softmax over classes
    per_class = {"sample_axis": 0, "class_axis": 1, "include_background": False}
    expected = dice_loss(onehot, prob, smooth=smooth, **per_class)
    assert dice_loss_whiteboard(onehot, prob, s=smooth) == pytest.approx(expected, rel=1e-12)
    default = dice_loss(onehot, prob, **per_class)  # the same default smooth
    assert dice_loss_whiteboard(onehot, prob) == pytest.approx(default, rel=1e-12)


GROUPINGS = [
    {},
    {"sample_axis": 0},
    {"class_axis": 1, "include_background": False},
    {"sample_axis": 0, "class_axis": -1},
]


@pytest.mark.parametrize("grouping", GROUPINGS)
@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("smooth", [0.0, 1.0])
def test_gradient_matches_finite_differences(grouping, squared, smooth):
    rng = np.random.default_rng(0)
    truth = (rng.random((3, 4, 5)) < 0.3).astype(float)
    pred = rng.uniform(0.05, 0.95, (3, 4, 5))
    options = {"smooth": smooth, "squared": squared, **grouping}
    grad = dice_loss_grad(truth, pred, **options)
    numeric = np.zeros_like(pred)
    h = 1e-6
    for idx in np.ndindex(pred.shape):
        up, down = pred.copy(), pred.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (dice_loss(truth, up, **options) - dice_loss(truth, down, **options)) / (
            2 * h
        )
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)
    if grouping.get("include_background") is False:
        assert not grad[:, 0].any()  # class 0 does not enter the loss


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
    kw = {"squared": squared, "sample_axis": 0}
    assert dice_loss(truth, pred, **kw) == pytest.approx(loss.item())
    np.testing.assert_allclose(dice_loss_grad(truth, pred, **kw), p.grad.numpy())


def test_one_hot_gradient_matches_torch_autograd():
    torch = pytest.importorskip("torch", reason="PyTorch is the autograd reference")
    rng = np.random.default_rng(2)
    truth = one_hot(rng.integers(0, 3, (2, 6, 6)), 3)  # (N, C, H, W)
    pred = rng.dirichlet(np.ones(3), (2, 6, 6)).transpose(0, 3, 1, 2)  # softmax-like
    p = torch.tensor(pred, requires_grad=True)
    t = torch.tensor(truth)
    # MONAI-style: one Dice per (sample, class) over H, W; background (class 0) left out.
    inter = (t * p).sum((2, 3))[:, 1:]
    denom = (t.sum((2, 3)) + p.sum((2, 3)))[:, 1:]
    loss = 1 - ((2 * inter + 1.0) / (denom + 1.0)).mean()
    loss.backward()
    kw = {"sample_axis": 0, "class_axis": 1, "include_background": False}
    assert dice_loss(truth, pred, **kw) == pytest.approx(loss.item())
    np.testing.assert_allclose(dice_loss_grad(truth, pred, **kw), p.grad.numpy())


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
        (np.zeros((2, 3)), np.zeros((2, 4)), ValueError, r"y_true \(2, 3\) and y_pred \(2, 4\)"),
        (np.zeros((0, 3)), np.zeros((0, 3)), ValueError, "empty"),
        (np.array([[0.0, 1.5]]), np.zeros((1, 2)), ValueError, "^y_true must hold values"),
        (np.zeros((1, 2)), np.array([[-0.1, 0.5]]), ValueError, "^y_pred must hold values"),
        (np.zeros((1, 2)), np.array([[np.nan, 0.5]]), ValueError, "^y_pred must hold values"),
        (np.array([["a", "b"]]), np.zeros((1, 2)), TypeError, "^y_true must be a numeric"),
        (np.zeros((1, 2)), np.array([[None, 1]], dtype=object), TypeError, "^y_pred must be"),
    ],
)
def test_bad_input(y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        dice_coefficient(y_true, y_pred)
    with pytest.raises(error, match=match):
        dice_loss_grad(y_true, y_pred)


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"sample_axis": 2}, ValueError, r"^sample_axis=2 is out of range .* \(1, 2\)"),
        ({"class_axis": -3}, ValueError, "^class_axis=-3 is out of range"),
        ({"sample_axis": 0, "class_axis": -2}, ValueError, "differ, both are 0"),
        ({"include_background": False}, ValueError, "^include_background=False needs"),
        ({"class_axis": 0, "include_background": False}, ValueError, "at least 2 classes"),
        ({"sample_axis": 1.0}, TypeError, "^sample_axis must be an int or None, got float"),
        ({"class_axis": True}, TypeError, "^class_axis must be an int or None, got bool"),
        ({"class_axis": 1, "include_background": "no"}, TypeError, "include_background"),
    ],
)
def test_bad_axes(options, error, match):
    masks = np.zeros((1, 2)), np.zeros((1, 2))
    with pytest.raises(error, match=match):
        dice_coefficient(*masks, **options)
    with pytest.raises(error, match=match):
        dice_loss_grad(*masks, **options)


@pytest.mark.parametrize("smooth", [-1.0, np.nan, np.inf])
def test_bad_smooth(smooth):
    with pytest.raises(ValueError, match="smooth"):
        dice_coefficient(np.zeros((1, 2)), np.zeros((1, 2)), smooth=smooth)


def test_non_numeric_smooth():
    with pytest.raises(TypeError, match="smooth must be a real number, got str"):
        dice_coefficient(np.zeros((1, 2)), np.zeros((1, 2)), smooth="1")
