"""AP as docs/detection/metrics.md states it, evaluated term by term on distinct scores:
P_k = TP_k / k, R_k = TP_k / G, p_interp(r) = max over R_k >= r of P_k (0 if none),
AP_all-point = sum_k (R_k - R_{k-1}) p_interp(R_k), and the step sum with P_k in its place.

Only pr_points, ap_all_point and ap_step are used, on scores without ties."""

import numpy as np
import pytest
from detection.metrics import ap_all_point, ap_step, pr_points


def closed_form(is_tp_sorted, num_gt):
    """The page's four steps, written out with plain loops over the ranked detections."""
    tp = 0
    recall, precision = [], []
    for k, hit in enumerate(is_tp_sorted, start=1):
        tp += hit
        precision.append(tp / k)
        recall.append(tp / num_gt)

    def p_interp(r):
        return max((p for p, rk in zip(precision, recall, strict=True) if rk >= r), default=0.0)

    previous = [0.0, *recall[:-1]]
    all_point = sum((r - r0) * p_interp(r) for r, r0 in zip(recall, previous, strict=True))
    step = sum((r - r0) * p for r, r0, p in zip(recall, previous, precision, strict=True))
    return recall, precision, all_point, step


@pytest.mark.parametrize("seed", range(30))
def test_ap_is_the_page_closed_form(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 15))
    scores = rng.permutation(n) + rng.uniform(0, 0.5, size=n)  # distinct
    is_tp = rng.integers(0, 2, size=n)
    num_gt = int(is_tp.sum() + rng.integers(0, 3)) or 1  # some ground truth never detected
    recall, precision, all_point, step = closed_form(is_tp[np.argsort(-scores)], num_gt)
    rec, prec = pr_points(scores, is_tp, num_gt)
    np.testing.assert_allclose(rec, recall, rtol=1e-12)
    np.testing.assert_allclose(prec, precision, rtol=1e-12)
    assert ap_all_point(rec, prec) == pytest.approx(all_point, rel=1e-12, abs=1e-15)
    assert ap_step(rec, prec) == pytest.approx(step, rel=1e-12, abs=1e-15)
    assert ap_all_point(rec, prec) >= ap_step(rec, prec) - 1e-12


def test_the_worked_example():
    # The page's table: TP FP FP TP TP with G = 4 -> all-point 0.55, step sum 0.525.
    _, _, all_point, step = closed_form([1, 0, 0, 1, 1], 4)
    assert (all_point, step) == (pytest.approx(0.55), pytest.approx(0.525))
    rec, prec = pr_points(np.array([0.9, 0.8, 0.7, 0.6, 0.5]), np.array([1, 0, 0, 1, 1]), 4)
    assert ap_all_point(rec, prec) == pytest.approx(0.55)
