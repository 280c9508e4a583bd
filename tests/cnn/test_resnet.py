"""Residual blocks against PyTorch (same weights); parameter counts; DropPath by statistics."""

import numpy as np
import pytest
from cnn.resnet import (
    basic_block,
    basic_block_params,
    bottleneck_params,
    drop_path,
    drop_path_whiteboard,
    relu,
    resnet_params,
    survival_probabilities,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def torch_basic_block(torch, x, w1, w2, stride, w_proj):
    f = torch.nn.functional
    t = {k: torch.from_numpy(v) for k, v in {"x": x, "w1": w1, "w2": w2}.items()}
    residual = f.conv2d(
        f.relu(f.conv2d(t["x"], t["w1"], stride=stride, padding=1)), t["w2"], padding=1
    )
    shortcut = (
        t["x"] if w_proj is None else f.conv2d(t["x"], torch.from_numpy(w_proj), stride=stride)
    )
    return f.relu(residual + shortcut).numpy()


@pytest.mark.parametrize(("c_in", "c_out", "stride"), [(4, 4, 1), (4, 8, 2), (3, 6, 1)])
def test_basic_block_matches_torch(c_in, c_out, stride):
    torch = pytest.importorskip("torch", reason="PyTorch is the reference block")
    rng = np.random.default_rng(c_in + c_out + stride)
    x = rng.standard_normal((2, c_in, 7, 6))
    w1 = rng.standard_normal((c_out, c_in, 3, 3))
    w2 = rng.standard_normal((c_out, c_out, 3, 3))
    w_proj = None if (c_in, stride) == (c_out, 1) else rng.standard_normal((c_out, c_in, 1, 1))
    got = basic_block(x, w1, w2, stride, w_proj)
    np.testing.assert_allclose(got, torch_basic_block(torch, x, w1, w2, stride, w_proj))


def test_zero_residual_is_identity_on_relu_outputs():
    rng = np.random.default_rng(0)
    x = relu(rng.standard_normal((1, 4, 5, 5)))  # inputs of a block are ReLU outputs, >= 0
    zero = np.zeros((4, 4, 3, 3))
    np.testing.assert_array_equal(basic_block(x, zero, zero), x)


def test_shape_change_needs_projection():
    x = np.zeros((1, 4, 6, 6))
    message = r"^shape changes \(1, 4, 6, 6\) -> \(1, 8, 6, 6\): pass w_proj$"
    with pytest.raises(ValueError, match=message):
        basic_block(x, np.zeros((8, 4, 3, 3)), np.zeros((8, 8, 3, 3)))
    with pytest.raises(ValueError, match="w_proj"):
        basic_block(x, np.zeros((4, 4, 3, 3)), np.zeros((4, 4, 3, 3)), stride=2)


def test_block_params_match_torch_modules():
    torch = pytest.importorskip("torch", reason="PyTorch counts the parameters")
    nn = torch.nn

    def count(*layers):
        return sum(p.numel() for layer in layers for p in layer.parameters())

    basic = count(nn.Conv2d(256, 256, 3, bias=False), nn.Conv2d(256, 256, 3, bias=False))
    bottleneck = count(
        nn.Conv2d(256, 64, 1, bias=False),
        nn.Conv2d(64, 64, 3, bias=False),
        nn.Conv2d(64, 256, 1, bias=False),
    )
    assert basic_block_params(256) == basic == 1179648
    assert bottleneck_params(256, 64) == bottleneck == 69632


def torch_resnet(torch, blocks, bottleneck, num_classes=1000):
    """An ImageNet ResNet assembled from PyTorch layers, only to count its parameters."""
    nn = torch.nn
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64)]
    expansion = 4 if bottleneck else 1
    c_in = 64
    for stage, n in enumerate(blocks):
        width = 64 * 2**stage
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1
            if bottleneck:
                body = [
                    nn.Conv2d(c_in, width, 1, bias=False), nn.BatchNorm2d(width),
                    nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width),
                    nn.Conv2d(width, 4 * width, 1, bias=False), nn.BatchNorm2d(4 * width),
                ]  # fmt: skip
            else:
                body = [
                    nn.Conv2d(c_in, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width),
                    nn.Conv2d(width, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width),
                ]  # fmt: skip
            layers += body
            if stride != 1 or c_in != width * expansion:
                layers += [
                    nn.Conv2d(c_in, width * expansion, 1, stride, bias=False),
                    nn.BatchNorm2d(width * expansion),
                ]
            c_in = width * expansion
    layers.append(nn.Linear(c_in, num_classes))
    return nn.ModuleList(layers)


@pytest.mark.parametrize(
    ("blocks", "bottleneck", "published"),
    [
        ((2, 2, 2, 2), False, 11689512),  # ResNet-18
        ((3, 4, 6, 3), False, 21797672),  # ResNet-34
        ((3, 4, 6, 3), True, 25557032),  # ResNet-50
        ((3, 4, 23, 3), True, 44549160),  # ResNet-101
    ],
)
def test_resnet_params_match_torch_model(blocks, bottleneck, published):
    torch = pytest.importorskip("torch", reason="PyTorch counts the parameters")
    with torch.device("meta"):  # shapes only, no memory for the weights
        model = torch_resnet(torch, blocks, bottleneck)
    counted = sum(p.numel() for p in model.parameters())
    assert resnet_params(blocks, bottleneck) == counted == published  # torchvision's counts


def test_resnet_params_default_and_one_block_per_stage(torch):
    assert resnet_params() == 25557032  # ResNet-50 by default
    with torch.device("meta"):
        model = torch_resnet(torch, (1, 1, 1, 1), bottleneck=False)
    counted = sum(p.numel() for p in model.parameters())
    assert resnet_params((1, 1, 1, 1), bottleneck=False) == counted


def test_resnet_params_bad_input():
    with pytest.raises(ValueError, match="blocks"):
        resnet_params((2, 2, 2))
    with pytest.raises(ValueError, match="blocks"):
        resnet_params((2, 0, 2, 2))


# ---- DropPath / stochastic depth ----------------------------------------------------------


def test_drop_path_zeroes_whole_samples_and_rescales_the_rest():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 3, 4, 4))
    out = drop_path(x, 0.25, training=True, rng=rng)
    kept = np.array([np.allclose(o, xi / 0.75) for o, xi in zip(out, x, strict=True)])
    dropped = np.array([np.all(o == 0) for o in out])
    assert np.all(kept ^ dropped)  # every sample: all of it kept (scaled) or all of it zero
    assert 0.6 < kept.mean() < 0.9
    # Evaluation and p = 0: the input, untouched; p = 1: everything dropped.
    np.testing.assert_array_equal(drop_path(x, 0.25, training=False), x)
    np.testing.assert_array_equal(drop_path(x, 0.25), x)  # evaluation by default
    np.testing.assert_array_equal(drop_path(x, training=True, rng=rng), x)  # p = 0 by default
    np.testing.assert_array_equal(drop_path(x, 0.0, training=True, rng=rng), x)
    np.testing.assert_array_equal(drop_path(x, 1.0, training=True, rng=rng), 0 * x)
    # scale_by_keep=False: kept samples are not rescaled.
    unscaled = drop_path(x, 0.25, training=True, rng=rng, scale_by_keep=False)
    assert all(np.allclose(o, xi) or np.all(o == 0) for o, xi in zip(unscaled, x, strict=True))


def test_drop_path_is_unbiased():
    # E[drop_path(x)] = x: averaged over many independent masks the output approaches x.
    rng = np.random.default_rng(1)
    x = np.tile(rng.standard_normal((1, 5)), (20_000, 1))  # the same sample 20,000 times
    mean = drop_path(x, 0.3, training=True, rng=rng).mean(axis=0)
    np.testing.assert_allclose(mean, x[0], atol=0.03 * np.abs(x[0]).max() + 0.01)
    biased = drop_path(x, 0.3, training=True, rng=rng, scale_by_keep=False).mean(axis=0)
    np.testing.assert_allclose(biased, 0.7 * x[0], atol=0.03 * np.abs(x[0]).max() + 0.01)


@settings(max_examples=20, deadline=None)
@given(p=st.floats(0.0, 0.99), training=st.booleans(), seed=st.integers(0, 2**16))
def test_drop_path_whiteboard_matches_full_version(p, training, seed):
    x = np.random.default_rng(seed).standard_normal((6, 2, 3))
    np.testing.assert_allclose(
        drop_path_whiteboard(x, p, training, np.random.default_rng(seed)),
        drop_path(x, p, training, np.random.default_rng(seed)),
    )


def test_drop_path_matches_torch_semantics(torch):
    # timm / torchvision write it with a Bernoulli mask of shape (N, 1, ...) divided by keep_prob.
    torch.manual_seed(0)
    x = torch.randn(4000, 3, 2)
    keep = 0.8
    mask = x.new_empty((x.shape[0], 1, 1)).bernoulli_(keep).div_(keep)
    theirs = (x * mask).numpy()
    ours = drop_path(x.numpy(), 0.2, training=True, rng=np.random.default_rng(0))
    for out in (theirs, ours):
        rows = out.reshape(len(out), -1)
        src = x.numpy().reshape(len(out), -1)
        zero = np.all(rows == 0, axis=1)
        np.testing.assert_allclose(rows[~zero], src[~zero] / keep, rtol=1e-6)
        assert abs(zero.mean() - 0.2) < 0.03


def test_survival_probabilities_linear_rule():
    probs = survival_probabilities(4, p_last=0.5)
    np.testing.assert_allclose(probs, [0.875, 0.75, 0.625, 0.5])
    # ResNet-110 has 54 residual blocks: about 40 survive on average, (3L - 1) / 4.
    assert survival_probabilities(54).sum() == pytest.approx(40.25)
    np.testing.assert_allclose(survival_probabilities(3, p_last=1.0), 1.0)
    np.testing.assert_allclose(survival_probabilities(2, p_last=0.0), [0.5, 0.0])
    np.testing.assert_allclose(survival_probabilities(1, p_last=0.3), [0.3])


def test_drop_path_batch_mode_drops_the_whole_batch_at_once():
    # Huang et al. 2016 (torchvision mode="batch"): one coin per mini-batch, so a dropped
    # block need not be computed at all; mode="row" mixes kept and dropped samples.
    rng = np.random.default_rng(2)
    x = rng.standard_normal((64, 3, 2, 2))
    dropped = 0
    for _ in range(2000):
        out = drop_path(x, 0.3, training=True, rng=rng, mode="batch")
        if np.all(out == 0):
            dropped += 1
        else:
            np.testing.assert_allclose(out, x / 0.7)  # every sample kept and rescaled
    assert abs(dropped / 2000 - 0.3) < 0.04
    rows = drop_path(x, 0.3, training=True, rng=rng, mode="row")
    zero = np.all(rows.reshape(64, -1) == 0, axis=1)
    assert 0 < zero.sum() < 64  # per sample: some rows dropped, some kept in one batch
    np.testing.assert_array_equal(drop_path(x, 0.3, training=False, mode="batch"), x)


def test_drop_path_bad_input():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="mode"):
        drop_path(x, 0.5, training=True, rng=np.random.default_rng(0), mode="sample")
    with pytest.raises(ValueError, match="drop_prob"):
        drop_path(x, 1.5, training=True, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"^rng must be a numpy Generator when training, got int$"):
        drop_path(x, 0.5, training=True, rng=0)
    with pytest.raises(ValueError, match=r"^x must have a batch axis first$"):
        drop_path(np.float64(1.0), 0.5, training=True, rng=np.random.default_rng(0))
    # integer inputs are computed in float: the kept rows are scaled by 1 / (1 - p)
    out = drop_path(np.ones((8, 3), dtype=int), 0.5, training=True, rng=np.random.default_rng(0))
    assert set(np.unique(out)) <= {0.0, 2.0}
    with pytest.raises(ValueError, match="num_blocks"):
        survival_probabilities(0)
    with pytest.raises(ValueError, match="p_last"):
        survival_probabilities(3, p_last=-0.1)
    with pytest.raises(ValueError, match=r"^p_last must be in \[0, 1\], got 1.5$"):
        survival_probabilities(3, p_last=1.5)
