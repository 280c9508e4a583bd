"""Residual blocks against a PyTorch implementation with the same weights; parameter counts."""

import numpy as np
import pytest
from cnn.resnet import basic_block, basic_block_params, bottleneck_params, relu, resnet_params


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
    with pytest.raises(ValueError, match="w_proj"):
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


def test_resnet_params_bad_input():
    with pytest.raises(ValueError, match="blocks"):
        resnet_params((2, 2, 2))
