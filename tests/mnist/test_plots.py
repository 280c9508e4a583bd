"""Confusion matrix against scikit-learn; the figures show what they claim to show."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from mnist.plots import confusion_matrix, plot_digits, plot_history
from sklearn.metrics import confusion_matrix as sk_confusion_matrix


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=60))
def test_confusion_matrix_matches_sklearn(pairs):
    y_true = np.array([t for t, _ in pairs], dtype=np.int64)
    y_pred = np.array([p for _, p in pairs], dtype=np.int64)
    got = confusion_matrix(y_true, y_pred)
    assert got.shape == (10, 10)
    assert got.sum() == len(pairs)
    if pairs:
        np.testing.assert_array_equal(got, sk_confusion_matrix(y_true, y_pred, labels=range(10)))


def test_confusion_matrix_bad_input():
    with pytest.raises(ValueError, match="y_true and y_pred"):
        confusion_matrix(np.array([1, 2]), np.array([1]))
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.9$"):
        confusion_matrix(np.array([1, 10]), np.array([1, 2]))
    with pytest.raises(ValueError, match="labels"):
        confusion_matrix(np.array([-1]), np.array([1]))


def test_plot_digits_places_every_digit_and_title():
    images = np.zeros((13, 28, 28), dtype=np.uint8)
    images[:, 5, 5] = np.arange(13) + 1  # one marked pixel per digit
    labels = np.arange(13) % 10
    fig = plot_digits(images, labels, predicted=(labels + 1) % 10, ncols=5)
    assert isinstance(fig, Figure)
    [ax] = fig.axes
    assert [t.get_text() for t in ax.texts] == [f"{d}→{(d + 1) % 10}" for d in labels]
    mosaic = ax.images[0].get_array()
    assert mosaic.shape[1] == 5 * 30  # five tiles of 28 + 2 pixels per row
    # every digit's marked pixel appears exactly once in the mosaic
    marks = np.sort(mosaic[mosaic > 0])
    np.testing.assert_array_equal(marks, np.arange(13) + 1)
    fig_plain = plot_digits(images[:3], labels[:3])
    assert [t.get_text() for t in fig_plain.axes[0].texts] == ["0", "1", "2"]


def test_plot_history_draws_both_curves():
    fig = plot_history([1.0, 0.5, 0.25], [0.8, 0.85, 0.9])
    left, right = fig.axes
    np.testing.assert_allclose(left.lines[0].get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_allclose(right.lines[0].get_ydata(), [0.8, 0.85, 0.9])


def test_plot_bad_input():
    with pytest.raises(ValueError, match="images"):
        plot_digits(np.zeros((2, 28, 28)), np.zeros(3))
    with pytest.raises(ValueError, match="predicted"):
        plot_digits(np.zeros((2, 28, 28)), np.zeros(2), np.zeros(1))
    with pytest.raises(ValueError, match="train_loss"):
        plot_history([], [])
