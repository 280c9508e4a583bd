"""Precision/recall/F-beta, ROC and rank AUC, PR curve and AP (VOC 11-point and all-point)."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard_auc]
def auc_whiteboard(y, s):
    """AUC 的排序公式：(正样本秩和 - M(M+1)/2) / (MN)，得分并列的样本取平均秩。"""
    order = np.argsort(s)
    ranks = np.empty(len(s))
    ranks[order] = np.arange(1, len(s) + 1)  # 得分从小到大，秩 1..n
    for v in np.unique(s):  # 并列：取它们所占位置的平均秩
        ranks[s == v] = ranks[s == v].mean()
    M = np.sum(y == 1)
    N = len(y) - M
    return (ranks[y == 1].sum() - M * (M + 1) / 2) / (M * N)


# --8<-- [end:whiteboard_auc]


# --8<-- [start:whiteboard_ap]
def average_precision_whiteboard(scores, is_tp, num_gt):
    """AP（全点插值）：按分数降序累计 P、R，取右侧最大值的包络，求阶梯下的面积。"""
    order = np.argsort(-scores)
    tp = np.cumsum(is_tp[order])
    fp = np.cumsum(1 - is_tp[order])
    R = tp / num_gt  # 分母是真值框总数 G
    P = tp / (tp + fp)
    mrec = np.r_[0.0, R, 1.0]
    mpre = np.r_[0.0, P, 0.0]
    for i in range(len(mpre) - 2, -1, -1):  # 包络：p_interp(r) = 右侧最大值
        mpre[i] = max(mpre[i], mpre[i + 1])
    i = np.flatnonzero(mrec[1:] != mrec[:-1])  # 召回率上升的位置
    return np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1])


# --8<-- [end:whiteboard_ap]


# --8<-- [start:check_binary]
def _check_binary(y_true: np.ndarray, other: np.ndarray, other_name: str) -> np.ndarray:
    y_true = np.asarray(y_true)
    other = np.asarray(other)
    if y_true.ndim != 1 or other.shape != y_true.shape:
        raise ValueError(
            f"y_true and {other_name} must be 1-D, equal length; got {y_true.shape}, {other.shape}"
        )
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError("y_true must contain only 0 and 1")
    if other.dtype.kind not in "biuf" or not np.isfinite(other).all():
        raise ValueError(f"{other_name} must be finite real numbers")
    return y_true.astype(bool)


# --8<-- [end:check_binary]


# --8<-- [start:prf]
def precision_recall_fbeta(
    y_true: np.ndarray, y_pred: np.ndarray, beta: float = 1.0
) -> tuple[float, float, float]:
    """Binary precision, recall and F-beta; 0 where a denominator is 0 (like sklearn)."""
    t = _check_binary(y_true, y_pred, "y_pred")
    if not np.isin(y_pred, (0, 1)).all():
        raise ValueError("y_pred must contain only 0 and 1")
    if not (isinstance(beta, int | float) and beta > 0):
        raise ValueError(f"beta must be a number > 0, got {beta!r}")
    p = np.asarray(y_pred).astype(bool)
    tp = np.sum(t & p)
    fp = np.sum(~t & p)
    fn = np.sum(t & ~p)
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    b2 = beta**2
    denom = b2 * precision + recall
    f = (1 + b2) * precision * recall / denom if denom > 0 else 0.0
    return float(precision), float(recall), float(f)


# --8<-- [end:prf]


# --8<-- [start:roc_curve]
def roc_curve(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ROC points (fpr, tpr) for thresholds at each distinct score, high to low, from (0, 0)."""
    t = _check_binary(y_true, scores, "scores")
    m, n = t.sum(), (~t).sum()
    if m == 0 or n == 0:
        raise ValueError("y_true must contain both classes")
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    s, t = np.asarray(scores, dtype=np.float64)[order], t[order]
    # Cut only where the score changes: tied scores enter together (a diagonal step).
    last_of_group = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]
    tps = np.cumsum(t)[last_of_group]
    fps = np.cumsum(~t)[last_of_group]
    fpr = np.r_[0.0, fps / n]
    tpr = np.r_[0.0, tps / m]
    thresholds = np.r_[np.inf, s[last_of_group]]
    return fpr, tpr, thresholds


# --8<-- [end:roc_curve]


# --8<-- [start:auc_rank]
def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of x in increasing order; tied values share their average rank."""
    x = np.asarray(x, dtype=np.float64)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.r_[0, np.flatnonzero(np.diff(xs) != 0) + 1]  # first position of each group
    ends = np.r_[starts[1:], len(xs)]  # one past the last position
    group_rank = (starts + 1 + ends) / 2.0  # mean of ranks starts+1 .. ends
    ranks = np.empty(len(x))
    ranks[order] = np.repeat(group_rank, ends - starts)
    return ranks


def auc_rank(y_true: np.ndarray, scores: np.ndarray) -> float:
    """AUC = (sum of positive ranks - M(M+1)/2) / (M N), with average ranks for ties."""
    t = _check_binary(y_true, scores, "scores")
    m, n = int(t.sum()), int((~t).sum())
    if m == 0 or n == 0:
        raise ValueError("y_true must contain both classes")
    ranks = average_ranks(scores)
    return float((ranks[t].sum() - m * (m + 1) / 2) / (m * n))


# --8<-- [end:auc_rank]


# --8<-- [start:pr_points]
def pr_points(scores: np.ndarray, is_tp: np.ndarray, num_gt: int) -> tuple[np.ndarray, np.ndarray]:
    """Recall and precision at each distinct score, high to low; tied detections enter together."""
    scores, is_tp = _check_detections(scores, is_tp, num_gt)
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(is_tp[order].astype(np.float64))
    # A threshold keeps all or none of a group of equal scores: cut only where the score changes
    # (as sklearn's precision_recall_curve does), so the result does not depend on input order.
    last = np.flatnonzero(np.diff(np.r_[scores[order], -np.inf]) != 0)  # last index of each group
    return tp[last] / num_gt, tp[last] / (last + 1)


# --8<-- [end:pr_points]


# --8<-- [start:check_pr]
def _check_detections(scores, is_tp, num_gt) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=np.float64)
    is_tp = np.asarray(is_tp)
    if scores.ndim != 1 or is_tp.shape != scores.shape or not np.isfinite(scores).all():
        raise ValueError("scores and is_tp must be 1-D of equal length, scores finite")
    if not np.isin(is_tp, (0, 1)).all():
        raise ValueError("is_tp must contain only 0/1 (or bool)")
    if isinstance(num_gt, bool) or not isinstance(num_gt, int | np.integer):
        raise TypeError(f"num_gt must be an int, got {type(num_gt).__name__}")
    if num_gt < is_tp.sum() or num_gt <= 0:
        raise ValueError(f"num_gt must be >= number of true positives and > 0, got {num_gt}")
    return scores, is_tp


def _check_pr(recall: np.ndarray, precision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    recall = np.asarray(recall, dtype=np.float64)
    precision = np.asarray(precision, dtype=np.float64)
    if recall.ndim != 1 or precision.shape != recall.shape:
        raise ValueError("recall and precision must be 1-D of equal length")
    # Written as "inside [0, 1]" so that NaN, for which every comparison is False, fails it too.
    if not (((recall >= 0) & (recall <= 1)).all() and ((precision >= 0) & (precision <= 1)).all()):
        raise ValueError("recall and precision must lie in [0, 1] (NaN not allowed)")
    if (np.diff(recall) < 0).any():
        raise ValueError("recall must be non-decreasing (points sorted by score)")
    return recall, precision


# --8<-- [end:check_pr]


# --8<-- [start:ap]
def ap_all_point(recall: np.ndarray, precision: np.ndarray) -> float:
    """VOC2010+ AP: area under the interpolated (monotone envelope) PR curve."""
    recall, precision = _check_pr(recall, precision)
    mrec = np.r_[0.0, recall, 1.0]
    mpre = np.r_[0.0, precision, 0.0]
    # Envelope: p_interp(r) = max precision at any recall >= r (suffix maximum).
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    i = np.flatnonzero(mrec[1:] != mrec[:-1])  # where recall steps up
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))


def ap_11_point(recall: np.ndarray, precision: np.ndarray) -> float:
    """VOC2007 AP: mean interpolated precision at recall 0, 0.1, ..., 1."""
    recall, precision = _check_pr(recall, precision)
    envelope = np.r_[np.maximum.accumulate(precision[::-1])[::-1], 0.0]
    levels = np.arange(11) / 10  # exact k/10; linspace gives 0.30000000000000004 > 3/10
    first = np.searchsorted(recall, levels, side="left")  # first point with recall >= level
    return float(envelope[first].mean())  # index len(recall) -> 0: level never reached


def ap_step(recall: np.ndarray, precision: np.ndarray) -> float:
    """Non-interpolated AP: sum of (R_k - R_{k-1}) * P_k.

    On pr_points' output with num_gt = number of true positives this is sklearn's
    average_precision_score, ties included.
    """
    recall, precision = _check_pr(recall, precision)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


# --8<-- [end:ap]

# The worked example on the page: 5 detections sorted by score, 4 ground-truth boxes.
EXAMPLE_IS_TP = np.array([1, 0, 0, 1, 1])
EXAMPLE_SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
EXAMPLE_NUM_GT = 4


# --8<-- [start:plots]
def plot_roc():
    """ROC curve of a small scored sample with ties, AUC shaded."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    y = np.r_[np.ones(30, dtype=int), np.zeros(30, dtype=int)]
    s = np.round(np.r_[rng.normal(1.0, 1.0, 30), rng.normal(0.0, 1.0, 30)], 1)  # ties
    fpr, tpr, _ = roc_curve(y, s)
    fig, ax = plt.subplots(figsize=(4.2, 4))
    ax.plot(fpr, tpr, marker=".", label=f"ROC, AUC = {auc_rank(y, s):.3f}")
    ax.fill_between(fpr, tpr, alpha=0.15)
    ax.plot([0, 1], [0, 1], linestyle="--", color="0.5", label="random, AUC = 0.5")
    ax.set_xlabel("FPR = FP / (FP + TN)")
    ax.set_ylabel("TPR = TP / (TP + FN)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def plot_pr_interpolation():
    """PR points of the worked example, the all-point envelope and the 11 VOC2007 samples."""
    import matplotlib.pyplot as plt

    rec, prec = pr_points(EXAMPLE_SCORES, EXAMPLE_IS_TP, EXAMPLE_NUM_GT)
    mrec = np.r_[0.0, rec, 1.0]
    mpre = np.maximum.accumulate(np.r_[0.0, prec, 0.0][::-1])[::-1]
    levels = np.arange(11) / 10
    envelope = np.r_[np.maximum.accumulate(prec[::-1])[::-1], 0.0]
    p11 = envelope[np.searchsorted(rec, levels, side="left")]
    fig, ax = plt.subplots(figsize=(5, 3.6))
    ax.plot(rec, prec, marker="o", linestyle=":", label="raw (recall, precision)")
    ax.step(
        mrec, mpre, where="pre", label=f"all-point envelope, AP = {ap_all_point(rec, prec):.4f}"
    )
    ax.fill_between(mrec, mpre, step="pre", alpha=0.12)
    ax.plot(
        levels, p11, "s", markersize=5, label=f"11-point samples, AP = {ap_11_point(rec, prec):.4f}"
    )
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig


# --8<-- [end:plots]


if __name__ == "__main__":
    assert precision_recall_fbeta([1, 1, 0, 0], [1, 0, 1, 0]) == (0.5, 0.5, 0.5)
    y, s = np.array([1, 0, 1, 0]), np.array([0.8, 0.8, 0.6, 0.1])
    assert auc_rank(y, s) == 0.625  # 4 pos-neg pairs: 2 wins + one tie (1/2)
    fpr, tpr, _ = roc_curve(y, s)
    assert np.isclose(np.trapezoid(tpr, fpr), 0.625)
    rec, prec = pr_points(EXAMPLE_SCORES, EXAMPLE_IS_TP, EXAMPLE_NUM_GT)
    assert np.isclose(ap_all_point(rec, prec), 0.55)
    assert np.isclose(ap_11_point(rec, prec), 6 / 11)
    assert np.isclose(ap_step(rec, prec), 0.525)
    rec, prec = pr_points(-np.arange(10), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], 10)
    assert np.isclose(ap_11_point(rec, prec), 4 / 11)  # recall 3/10 reaches the level 0.3
    assert ap_step(*pr_points([0.5, 0.5], [1, 0], 1)) == 0.5  # ties enter together
    assert auc_whiteboard(y, s) == 0.625
    assert np.isclose(average_precision_whiteboard(EXAMPLE_SCORES, EXAMPLE_IS_TP, 4), 0.55)
    rec, prec = pr_points(EXAMPLE_SCORES, EXAMPLE_IS_TP, EXAMPLE_NUM_GT)
    print(
        "AP all-point, 11-point, step:",
        ap_all_point(rec, prec),
        ap_11_point(rec, prec),
        ap_step(rec, prec),
    )
