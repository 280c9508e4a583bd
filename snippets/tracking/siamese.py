"""SiamFC-style cross-correlation of a template over a search region, in numpy."""

# --8<-- [start:imports]
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# --8<-- [end:imports]


# --8<-- [start:check]
def _check(template: np.ndarray, search: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    template = np.asarray(template, dtype=np.float64)
    search = np.asarray(search, dtype=np.float64)
    if template.ndim != 3 or search.ndim != 3:
        raise ValueError(
            "template and search must have shape (C, h, w) and (C, H, W), "
            f"got {template.shape}, {search.shape}"
        )
    if template.shape[0] != search.shape[0]:
        raise ValueError(
            f"template and search need equal channels, got {template.shape[0]}, {search.shape[0]}"
        )
    if template.shape[1] > search.shape[1] or template.shape[2] > search.shape[2]:
        raise ValueError("template must not be larger than search")
    if not (np.isfinite(template).all() and np.isfinite(search).all()):
        raise ValueError("template and search must be finite")
    return template, search


# --8<-- [end:check]


# --8<-- [start:xcorr]
def cross_correlation(template: np.ndarray, search: np.ndarray) -> np.ndarray:
    """Response map f(z, x) = z ⋆ x: template (C, h, w) slid over search (C, H, W), valid only."""
    z, x = _check(template, search)
    _, h, w = z.shape
    windows = sliding_window_view(x, (h, w), axis=(1, 2))  # (C, H-h+1, W-w+1, h, w), no copy
    return np.einsum("cijkl,ckl->ij", windows, z)  # dot product of the template with each window


# --8<-- [end:xcorr]


# --8<-- [start:ncc]
def normalized_cross_correlation(template: np.ndarray, search: np.ndarray) -> np.ndarray:
    """Pearson correlation of the template with each window, in [-1, 1] (0 for flat windows)."""
    z, x = _check(template, search)
    _, h, w = z.shape
    windows = sliding_window_view(x, (h, w), axis=(1, 2))
    zc = z - z.mean()
    wc = windows - windows.mean(axis=(0, 3, 4), keepdims=True)
    num = np.einsum("cijkl,ckl->ij", wc, zc)
    den = np.sqrt(np.einsum("cijkl,cijkl->ij", wc, wc) * np.sum(zc * zc))
    return np.divide(num, den, out=np.zeros_like(num), where=den > 1e-12)


# --8<-- [end:ncc]


# --8<-- [start:locate]
def locate(response: np.ndarray) -> tuple[int, int]:
    """(row, column) of the response peak = top-left corner of the best-matching window."""
    response = np.asarray(response)
    if response.ndim != 2 or response.size == 0:
        raise ValueError(f"response must be a non-empty 2-D map, got shape {response.shape}")
    row, col = np.unravel_index(np.argmax(response), response.shape)
    return int(row), int(col)


# --8<-- [end:locate]


# --8<-- [start:plot]
def plot_response_maps(seed: int = 0):
    """A search image with a bright blob, and the raw vs normalised correlation maps."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    search = rng.normal(0, 0.3, (1, 40, 40))
    search[0, 8:16, 20:28] += 1.0  # the target: a textured patch at row 8, column 20
    search[0, 25:35, 2:12] += 3.0  # a brighter, flat distractor
    template = search[:, 8:16, 20:28].copy()
    raw = cross_correlation(template, search)
    ncc = normalized_cross_correlation(template, search)
    fig, axes = plt.subplots(1, 3, figsize=(8.4, 3))
    titles = ["search image (target box)", "raw cross-correlation", "normalised (NCC)"]
    for ax, img, title in zip(axes, [search[0], raw, ncc], titles, strict=True):
        ax.imshow(img, cmap="viridis")
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].add_patch(
        plt.Rectangle((19.5, 7.5), 8, 8, fill=False, edgecolor="tab:red", linewidth=1.5)
    )
    for ax, resp in ((axes[1], raw), (axes[2], ncc)):
        r, c = locate(resp)
        ax.plot(c, r, "x", color="tab:red", markersize=9, markeredgewidth=2)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 20, 24))
    z = x[:, 5:11, 9:17].copy()  # template cut out at row 5, column 9
    response = cross_correlation(z, x)
    assert response.shape == (20 - 6 + 1, 24 - 8 + 1)
    assert np.isclose(response[5, 9], np.sum(z * z))
    assert locate(normalized_cross_correlation(z, x)) == (5, 9)
    print("peak at", locate(response), "NCC peak at", locate(normalized_cross_correlation(z, x)))
