"""Crop/flip, mixup and CutMix against explicit slicing and the mixing definitions."""

import numpy as np
import pytest
from data.augmentation import cutmix, mixup, random_crop_flip
from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000), padding=st.integers(0, 3), flip=st.sampled_from([0.0, 1.0]))
def test_crop_flip_equals_a_slice_of_the_padded_image(seed, padding, flip):
    rng = np.random.default_rng(seed)
    images = rng.integers(1, 255, size=(3, 5, 6, 2))
    out = random_crop_flip(images, padding, np.random.default_rng(seed), flip_prob=flip)
    padded = np.pad(images, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    for i in range(3):
        target = out[i][:, ::-1] if flip == 1.0 else out[i]
        windows = [
            padded[i, t : t + 5, s : s + 6]
            for t in range(2 * padding + 1)
            for s in range(2 * padding + 1)
        ]
        assert any(np.array_equal(target, win) for win in windows)


def test_crop_flip_no_padding_no_flip_is_identity():
    images = np.arange(48).reshape(2, 4, 3, 2)
    out = random_crop_flip(images, 0, np.random.default_rng(0), flip_prob=0.0)
    np.testing.assert_array_equal(out, images)


def test_crop_flip_bad_input():
    with pytest.raises(ValueError, match="images"):
        random_crop_flip(np.zeros((4, 4, 3)), 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="padding"):
        random_crop_flip(np.zeros((1, 4, 4, 3)), -1, np.random.default_rng(0))


def test_mixup_is_a_convex_combination_of_pairs():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 3))
    y = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    xm, ym, lam, perm = mixup(x, y, alpha=0.2, rng=np.random.default_rng(1))
    assert 0.0 <= lam <= 1.0
    assert sorted(perm.tolist()) == list(range(6))
    for i in range(6):
        np.testing.assert_allclose(xm[i], lam * x[i] + (1 - lam) * x[perm[i]])
        np.testing.assert_allclose(ym[i], lam * y[i] + (1 - lam) * y[perm[i]])
    np.testing.assert_allclose(ym.sum(axis=1), 1.0)


def test_mixup_lambda_distribution():
    # Beta(alpha, alpha) has mean 1/2; small alpha pushes lam towards 0 or 1
    rng = np.random.default_rng(0)
    y = np.eye(2)
    lams = np.array([mixup(np.zeros((2, 1)), y, 0.2, rng)[2] for _ in range(4000)])
    assert abs(lams.mean() - 0.5) < 0.03
    assert np.mean((lams < 0.1) | (lams > 0.9)) > 0.5


def test_mixup_bad_input():
    with pytest.raises(ValueError, match="alpha"):
        mixup(np.zeros((2, 1)), np.eye(2), 0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="y_onehot"):
        mixup(np.zeros((2, 1)), np.eye(3), 1.0, np.random.default_rng(0))


def test_cutmix_label_weight_equals_pasted_area():
    rng = np.random.default_rng(0)
    images = np.stack([np.zeros((8, 8, 1)), np.ones((8, 8, 1))])
    y = np.eye(2)
    for seed in range(20):
        out, ym = cutmix(images, y, alpha=1.0, rng=np.random.default_rng(seed))
        for i in range(2):
            # pixels differing from the original image came from the partner
            changed = np.mean(out[i] != images[i])
            partner_weight = ym[i, 1 - i]
            if changed > 0:
                assert partner_weight == pytest.approx(changed)
            assert ym[i].sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="alpha"):
        cutmix(images, y, alpha=-1.0, rng=rng)


def test_crop_flip_default_flips_about_half_and_bad_arguments():
    images = np.arange(2.0).reshape(1, 1, 2, 1).repeat(400, axis=0)  # columns [0, 1]
    out = random_crop_flip(images, 0, np.random.default_rng(0))  # flip_prob = 0.5
    assert 0.4 < np.mean(out[:, 0, 0, 0] == 1.0) < 0.6
    with pytest.raises(ValueError, match="flip_prob"):
        random_crop_flip(images, 0, np.random.default_rng(0), flip_prob=1.5)
    with pytest.raises(ValueError, match=r"images must have shape \(N >= 1"):
        random_crop_flip(np.zeros((0, 4, 4, 3)), 1, np.random.default_rng(0))


def test_mixup_shapes_accepted_and_rejected():
    x = np.arange(3.0)  # (N,) samples are fine, so is a batch of one
    xm, _, lam, perm = mixup(x, np.eye(3), 1.0, np.random.default_rng(0))
    np.testing.assert_allclose(xm, lam * x + (1 - lam) * x[perm])
    xm, ym, _, _ = mixup(np.ones((1, 2)), np.eye(1), 1.0, np.random.default_rng(0))
    np.testing.assert_allclose(xm, 1.0)
    np.testing.assert_allclose(ym, 1.0)
    with pytest.raises(ValueError, match=r"^y_onehot must have shape \(2, K\) with N >= 1$"):
        mixup(np.zeros((2, 3)), np.zeros(2), 1.0, np.random.default_rng(0))  # 1-D labels


@pytest.mark.parametrize("seed", range(20))
def test_cutmix_pastes_the_box_around_the_drawn_centre(seed):
    images = np.arange(3.0)[:, None, None, None] + np.zeros((3, 8, 6, 1))
    y = np.eye(2)[[0, 1, 0]]  # K = 2 classes for N = 3 images
    out, ym = cutmix(images, y, alpha=1.0, rng=np.random.default_rng(seed))
    # The same draws by hand: lam, the centre (cy, cx), the partner permutation.
    rng = np.random.default_rng(seed)
    lam = rng.beta(1.0, 1.0)
    cut_h, cut_w = int(8 * np.sqrt(1 - lam)), int(6 * np.sqrt(1 - lam))
    cy, cx = rng.integers(8), rng.integers(6)
    perm = rng.permutation(3)
    y1, y2 = max(cy - cut_h // 2, 0), min(cy + cut_h // 2, 8)
    x1, x2 = max(cx - cut_w // 2, 0), min(cx + cut_w // 2, 6)
    expected = images.copy()
    expected[:, y1:y2, x1:x2] = images[perm, y1:y2, x1:x2]
    np.testing.assert_array_equal(out, expected)
    kept = 1 - (y2 - y1) * (x2 - x1) / 48
    np.testing.assert_allclose(ym, kept * y + (1 - kept) * y[perm])


def test_cutmix_bad_input_messages():
    images = np.zeros((2, 4, 5, 1))
    with pytest.raises(ValueError, match=r"^y_onehot must have shape \(2, K\)$"):
        cutmix(images, np.eye(3), 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^y_onehot must have shape \(2, K\)$"):
        cutmix(images, np.zeros(2), 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="alpha must be > 0, got 0"):
        cutmix(images, np.eye(2), 0.0, np.random.default_rng(0))
