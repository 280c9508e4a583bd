"""RoI Pooling (quantised, Fast R-CNN) and RoI Align (bilinear, Mask R-CNN) for one RoI in numpy.

Conventions follow torchvision.ops.roi_pool / roi_align: feature (C, H, W), box (x1, y1, x2, y2)
in image coordinates, spatial_scale maps them onto the feature map.
"""

# --8<-- [start:imports]
import math

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _check(feature: np.ndarray, box: np.ndarray, output_size: tuple[int, int]):
    feature = np.asarray(feature, dtype=np.float64)
    box = np.asarray(box, dtype=np.float64)
    if feature.ndim != 3:
        raise ValueError(f"feature must have shape (C, H, W), got {feature.shape}")
    if box.shape != (4,) or not np.isfinite(box).all():
        raise ValueError(f"box must be 4 finite numbers (x1, y1, x2, y2), got {box}")
    if len(output_size) != 2 or not all(isinstance(v, int) and v > 0 for v in output_size):
        raise ValueError(f"output_size must be two positive ints, got {output_size}")
    return feature, box


# --8<-- [end:check]


# --8<-- [start:bilinear]
def bilinear(feature: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """feature (C, H, W) sampled at real points (y, x) -> (C, *y.shape); 0 far outside."""
    _, height, width = feature.shape
    outside = (y < -1.0) | (y > height) | (x < -1.0) | (x > width)
    y = np.clip(y, 0, height - 1)  # within one pixel of the border: use the edge value
    x = np.clip(x, 0, width - 1)
    y0 = np.floor(y).astype(int)
    x0 = np.floor(x).astype(int)
    y1 = np.minimum(y0 + 1, height - 1)
    x1 = np.minimum(x0 + 1, width - 1)
    ly, lx = y - y0, x - x0  # weights of the far neighbours
    value = (
        feature[:, y0, x0] * (1 - ly) * (1 - lx)
        + feature[:, y0, x1] * (1 - ly) * lx
        + feature[:, y1, x0] * ly * (1 - lx)
        + feature[:, y1, x1] * ly * lx
    )
    return np.where(outside, 0.0, value)


# --8<-- [end:bilinear]


# --8<-- [start:roi_align]
def roi_align(
    feature: np.ndarray,
    box: np.ndarray,
    output_size: tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = True,
) -> np.ndarray:
    """RoI Align: mean of n_h x n_w bilinear samples per bin; never rounds the box."""
    feature, box = _check(feature, box, output_size)
    if not isinstance(sampling_ratio, int) or isinstance(sampling_ratio, bool):
        raise ValueError(f"sampling_ratio must be an int, got {sampling_ratio!r}")
    ph, pw = output_size
    offset = 0.5 if aligned else 0.0  # aligned: pixel i covers [i - 0.5, i + 0.5)
    x1, y1, x2, y2 = box * spatial_scale - offset
    roi_w, roi_h = x2 - x1, y2 - y1
    if not aligned:  # the original Mask R-CNN code forced RoIs to be at least 1 x 1
        roi_w, roi_h = max(roi_w, 1.0), max(roi_h, 1.0)
    bin_w, bin_h = roi_w / pw, roi_h / ph
    # sampling_ratio <= 0: adaptive, ceil(bin size) samples per axis, as in torchvision.
    # An empty or inverted RoI (possible with aligned=True) then has no samples: output 0.
    gh = sampling_ratio if sampling_ratio > 0 else math.ceil(bin_h)
    gw = sampling_ratio if sampling_ratio > 0 else math.ceil(bin_w)
    if gh <= 0 or gw <= 0:
        return np.zeros((feature.shape[0], ph, pw))
    # Sample points: bin i, sample k at y1 + i * bin_h + (k + 0.5) * bin_h / gh.
    ys = y1 + (np.arange(ph)[:, None] + (np.arange(gh)[None, :] + 0.5) / gh) * bin_h  # (ph, gh)
    xs = x1 + (np.arange(pw)[:, None] + (np.arange(gw)[None, :] + 0.5) / gw) * bin_w  # (pw, gw)
    yy = ys[:, :, None, None]
    xx = xs[None, None, :, :]
    yy, xx = np.broadcast_arrays(yy, xx)  # (ph, gh, pw, gw)
    samples = bilinear(feature, yy, xx)  # (C, ph, gh, pw, gw)
    return samples.mean(axis=(2, 4))


# --8<-- [end:roi_align]


# --8<-- [start:roi_pool]
def roi_pool(
    feature: np.ndarray, box: np.ndarray, output_size: tuple[int, int], spatial_scale: float = 1.0
) -> np.ndarray:
    """RoI Pooling (Fast R-CNN): round the box, split into bins with floor/ceil, max per bin."""
    feature, box = _check(feature, box, output_size)
    channels, height, width = feature.shape
    ph, pw = output_size
    # Quantisation 1: the RoI's corners are rounded to whole feature cells.
    # Rounded half away from zero like C's round() in torchvision (np.round would go to even).
    scaled = box * spatial_scale
    x1, y1, x2, y2 = (np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)).astype(int)
    roi_w, roi_h = max(x2 - x1 + 1, 1), max(y2 - y1 + 1, 1)
    bin_w, bin_h = roi_w / pw, roi_h / ph
    out = np.zeros((channels, ph, pw))
    # A loop over the ph * pw output bins (not over data points): each bin is a max over a slice.
    for i in range(ph):
        # Quantisation 2: each bin's edges are floored / ceiled to whole cells.
        hs = min(max(math.floor(i * bin_h) + y1, 0), height)
        he = min(max(math.ceil((i + 1) * bin_h) + y1, 0), height)
        for j in range(pw):
            ws = min(max(math.floor(j * bin_w) + x1, 0), width)
            we = min(max(math.ceil((j + 1) * bin_w) + x1, 0), width)
            if he > hs and we > ws:  # an empty bin (outside the map) outputs 0
                out[:, i, j] = feature[:, hs:he, ws:we].max(axis=(1, 2))
    return out


# --8<-- [end:roi_pool]


if __name__ == "__main__":
    fmap = np.arange(64, dtype=float).reshape(1, 8, 8)  # value = 8 * row + column
    pooled = roi_pool(fmap, np.array([0, 0, 3, 3]), (2, 2))
    assert pooled[0].tolist() == [[9, 11], [25, 27]]  # max of each 2 x 2 quarter of rows/cols 0..3
    # A linear feature map: RoI Align returns the exact value at every bin centre.
    aligned = roi_align(fmap, np.array([1.0, 1.0, 5.0, 3.0]), (2, 2))
    centres_y, centres_x = np.array([1.0, 2.0]), np.array([1.5, 3.5])  # aligned: box - 0.5
    assert np.allclose(aligned[0], 8 * centres_y[:, None] + centres_x[None, :])
    print(pooled[0], aligned[0], sep="\n")
