"""Cross-correlation against loops and PyTorch conv2d; locating a template cut from the image."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tracking.siamese import (
    cross_correlation,
    locate,
    normalized_cross_correlation,
    plot_response_maps,
)


def xcorr_loops(z, x) -> np.ndarray:
    _, h, w = z.shape
    out = np.zeros((x.shape[1] - h + 1, x.shape[2] - w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[:, i : i + h, j : j + w] * z)
    return out


def ncc_loops(z, x) -> np.ndarray:
    _, h, w = z.shape
    out = np.zeros((x.shape[1] - h + 1, x.shape[2] - w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            win = x[:, i : i + h, j : j + w].ravel()
            if win.std() > 1e-9:
                out[i, j] = np.corrcoef(win, z.ravel())[0, 1]
    return out


def test_hand_case():
    x = np.array([[[1.0, 2, 0], [0, 1, 3], [2, 0, 1]]])
    z = np.array([[[1.0, 0], [0, 1]]])  # sums the two diagonal entries of each 2 x 2 window
    np.testing.assert_allclose(cross_correlation(z, x), [[2, 5], [0, 2]])


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(0, 4),
    st.integers(0, 4),
    st.integers(0, 99),
)
def test_matches_loops(c, h, w, extra_h, extra_w, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(c, h, w))
    x = rng.normal(size=(c, h + extra_h, w + extra_w))
    np.testing.assert_allclose(cross_correlation(z, x), xcorr_loops(z, x), atol=1e-10)
    np.testing.assert_allclose(normalized_cross_correlation(z, x), ncc_loops(z, x), atol=1e-9)


def test_matches_torch_conv2d():
    torch = pytest.importorskip("torch", reason="PyTorch not installed")
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 5, 6))
    x = rng.normal(size=(4, 17, 15))
    # conv2d in deep-learning frameworks is cross-correlation: SiamFC uses the template as kernel.
    ref = torch.nn.functional.conv2d(torch.from_numpy(x)[None], torch.from_numpy(z)[None])[0, 0]
    np.testing.assert_allclose(cross_correlation(z, x), ref.numpy(), atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10), st.integers(0, 12), st.integers(0, 999))
def test_ncc_finds_the_template_where_it_was_cut(row, col, seed):
    x = np.random.default_rng(seed).normal(size=(2, 16, 18))
    z = x[:, row : row + 6, col : col + 6]
    ncc = normalized_cross_correlation(z, x)
    assert locate(ncc) == (row, col)
    assert ncc[row, col] == pytest.approx(1.0)
    # Pearson correlation ignores brightness and contrast changes of the search image.
    np.testing.assert_allclose(normalized_cross_correlation(z, 3 * x + 7), ncc, atol=1e-9)


def test_raw_correlation_is_fooled_by_a_bright_region():
    rng = np.random.default_rng(5)
    x = rng.normal(0, 0.3, (1, 30, 30))
    x[0, 20:28, 0:8] += 3.0
    z = x[:, 5:11, 15:21].copy()
    z -= z.min() - 0.1  # a template with positive pixels
    assert locate(cross_correlation(z, x)) != (5, 15)


def test_float32_images_are_correlated_in_float64():
    x = np.random.default_rng(0).normal(size=(2, 9, 9)).astype(np.float32)
    z = x[:, 2:6, 3:7].copy()
    ncc64 = normalized_cross_correlation(z.astype(np.float64), x.astype(np.float64))
    np.testing.assert_array_equal(normalized_cross_correlation(z, x), ncc64)


def test_template_as_large_as_the_search_gives_one_response():
    x = np.random.default_rng(1).normal(size=(2, 4, 5))
    response = cross_correlation(x, x)
    assert response.shape == (1, 1)
    assert locate(response) == (0, 0)


@pytest.mark.parametrize(
    ("z", "x", "match"),
    [
        (
            np.zeros((2, 2)),
            np.zeros((1, 4, 4)),
            r"^template and search must have shape \(C, h, w\) and \(C, H, W\), ",
        ),
        (np.zeros((2, 1, 1)), np.zeros((3, 4, 4)), "need equal channels, got 2, 3$"),
        (np.zeros((1, 5, 2)), np.zeros((1, 4, 4)), "^template must not be larger than search$"),
        (np.zeros((1, 2, 5)), np.zeros((1, 4, 4)), "^template must not be larger than search$"),
        (np.zeros((1, 2, 2)), np.full((1, 4, 4), np.nan), "^template and search must be finite$"),
    ],
)
def test_bad_input(z, x, match):
    for fn in (cross_correlation, normalized_cross_correlation):
        with pytest.raises(ValueError, match=match):
            fn(z, x)
    with pytest.raises(ValueError, match="response"):
        locate(np.zeros(3))


def test_plot_returns_figure():
    import matplotlib.pyplot as plt

    fig = plot_response_maps()
    assert len(fig.axes) == 3
    plt.close(fig)
