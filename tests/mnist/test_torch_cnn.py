"""The notes' CNN in PyTorch: layer shapes, parameter count, dropout, and it learns real digits."""

import numpy as np
import pytest
from mnist.idx import load_subset

torch = pytest.importorskip("torch", reason="the PyTorch version of the CNN needs PyTorch")
from mnist import torch_cnn  # noqa: E402
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
    seed_0 = make_torch_cnn(seed=0).parameters()  # the seed defaults to 0
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), seed_0, strict=True))
    assert make_torch_cnn(n_classes=2)[-1].out_features == 2


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
    assert model[-1].out_features == 10  # n_classes defaults to the ten digits


def test_training_starts_from_make_torch_cnn_with_the_seed():
    images, labels = load_subset()
    # One Adam step moves every weight by at most lr; the seed defaults to 0.
    for seed in (0, 7):
        options = {"seed": seed} if seed else {}
        model = train_torch_cnn(
            images[:4], labels[:4] % 3, n_classes=3, epochs=1, batch_size=4, lr=1e-4, **options
        )
        assert model[-1].out_features == 3
        start = make_torch_cnn(n_classes=3, seed=seed).parameters()
        moved = [(p - q).abs().max().item() for p, q in zip(model.parameters(), start, strict=True)]
        assert max(moved) < 1.001e-4


def recorded_steps(monkeypatch, *args, **kwargs) -> tuple[list[float], list[int]]:
    """Learning rate and batch size of every optimizer step of train_torch_cnn(*args, **kwargs).

    The loop does not depend on the network: a linear stand-in for the CNN keeps this cheap.
    """
    rates, sizes = [], []

    def linear_stand_in(n_classes, seed):
        torch.manual_seed(seed)
        linear = torch.nn.Linear(28 * 28, n_classes)
        linear.register_forward_pre_hook(lambda _, inputs: sizes.append(len(inputs[0])))
        return torch.nn.Sequential(torch.nn.Flatten(), linear)

    class RecordingAdam(torch.optim.Adam):
        def step(self, closure=None):
            rates.append(self.param_groups[0]["lr"])
            return super().step(closure)

    monkeypatch.setattr(torch_cnn, "make_torch_cnn", linear_stand_in)
    monkeypatch.setattr(torch.optim, "Adam", RecordingAdam)
    train_torch_cnn(*args, **kwargs)
    return rates, sizes


def test_learning_rate_follows_a_cosine_from_lr_to_zero(monkeypatch):
    images, labels = load_subset()
    rates, sizes = recorded_steps(monkeypatch, images[:10], labels[:10], epochs=2, batch_size=3)
    # 10 images in batches of 3: 4 steps per epoch (the last one with 1 image), 8 in all.
    np.testing.assert_allclose(rates, 1e-3 * 0.5 * (1 + np.cos(np.pi * np.arange(8) / 8)))
    assert sizes == [3, 3, 3, 1] * 2


def test_default_training_is_3_epochs_of_batches_of_128(monkeypatch):
    images, labels = load_subset()
    rates, sizes = recorded_steps(monkeypatch, images[:129], labels[:129])
    assert sizes == [128, 1] * 3
    assert rates[0] == pytest.approx(1e-3)


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
