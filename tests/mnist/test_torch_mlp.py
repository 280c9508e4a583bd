"""The PyTorch MLP: same architecture and initialisation as the numpy one, and it learns."""

import numpy as np
import pytest
from mnist.idx import load_subset
from mnist.mlp import forward, preprocess, softmax_cross_entropy

torch = pytest.importorskip("torch", reason="the PyTorch version of the MLP needs PyTorch")
from mnist import torch_mlp  # noqa: E402
from mnist.torch_mlp import make_torch_mlp, predict_torch, train_step, train_torch_mlp  # noqa: E402


def numpy_params(model) -> list[np.ndarray]:
    """[W1, b1, ...] in the numpy layout (fan_in, fan_out) from nn.Linear's (out, in)."""
    params = []
    for layer in model:
        if isinstance(layer, torch.nn.Linear):
            params += [layer.weight.detach().numpy().T.copy(), layer.bias.detach().numpy().copy()]
    return params


def test_architecture_and_he_init():
    model = make_torch_mlp((784, 256, 128, 10))
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(784, 256), (256, 128), (128, 10)]
    assert sum(isinstance(m, torch.nn.ReLU) for m in model) == 2
    assert isinstance(model[-1], torch.nn.Linear)  # logits, no activation at the end
    assert linears[0].weight.std().item() == pytest.approx(np.sqrt(2 / 784), rel=0.02)
    assert all(not m.bias.any() for m in linears)
    default = numpy_params(make_torch_mlp())  # the demo's network: these sizes and seed 0
    seed_0 = numpy_params(make_torch_mlp((784, 256, 128, 10), seed=0))
    assert all(np.array_equal(a, b) for a, b in zip(default, seed_0, strict=True))
    # two sizes: a single linear layer, i.e. softmax regression on the logits
    assert [type(m) for m in make_torch_mlp((4, 3))] == [torch.nn.Linear]


def test_same_logits_and_loss_as_the_numpy_network():
    model = make_torch_mlp((784, 32, 10), seed=3)
    images, labels = load_subset()
    x = preprocess(images[:50])
    logits_np, _ = forward(numpy_params(model), x)
    logits_t = model(torch.from_numpy(x))
    np.testing.assert_allclose(logits_np, logits_t.detach().numpy(), rtol=1e-4, atol=1e-5)
    loss_t = torch.nn.functional.cross_entropy(
        logits_t, torch.from_numpy(labels[:50].astype(np.int64))
    )
    loss_np, _ = softmax_cross_entropy(logits_np, labels[:50])
    assert loss_np == pytest.approx(loss_t.item(), rel=1e-5)


def test_train_step_lowers_the_loss():
    model = make_torch_mlp((20, 16, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, y = torch.randn(32, 20, generator=torch.Generator().manual_seed(0)), torch.arange(32) % 3
    losses = [train_step(model, optimizer, x, y) for _ in range(20)]
    assert all(isinstance(v, float) for v in losses)
    assert losses[-1] < losses[0] / 2


def small_data(n: int, n_classes: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 5), dtype=np.float32), rng.integers(0, n_classes, n)


def recorded_steps(monkeypatch, *args, **kwargs) -> list[tuple[float, int]]:
    """(learning rate, batch size) of every optimizer step of train_torch_mlp(*args, **kwargs)."""
    steps = []

    def recording_train_step(model, optimizer, x, y):
        steps.append((optimizer.param_groups[0]["lr"], len(x)))
        return train_step(model, optimizer, x, y)

    monkeypatch.setattr(torch_mlp, "train_step", recording_train_step)
    train_torch_mlp(*args, **kwargs)
    return steps


def test_learning_rate_follows_a_cosine_from_lr_to_zero(monkeypatch):
    x, y = small_data(10)
    steps = recorded_steps(monkeypatch, x, y, hidden=(4,), epochs=2, batch_size=3, lr=0.01)
    # 10 examples in batches of 3: 4 steps per epoch (the last one with 1 example), 8 in all,
    # the same schedule as train_mlp in mnist/mlp.py.
    rates, sizes = zip(*steps, strict=True)
    np.testing.assert_allclose(rates, 0.01 * 0.5 * (1 + np.cos(np.pi * np.arange(8) / 8)))
    assert sizes == (3, 3, 3, 1) * 2


def test_default_training_is_5_epochs_of_batches_of_128_at_lr_1e_3(monkeypatch):
    x, y = small_data(129)
    steps = recorded_steps(monkeypatch, x, y, hidden=(4,))
    assert [size for _, size in steps] == [128, 1] * 5
    assert steps[0][0] == pytest.approx(1e-3)


def test_training_starts_from_make_torch_mlp_with_the_seed():
    x, y = small_data(8)
    # One Adam step moves every weight by at most lr = 1e-3; the seed defaults to 0.
    for seed in (0, 7):
        options = {"seed": seed} if seed else {}
        model = train_torch_mlp(x, y, hidden=(4,), epochs=1, batch_size=8, **options)
        start = numpy_params(make_torch_mlp((5, 4, 10), seed=seed))
        moved = [np.abs(p - q).max() for p, q in zip(numpy_params(model), start, strict=True)]
        assert max(moved) < 1.001e-3


def test_training_on_the_real_subset():
    torch.set_num_threads(1)
    images, labels = load_subset()
    x = preprocess(images)
    model = train_torch_mlp(x[:2000], labels[:2000], hidden=(64,), epochs=4, batch_size=32)
    assert (predict_torch(model, x[4000:]) == labels[4000:]).mean() > 0.8


def test_output_layer_has_ten_classes_even_if_the_subset_lacks_some():
    torch.set_num_threads(1)
    images, labels = load_subset()
    keep = labels[:600] != 9  # a training subset with no 9s
    x, y = preprocess(images[:600][keep]), labels[:600][keep]
    model = train_torch_mlp(x, y, hidden=(8,), epochs=1, batch_size=64)
    assert model[-1].out_features == 10
    assert train_torch_mlp(x, y % 3, n_classes=3, hidden=(8,), epochs=1)[-1].out_features == 3
    assert train_torch_mlp(x, y % 2, n_classes=2, hidden=(8,), epochs=1)[-1].out_features == 2


def test_bad_sizes():
    with pytest.raises(ValueError, match=r"^sizes must hold at least two layer sizes, got"):
        make_torch_mlp((784,))
    x = np.zeros((2, 4), dtype=np.float32)
    for labels in ([0, 3], [-1, 0], [0.0, 1.0]):  # too large, negative, not integers
        with pytest.raises(ValueError, match=r"^labels must be integers in 0\.\.2$"):
            train_torch_mlp(x, np.array(labels), n_classes=3)
    for n_classes in (1, 3.0):
        with pytest.raises(ValueError, match=r"^n_classes must be an int >= 2, got"):
            train_torch_mlp(x, np.array([0, 0]), n_classes=n_classes)
