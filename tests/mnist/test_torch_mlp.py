"""The PyTorch MLP: same architecture and initialisation as the numpy one, and it learns."""

import numpy as np
import pytest
from mnist.idx import load_subset
from mnist.mlp import forward, preprocess, softmax_cross_entropy

torch = pytest.importorskip("torch", reason="the PyTorch version of the MLP needs PyTorch")
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


def test_bad_sizes():
    with pytest.raises(ValueError, match="sizes"):
        make_torch_mlp((784,))
    x = np.zeros((2, 4), dtype=np.float32)
    with pytest.raises(ValueError, match="labels"):
        train_torch_mlp(x, np.array([0, 3]), n_classes=3)
    with pytest.raises(ValueError, match="n_classes"):
        train_torch_mlp(x, np.array([0, 0]), n_classes=1)
