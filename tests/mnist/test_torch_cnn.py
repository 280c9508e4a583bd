"""The notes' CNN in PyTorch: layer shapes, parameter count, dropout, and it learns real digits."""

import numpy as np
import pytest
from mnist.idx import load_subset

torch = pytest.importorskip("torch", reason="the PyTorch version of the CNN needs PyTorch")
from mnist.torch_cnn import make_torch_cnn, predict_torch_cnn, to_nchw, train_torch_cnn  # noqa: E402


def test_architecture_is_the_notes_keras_model():
    model = make_torch_cnn()
    kinds = [type(m).__name__ for m in model]
    assert kinds == [
        "Conv2d", "ReLU", "Conv2d", "ReLU", "MaxPool2d", "Dropout",
        "Flatten", "Linear", "ReLU", "Dropout", "Linear",
    ]  # fmt: skip
    convs = [m for m in model if isinstance(m, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size, c.padding) for c in convs] == [
        (1, 32, (3, 3), (0, 0)),
        (32, 64, (3, 3), (0, 0)),
    ]
    assert [m.p for m in model if isinstance(m, torch.nn.Dropout)] == [0.25, 0.5]
    # by hand: 3*3*1*32 + 32, 3*3*32*64 + 64, 9216*128 + 128, 128*10 + 10
    total = sum(p.numel() for p in model.parameters())
    assert total == 320 + 18_496 + 1_179_776 + 1_290 == 1_199_882
    dense = model[7].weight.numel() + model[7].bias.numel()
    assert dense / total > 0.98  # the page: the first dense layer holds over 98 % of them


def test_shapes_after_each_layer():
    model = make_torch_cnn().eval()
    x = torch.zeros(2, 1, 28, 28)
    shapes = []
    for layer in model:
        x = layer(x)
        shapes.append(tuple(x.shape[1:]))
    assert shapes[0] == (32, 26, 26)  # 28 - 3 + 1, no padding
    assert shapes[2] == (64, 24, 24)
    assert shapes[4] == (64, 12, 12)
    assert shapes[6] == (9216,)
    assert shapes[-1] == (10,)


def test_dropout_only_in_training_mode():
    model = make_torch_cnn(seed=1)
    x = to_nchw(load_subset()[0][:8])
    model.train()
    assert not torch.equal(model(x), model(x))  # a fresh dropout mask each call
    model.eval()
    assert torch.equal(model(x), model(x))


def test_training_on_the_real_subset_learns():
    # One epoch on 2,000 real digits, judged on 1,000 others: random guessing scores 0.1.
    torch.set_num_threads(1)
    images, labels = load_subset()
    model = train_torch_cnn(images[:2000], labels[:2000], epochs=1, batch_size=32)
    accuracy = (predict_torch_cnn(model, images[4000:], batch_size=500) == labels[4000:]).mean()
    assert accuracy > 0.75


def test_bad_input():
    images = np.zeros((4, 28, 28), dtype=np.uint8)
    with pytest.raises(ValueError, match="images must be uint8"):
        to_nchw(images.astype(np.float32))
    with pytest.raises(ValueError, match="images must be uint8"):
        to_nchw(images[0])
    with pytest.raises(ValueError, match="labels must be integers of shape"):
        train_torch_cnn(images, np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2"):
        train_torch_cnn(images, np.array([0, 1, 2, 3]), n_classes=3)
    with pytest.raises(ValueError, match="n_classes"):
        make_torch_cnn(n_classes=1)
