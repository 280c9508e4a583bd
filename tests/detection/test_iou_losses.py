"""GIoU, DIoU, CIoU against hand-computed cases, a per-pair scalar reference and torchvision."""

import math

import numpy as np
import pytest
from detection.iou_losses import (
    box_iou_loss,
    complete_box_iou,
    distance_box_iou,
    generalized_box_iou,
    iou_family_whiteboard,
)
from detection.nms import box_iou
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

EPS = 1e-7  # torchvision's default


def by_hand(a, b, eps=EPS) -> tuple[float, float, float]:
    """(GIoU, DIoU, CIoU) of one pair from the definitions, one scalar at a time."""
    inter = max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(
        0.0, min(a[3], b[3]) - max(a[1], b[1])
    )
    wa, ha, wb, hb = a[2] - a[0], a[3] - a[1], b[2] - b[0], b[3] - b[1]
    union = wa * ha + wb * hb - inter
    iou = inter / union
    cw, ch = max(a[2], b[2]) - min(a[0], b[0]), max(a[3], b[3]) - min(a[1], b[1])
    giou = iou - (cw * ch - union) / (cw * ch)
    rho2 = ((a[0] + a[2]) / 2 - (b[0] + b[2]) / 2) ** 2 + (
        (a[1] + a[3]) / 2 - (b[1] + b[3]) / 2
    ) ** 2
    diou = iou - rho2 / (cw**2 + ch**2 + eps)
    v = 4 / math.pi**2 * (math.atan(wb / hb) - math.atan(wa / ha)) ** 2
    alpha = v / (1 - iou + v + eps)
    return giou, diou, diou - alpha * v


def test_disjoint_boxes():
    a, b = np.array([[0.0, 0.0, 1.0, 1.0]]), np.array([[2.0, 0.0, 3.0, 1.0]])
    # IoU 0; C is 3 x 1 and the middle third is in neither box: GIoU = 0 - 1/3.
    assert generalized_box_iou(a, b)[0, 0] == pytest.approx(-1 / 3)
    # Centres 2 apart, C's diagonal² = 3² + 1² = 10 (plus torchvision's eps).
    assert distance_box_iou(a, b)[0, 0] == pytest.approx(-4 / (10 + EPS), rel=1e-12)
    assert complete_box_iou(a, b)[0, 0] == distance_box_iou(a, b)[0, 0]  # same aspect: v = 0


def test_nested_boxes():
    outer, inner = np.array([[0.0, 0.0, 4.0, 4.0]]), np.array([[1.0, 1.0, 3.0, 3.0]])
    # IoU 4/16; C = the outer box, so GIoU = IoU; same centre, so DIoU = IoU.
    for f in (generalized_box_iou, distance_box_iou, complete_box_iou):
        assert f(outer, inner)[0, 0] == pytest.approx(0.25)
    # Same centre but a different aspect ratio: only CIoU sees it.
    tall = np.array([[1.0, 0.0, 3.0, 4.0]])  # 2 x 4 inside 4 x 4: IoU 1/2
    assert distance_box_iou(outer, tall)[0, 0] == pytest.approx(0.5)
    v = 4 / math.pi**2 * (math.atan(0.5) - math.atan(1.0)) ** 2
    alpha = v / (1 - 0.5 + v + EPS)
    assert complete_box_iou(tall, outer)[0, 0] == pytest.approx(0.5 - alpha * v, rel=1e-12)


def test_identical_boxes():
    box = np.array([[1.0, 2.0, 4.0, 3.0]])
    assert generalized_box_iou(box, box)[0, 0] == 1.0
    assert distance_box_iou(box, box)[0, 0] == 1.0
    assert complete_box_iou(box, box)[0, 0] == 1.0  # v = 0 and alpha = 0 / eps = 0, not NaN


def test_losses_and_their_ranges():
    target = np.array([[0.0, 0.0, 1.0, 1.0]])
    near = np.array([[1.5, 0.0, 2.5, 1.0]])
    far = np.array([[100.0, 0.0, 101.0, 1.0]])
    # 1 - IoU is 1 for both disjoint boxes: no signal about which one is closer.
    # 1 - GIoU and 1 - DIoU grow with the distance and approach 2.
    for f in (generalized_box_iou, distance_box_iou):
        loss_near, loss_far = 1 - f(near, target)[0, 0], 1 - f(far, target)[0, 0]
        assert 1 < loss_near < loss_far < 2
        assert loss_far > 1.97
    assert 1 - generalized_box_iou(near, target)[0, 0] == pytest.approx(1 + 0.5 / 2.5)


def test_giou_loss_has_a_gradient_where_iou_loss_has_none():
    target = np.array([[0.0, 0.0, 1.0, 1.0]])
    h = 1e-6
    for x in (1.5, 3.0):  # disjoint from the target
        box, moved = np.array([[x, 0.0, x + 1, 1.0]]), np.array([[x + h, 0.0, x + 1 + h, 1.0]])
        assert box_iou(box, target)[0, 0] == box_iou(moved, target)[0, 0] == 0  # flat
        slope = (generalized_box_iou(box, target) - generalized_box_iou(moved, target))[0, 0] / h
        assert slope > 0  # 1 - GIoU grows as the box moves away: its gradient points back


@pytest.mark.parametrize(
    ("boxes", "error", "match"),
    [
        (np.zeros((2, 3)), ValueError, "shape"),
        (np.array([[0.0, 0.0, 1.0, np.nan]]), ValueError, "NaN"),
        (np.array([[1.0, 0.0, 1.0, 1.0]]), ValueError, "x1 < x2"),  # zero width
        (np.array([[0.0, 2.0, 1.0, 1.0]]), ValueError, "y1 < y2"),
        (np.array([["0", "0", "1", "1"]]), TypeError, "real numbers"),
    ],
)
def test_bad_boxes(boxes, error, match):
    good = np.array([[0.0, 0.0, 1.0, 1.0]])
    for f in (generalized_box_iou, distance_box_iou, complete_box_iou):
        with pytest.raises(error, match=match):
            f(boxes, good)
        with pytest.raises(error, match=match):
            f(good, boxes)


def test_bad_boxes_are_named_in_full():
    good, bad = np.array([[0.0, 0.0, 1.0, 1.0]]), np.zeros((2, 3))
    flat = np.array([[0.0, 1.0, 1.0, 1.0]])  # zero height
    for f in (generalized_box_iou, distance_box_iou, complete_box_iou):
        with pytest.raises(ValueError, match=r"^boxes1 must have shape \(N, 4\), got \(2, 3\)$"):
            f(bad, good)
        with pytest.raises(ValueError, match=r"^boxes2 must have shape \(N, 4\), got \(2, 3\)$"):
            f(good, bad)
        with pytest.raises(ValueError, match=r"^boxes2 must satisfy x1 < x2 and y1 < y2 \("):
            f(good, flat)
    with pytest.raises(ValueError, match=r"^pred must have shape \(N, 4\), got \(2, 3\)$"):
        box_iou_loss(bad, good)
    with pytest.raises(ValueError, match=r"^target must have shape \(N, 4\), got \(2, 3\)$"):
        box_iou_loss(good, bad)
    with pytest.raises(ValueError, match=r"^target must not contain NaN or inf$"):
        box_iou_loss(good, np.array([[0.0, 0.0, np.inf, 1.0]]))
    with pytest.raises(TypeError, match=r"^boxes1 must hold real numbers, got dtype complex128$"):
        generalized_box_iou(good + 0j, good)


def test_integer_and_float32_boxes_are_accepted():
    a = np.array([[0, 0, 1, 1]])
    b = np.array([[2, 0, 3, 1], [0, 0, 2, 2]])
    expected = generalized_box_iou(a.astype(float), b.astype(float))
    np.testing.assert_allclose(generalized_box_iou(a, b), expected)
    np.testing.assert_allclose(generalized_box_iou(a.astype(np.float32), b), expected)


def test_bad_eps():
    good = np.array([[0.0, 0.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match=r"^eps must be a finite number >= 0, got -1.0$"):
        distance_box_iou(good, good, eps=-1.0)
    with pytest.raises(ValueError, match=r"^eps must be a finite number >= 0, got inf$"):
        distance_box_iou(good, good, eps=np.inf)
    with pytest.raises(TypeError, match=r"^eps must be a real number, got str$"):
        complete_box_iou(good, good, eps="1e-7")
    # eps = 0 is allowed: DIoU without torchvision's eps is exactly IoU - rho² / c².
    far = np.array([[2.0, 0.0, 3.0, 1.0]])
    assert distance_box_iou(good, far, eps=0)[0, 0] == -0.4
    assert box_iou_loss(good, far, kind="diou", eps=0)[0] == 1.4


def test_empty_sets_give_empty_matrices():
    good = np.array([[0.0, 0.0, 1.0, 1.0]])
    for f in (generalized_box_iou, distance_box_iou, complete_box_iou):
        assert f(np.zeros((0, 4)), good).shape == (0, 1)
        assert f(good, np.zeros((0, 4))).shape == (1, 0)


box_sets = st.integers(1, 6).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, (n, 2), elements=st.integers(-20, 20).map(float)),
        arrays(np.float64, (n, 2), elements=st.integers(1, 15).map(float)),
    ).map(lambda cs: np.hstack([cs[0], cs[0] + cs[1]]))
)


@settings(max_examples=40, deadline=None)
@given(box_sets, box_sets)
def test_pairwise_matches_the_scalar_definitions(a, b):
    giou, diou, ciou = generalized_box_iou(a, b), distance_box_iou(a, b), complete_box_iou(a, b)
    assert giou.shape == (len(a), len(b))
    for i in range(len(a)):
        for j in range(len(b)):
            np.testing.assert_allclose((giou[i, j], diou[i, j], ciou[i, j]), by_hand(a[i], b[j]))
    assert ((giou >= -1) & (giou <= 1)).all()
    assert (diou > -1).all()
    assert (ciou <= diou + 1e-12).all()  # the aspect penalty only subtracts
    np.testing.assert_allclose(giou, generalized_box_iou(b, a).T)  # GIoU, DIoU: symmetric
    np.testing.assert_allclose(diou, distance_box_iou(b, a).T)


@settings(max_examples=40, deadline=None)
@given(box_sets, box_sets)
def test_whiteboard_matches_full_version(a, b):
    full = (generalized_box_iou(a, b), distance_box_iou(a, b), complete_box_iou(a, b))
    for got, expected in zip(iou_family_whiteboard(a, b), full, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(box_sets, box_sets)
def test_pairwise_loss_is_one_minus_the_diagonal(a, b):
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    for kind, matrix in [
        ("giou", generalized_box_iou),
        ("diou", distance_box_iou),
        ("ciou", complete_box_iou),
    ]:
        loss = box_iou_loss(a, b, kind=kind)
        assert loss.shape == (n,)
        np.testing.assert_allclose(loss, 1 - np.diag(matrix(a, b)), rtol=1e-12, atol=1e-12)
    # boxes2 is the ground truth in CIoU's alpha: the pair order matters there, as in the matrix.
    np.testing.assert_allclose(box_iou_loss(b, a, kind="ciou"), 1 - np.diag(complete_box_iou(b, a)))


def test_pairwise_loss_hand_case_and_bad_input():
    target = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 4.0, 4.0]])
    pred = np.array([[2.0, 0.0, 3.0, 1.0], [1.0, 1.0, 3.0, 3.0]])  # disjoint; nested
    np.testing.assert_allclose(box_iou_loss(pred, target), [1 + 1 / 3, 1 - 1 / 4])
    assert box_iou_loss(np.zeros((0, 4)), np.zeros((0, 4))).shape == (0,)
    with pytest.raises(ValueError, match=r"^pred and target must pair up, got 2 and 1 boxes$"):
        box_iou_loss(pred, target[:1])
    with pytest.raises(ValueError, match=r"^kind must be 'giou', 'diou' or 'ciou', got 'iou'$"):
        box_iou_loss(pred, target, kind="iou")
    with pytest.raises(ValueError, match="pred"):
        box_iou_loss(pred[:, :3], target)
    with pytest.raises(ValueError, match="eps"):
        box_iou_loss(pred, target, eps=-1.0)


def test_intersection_in_the_penalty_punishes_every_pair_but_identical_ones():
    # The GIoU penalty is (|C| - |A ∪ B|) / |C|; with |A ∩ B| instead it grows by
    # (|A ∪ B| - |A ∩ B|) / |C| > 0 whenever A != B, and stays 0 for identical boxes.
    rng = np.random.default_rng(0)
    corners = rng.integers(0, 6, size=(40, 2)).astype(float)
    boxes = np.hstack([corners, corners + rng.integers(1, 5, size=(40, 2))])
    a, b = boxes, boxes[rng.permutation(40)]
    b[:5] = a[:5]  # some identical pairs
    giou = 1 - box_iou_loss(a, b)
    inter = np.prod(
        np.clip(np.minimum(a[:, 2:], b[:, 2:]) - np.maximum(a[:, :2], b[:, :2]), 0, None), 1
    )
    area = lambda x: np.prod(x[:, 2:] - x[:, :2], 1)  # noqa: E731
    union = area(a) + area(b) - inter
    c = np.prod(np.maximum(a[:, 2:], b[:, 2:]) - np.minimum(a[:, :2], b[:, :2]), 1)
    wrong = inter / union - (c - inter) / c
    same = (a == b).all(1)
    assert same.any()
    assert (~same).any()
    np.testing.assert_allclose(wrong[same], 1.0)
    assert (wrong[~same] < giou[~same]).all()


def test_against_torchvision():
    ops = pytest.importorskip("torchvision.ops", reason="torchvision.ops is the reference")
    torch = pytest.importorskip("torch", reason="torchvision needs PyTorch")
    rng = np.random.default_rng(0)
    corners = rng.uniform(0, 50, size=(12, 2))
    boxes = np.hstack([corners, corners + rng.uniform(0.5, 30, size=(12, 2))])
    a, b = torch.from_numpy(boxes[:7]), torch.from_numpy(boxes[7:])
    for ours, theirs in [
        (generalized_box_iou, ops.generalized_box_iou),
        (distance_box_iou, ops.distance_box_iou),
        (complete_box_iou, ops.complete_box_iou),
    ]:
        np.testing.assert_allclose(ours(boxes[:7], boxes[7:]), theirs(a, b).numpy(), rtol=1e-10)
