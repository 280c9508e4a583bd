"""The same MNIST MLP in PyTorch: He initialisation, ReLU, cross-entropy on logits, Adam."""

# --8<-- [start:imports]
import itertools
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

# --8<-- [end:imports]


# --8<-- [start:model]
def make_torch_mlp(sizes: Sequence[int] = (784, 256, 128, 10), seed: int = 0) -> nn.Sequential:
    """Linear-ReLU-...-Linear; the last layer outputs logits (no softmax)."""
    if len(sizes) < 2:
        raise ValueError(f"sizes must hold at least two layer sizes, got {sizes}")
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        linear = nn.Linear(fan_in, fan_out)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")  # N(0, 2 / fan_in)
        nn.init.zeros_(linear.bias)
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers[:-1])  # drop the ReLU after the output layer


def train_step(
    model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor
) -> float:
    """One mini-batch update; cross_entropy = log_softmax + NLL, computed stably."""
    model.train()
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


# --8<-- [end:model]


# --8<-- [start:train]
def train_torch_mlp(
    x: np.ndarray,
    labels: np.ndarray,
    n_classes: int = 10,
    hidden: Sequence[int] = (256, 128),
    epochs: int = 5,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
) -> nn.Sequential:
    """Same schedule as the numpy version: Adam, cosine decay of lr to 0 over all steps."""
    if not isinstance(n_classes, int | np.integer) or n_classes < 2:
        raise ValueError(f"n_classes must be an int >= 2, got {n_classes!r}")
    if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"labels must be integers in 0..{n_classes - 1}")
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))
    model = make_torch_mlp((x.shape[1], *hidden, n_classes), seed=seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(x) // batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    generator = torch.Generator().manual_seed(seed + 1)
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            train_step(model, optimizer, x_t[batch], y_t[batch])
            schedule.step()
    return model


@torch.no_grad()
def predict_torch(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """Predicted classes for float32 rows x."""
    model.eval()
    return model(torch.from_numpy(x)).argmax(dim=1).numpy()


# --8<-- [end:train]


if __name__ == "__main__":
    # --8<-- [start:demo]
    model = make_torch_mlp((784, 256, 128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(64, 784)  # stand-ins for 64 flattened images in [0, 1]
    y = torch.randint(0, 10, (64,))
    losses = [train_step(model, optimizer, x, y) for _ in range(5)]
    assert losses[-1] < losses[0]
    assert model(x).shape == (64, 10)
    # --8<-- [end:demo]
    print("losses on one random batch:", [round(v, 3) for v in losses])
