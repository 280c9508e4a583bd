"""The CNN of the original notes in PyTorch: conv32-conv64-pool-dropout-dense128-dropout-dense10."""

# --8<-- [start:imports]
import numpy as np
import torch
from torch import nn

# --8<-- [end:imports]


# --8<-- [start:model]
def make_torch_cnn(n_classes: int = 10, seed: int = 0) -> nn.Sequential:
    """The notes' Keras CNN: two 3x3 valid convs with ReLU, 2x2 max pool, dropout, two denses."""
    if not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"n_classes must be an int >= 2, got {n_classes!r}")
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=3),  # (N, 1, 28, 28) -> (N, 32, 26, 26), no padding
        nn.ReLU(),
        nn.Conv2d(32, 64, kernel_size=3),  # -> (N, 64, 24, 24)
        nn.ReLU(),
        nn.MaxPool2d(2),  # -> (N, 64, 12, 12)
        nn.Dropout(0.25),
        nn.Flatten(),  # -> (N, 9216), in (channel, row, column) order
        nn.Linear(64 * 12 * 12, 128),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, n_classes),  # logits: the softmax lives inside cross_entropy
    )


# --8<-- [end:model]


# --8<-- [start:train]
def to_nchw(images: np.ndarray) -> torch.Tensor:
    """uint8 images (N, 28, 28) -> float32 tensor (N, 1, 28, 28) scaled to [0, 1]."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"images must be uint8 (N, H, W), got {images.dtype} {images.shape}")
    return torch.from_numpy(images[:, None].astype(np.float32) / np.float32(255))


def train_torch_cnn(
    images: np.ndarray,
    labels: np.ndarray,
    n_classes: int = 10,
    epochs: int = 3,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
) -> nn.Sequential:
    """Adam with the lr decayed to 0 along a cosine over all steps; reshuffled every epoch."""
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or labels.shape != (len(images),):
        raise ValueError(f"labels must be integers of shape ({len(images)},), got {labels.shape}")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"labels must lie in 0..{n_classes - 1}")
    x, y = to_nchw(images), torch.from_numpy(labels.astype(np.int64))
    model = make_torch_cnn(n_classes, seed=seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(x) // batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    generator = torch.Generator().manual_seed(seed + 1)
    model.train()  # dropout on
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
            schedule.step()
    return model


@torch.no_grad()
def predict_torch_cnn(model: nn.Module, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Predicted digits for uint8 images (N, 28, 28); eval() turns dropout off."""
    model.eval()
    x = to_nchw(images)
    chunks = [model(x[i : i + batch_size]).argmax(1) for i in range(0, len(x), batch_size)]
    return torch.cat(chunks).numpy()


# --8<-- [end:train]


if __name__ == "__main__":
    # --8<-- [start:demo]
    model = make_torch_cnn()
    assert sum(p.numel() for p in model.parameters()) == 1_199_882
    x = torch.rand(8, 1, 28, 28)  # stand-ins for 8 images in [0, 1]
    assert model(x).shape == (8, 10)
    assert [tuple(model[:i](x).shape[1:]) for i in (1, 3, 5, 7)] == [
        (32, 26, 26),
        (64, 24, 24),
        (64, 12, 12),
        (9216,),
    ]
    # --8<-- [end:demo]
