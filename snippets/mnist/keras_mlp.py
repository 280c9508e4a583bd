"""The same MNIST MLP in Keras 3 (multi-backend Keras; here on the PyTorch backend)."""

# --8<-- [start:imports]
import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # must be set before keras is imported

import keras
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:model]
def make_keras_mlp(
    sizes: tuple[int, ...] = (784, 256, 128, 10), total_steps: int = 1000, seed: int = 0
) -> keras.Sequential:
    """Dense-ReLU layers with He init, logits out, Adam with cosine decay of the lr to 0."""
    if len(sizes) < 2 or total_steps < 1:
        raise ValueError(f"need >= 2 sizes and total_steps >= 1, got {sizes}, {total_steps}")
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input(shape=(sizes[0],))]
        + [
            keras.layers.Dense(n, activation="relu", kernel_initializer="he_normal")
            for n in sizes[1:-1]
        ]
        + [keras.layers.Dense(sizes[-1])]  # logits: the softmax lives inside the loss
    )
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=total_steps)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule, epsilon=1e-8),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


# --8<-- [end:model]


if __name__ == "__main__":
    # --8<-- [start:demo]
    rng = np.random.default_rng(0)
    x = rng.random((64, 784), dtype=np.float32)  # stand-ins for 64 flattened images
    y = rng.integers(0, 10, size=64)
    model = make_keras_mlp((784, 256, 128, 10), total_steps=5)
    losses = [float(model.train_on_batch(x, y)[0]) for _ in range(5)]
    assert losses[-1] < losses[0]
    assert model.predict(x, verbose=0).shape == (64, 10)
    # --8<-- [end:demo]
    print("losses on one random batch:", [round(v, 3) for v in losses])
