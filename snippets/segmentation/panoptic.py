"""Panoptic quality PQ = SQ x RQ (Kirillov et al. 2019) on segment-id maps, in numpy.

A panoptic map gives every pixel a segment id; a dict maps each segment id to its category.
Segment id `void_id` (default 0) is unlabelled: in the ground truth those pixels are void,
in the prediction they belong to no segment. The rules for void and crowd follow the COCO
panoptic evaluation (panopticapi's pq_compute).
"""

# --8<-- [start:imports]
from collections import Counter

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def panoptic_quality_whiteboard(pred, gt, pred_cat, gt_cat):
    """PQ（不处理 void 和 crowd）：同类片段 IoU > 0.5 即匹配，返回各类别 PQ 的平均值。"""
    iou_sum, tp, fp, fn = Counter(), Counter(), Counter(), Counter()
    matched_pred = set()
    for g in np.unique(gt):
        for p in np.unique(pred[gt == g]):  # 只有和 g 有交集的预测片段才可能匹配
            if pred_cat[p] != gt_cat[g]:
                continue
            inter = np.sum((gt == g) & (pred == p))
            iou = inter / np.sum((gt == g) | (pred == p))
            if iou > 0.5:  # IoU > 0.5 的匹配必然唯一
                iou_sum[gt_cat[g]] += iou
                tp[gt_cat[g]] += 1
                matched_pred.add(p)
                break
        else:
            fn[gt_cat[g]] += 1
    for p in np.unique(pred):
        if p not in matched_pred:
            fp[pred_cat[p]] += 1
    cats = set(tp) | set(fp) | set(fn)
    return np.mean([iou_sum[c] / (tp[c] + fp[c] / 2 + fn[c] / 2) for c in cats])


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _check_map(a, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D map of segment ids, got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"{name} must hold integer segment ids, got dtype {a.dtype}")
    return a.astype(np.int64)


def _check_categories(ids: np.ndarray, categories, name: str, void_id: int) -> None:
    if not isinstance(categories, dict):
        raise TypeError(f"{name} must be a dict {{segment id: category}}")
    missing = [int(i) for i in ids if i != void_id and int(i) not in categories]
    if missing:
        raise ValueError(f"{name} has no category for segment id(s) {missing}")
    if void_id in categories:
        raise ValueError(f"{name} must not give void_id={void_id} a category")


# --8<-- [end:check]


# --8<-- [start:panoptic_quality]
def _segment_stats(pred, gt, pred_categories, gt_categories, void_id, gt_crowd) -> dict:
    """One image's per-category [IoU sum, TP, FP, FN]: the numbers PQ is built from."""
    pred, gt = _check_map(pred, "pred"), _check_map(gt, "gt")
    if pred.shape != gt.shape:
        raise ValueError(f"pred and gt must have the same shape, got {pred.shape}, {gt.shape}")
    pred_ids, pred_area = np.unique(pred, return_counts=True)
    gt_ids, gt_area = np.unique(gt, return_counts=True)
    _check_categories(pred_ids, pred_categories, "pred_categories", void_id)
    _check_categories(gt_ids, gt_categories, "gt_categories", void_id)
    crowd = {int(g) for g in gt_crowd}
    pred_area = dict(zip(pred_ids.tolist(), pred_area.tolist(), strict=True))
    gt_area = dict(zip(gt_ids.tolist(), gt_area.tolist(), strict=True))
    # Pixels shared by every (gt segment, predicted segment) pair, from one np.unique.
    pairs, counts = np.unique(np.stack([gt.ravel(), pred.ravel()]), axis=1, return_counts=True)
    inter = {(int(g), int(p)): int(n) for (g, p), n in zip(pairs.T, counts, strict=True)}

    stats = {}  # category -> [IoU sum, TP, FP, FN]
    matched_gt, matched_pred = set(), set()
    for (g, p), n in inter.items():
        if g == void_id or p == void_id or g in crowd:
            continue
        if gt_categories[g] != pred_categories[p]:
            continue
        # Void pixels are not part of the prediction: leave them out of the union.
        union = pred_area[p] + gt_area[g] - n - inter.get((void_id, p), 0)
        iou = n / union
        if iou > 0.5:  # at most one such pair per segment: each pixel has one label
            s = stats.setdefault(gt_categories[g], [0.0, 0, 0, 0])
            s[0] += iou
            s[1] += 1
            matched_gt.add(g)
            matched_pred.add(p)
    for g in gt_area:
        if g != void_id and g not in crowd and g not in matched_gt:
            stats.setdefault(gt_categories[g], [0.0, 0, 0, 0])[3] += 1
    # Crowd regions of each category, to excuse predictions that fall on them. All crowd
    # segments of a category count; panopticapi keeps one per category (the last listed).
    crowd_pixels = Counter()
    for (g, p), n in inter.items():
        if g in crowd:
            crowd_pixels[(gt_categories[g], p)] += n
    for p in pred_area:
        if p == void_id or p in matched_pred:
            continue
        # Mostly void or crowd of its own category: ignored, not a false positive.
        ignored = inter.get((void_id, p), 0) + crowd_pixels[(pred_categories[p], p)]
        if ignored / pred_area[p] > 0.5:
            continue
        stats.setdefault(pred_categories[p], [0.0, 0, 0, 0])[2] += 1
    return stats


def _summarise(stats: dict) -> dict:
    per_class = {}
    for c in sorted(stats):
        iou_sum, tp, fp, fn = stats[c]
        sq = iou_sum / tp if tp else 0.0
        rq = tp / (tp + 0.5 * fp + 0.5 * fn)
        per_class[c] = {"pq": sq * rq, "sq": sq, "rq": rq, "tp": tp, "fp": fp, "fn": fn}
    n = len(per_class)
    mean = {k: sum(r[k] for r in per_class.values()) / n if n else 0.0 for k in ("pq", "sq", "rq")}
    return {**mean, "n": n, "per_class": per_class}


def panoptic_quality(
    pred, gt, pred_categories: dict, gt_categories: dict, *, void_id: int = 0, gt_crowd=()
) -> dict:
    """One image: PQ, SQ, RQ averaged over categories, and per category {pq, sq, rq, tp, fp, fn}."""
    stats = _segment_stats(pred, gt, pred_categories, gt_categories, void_id, gt_crowd)
    return _summarise(stats)


# --8<-- [end:panoptic_quality]


# --8<-- [start:dataset]
def panoptic_quality_dataset(
    preds, gts, pred_categories, gt_categories, *, void_id: int = 0, gt_crowd=None
) -> dict:
    """COCO's PQ over a data set: add up each category's IoU, TP, FP, FN over all images first."""
    lists = [list(x) for x in (preds, gts, pred_categories, gt_categories)]
    crowds = [()] * len(lists[0]) if gt_crowd is None else list(gt_crowd)
    if len({len(x) for x in [*lists, crowds]}) != 1:
        raise ValueError(
            "preds, gts, pred_categories, gt_categories and gt_crowd need one entry per image"
        )
    total = {}
    for pred, gt, pred_cat, gt_cat, crowd in zip(*lists, crowds, strict=True):
        for c, s in _segment_stats(pred, gt, pred_cat, gt_cat, void_id, crowd).items():
            total[c] = [a + b for a, b in zip(total.get(c, [0.0, 0, 0, 0]), s, strict=True)]
    return _summarise(total)


# --8<-- [end:dataset]


if __name__ == "__main__":
    # Two "person" segments and a "sky" region; the prediction merges nothing, shifts one person.
    gt_map = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 3, 3]])
    pred_map = np.array([[5, 5, 6, 6], [5, 7, 6, 6], [8, 8, 8, 8]])
    gt_cats = {1: "person", 2: "person", 3: "sky"}
    pred_cats = {5: "person", 6: "person", 7: "person", 8: "sky"}
    result = panoptic_quality(pred_map, gt_map, pred_cats, gt_cats)
    person = result["per_class"]["person"]
    assert (person["tp"], person["fp"], person["fn"]) == (2, 1, 0)  # segment 7 is a FP
    assert np.isclose(person["sq"], (3 / 4 + 1) / 2)
    assert np.isclose(person["rq"], 2 / 2.5)
    assert np.isclose(result["pq"], (person["pq"] + 1.0) / 2)
    assert np.isclose(
        panoptic_quality_whiteboard(pred_map, gt_map, pred_cats, gt_cats), result["pq"]
    )
    # Over a data set, COCO adds up IoU, TP, FP, FN per category before dividing.
    both = panoptic_quality_dataset(
        [pred_map, gt_map], [gt_map, gt_map], [pred_cats, gt_cats], [gt_cats] * 2
    )
    assert both["per_class"]["person"]["tp"] == 4
    print({k: round(v, 4) for k, v in result.items() if k in ("pq", "sq", "rq")})
