"""Time the vectorised `nms` against the classic pixel-convention loop `nms_pixel`.

10,000 boxes clustered around 300 objects in a 1280 x 720 image (seeded), with inclusive
integer pixel coordinates for `nms_pixel` and the same boxes as continuous coordinates
(x2 + 1, y2 + 1) for `nms`, so that both must keep exactly the same boxes.
Prints one JSON line.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "snippets"))
from detection.nms import nms, nms_pixel

N_BOXES, N_OBJECTS, IOU_THRESHOLD, REPEATS = 10_000, 300, 0.5, 3
WIDTH, HEIGHT = 1280, 720


def clustered_dets(rng: np.random.Generator) -> np.ndarray:
    """Rows (x1, y1, x2, y2, score): jittered copies of random object boxes, pixel indices."""
    centre = rng.uniform([0, 0], [WIDTH, HEIGHT], size=(N_OBJECTS, 2))
    size = np.exp(rng.uniform(np.log(16), np.log(300), size=(N_OBJECTS, 2)))
    owner = rng.integers(0, N_OBJECTS, size=N_BOXES)
    # Each proposal: the object's box, moved and rescaled by up to ~20 %.
    c = centre[owner] + rng.normal(0, 0.1, size=(N_BOXES, 2)) * size[owner]
    s = size[owner] * np.exp(rng.normal(0, 0.15, size=(N_BOXES, 2)))
    x1y1 = np.clip(np.round(c - s / 2), 0, [WIDTH - 1, HEIGHT - 1])
    x2y2 = np.clip(np.round(c + s / 2), x1y1, [WIDTH - 1, HEIGHT - 1])
    scores = rng.uniform(0.05, 1.0, size=N_BOXES)
    return np.column_stack([x1y1, x2y2, scores])


def best_time(fn, *args) -> tuple[float, np.ndarray]:
    """Fastest of REPEATS runs, in seconds, and the last result."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    dets = clustered_dets(np.random.default_rng(0))
    boxes = dets[:, :4] + [0, 0, 1, 1]  # inclusive pixel indices -> continuous corners
    scores = dets[:, 4]
    t_nms, kept = best_time(nms, boxes, scores, IOU_THRESHOLD)
    t_pixel, kept_pixel = best_time(nms_pixel, dets, IOU_THRESHOLD)
    assert set(kept.tolist()) == set(kept_pixel.tolist())
    result = {
        "n_boxes": N_BOXES,
        "n_objects": N_OBJECTS,
        "iou_threshold": IOU_THRESHOLD,
        "kept": len(kept),
        "same_kept_set": True,
        "nms_seconds": round(t_nms, 4),
        "nms_pixel_seconds": round(t_pixel, 4),
        "repeats": REPEATS,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
