"""The CNN of the original notes in Keras 3 (here on the PyTorch backend)."""

# --8<-- [start:imports]
import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # must be set before keras is imported

import keras
import numpy as np
from keras import layers

# --8<-- [end:imports]


# --8<-- [start:model]
def make_keras_cnn(n_classes: int = 10, total_steps: int = 1000, seed: int = 0) -> keras.Sequential:
    """conv32-conv64-pool-dropout-dense128-dropout-dense; logits out; Adam, cosine-decayed lr."""
    if not isinstance(n_classes, int) or n_classes < 2 or total_steps < 1:
        raise ValueError(
            f"need n_classes >= 2 and total_steps >= 1, got {n_classes}, {total_steps}"
        )
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),  # channels last: (height, width, channels)
            layers.Conv2D(32, kernel_size=3, activation="relu"),  # -> (26, 26, 32)
            layers.Conv2D(64, kernel_size=3, activation="relu"),  # -> (24, 24, 64)
            layers.MaxPooling2D(pool_size=2),  # -> (12, 12, 64)
            layers.Dropout(0.25),
            layers.Flatten(),  # -> 9216, in (row, column, channel) order
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(n_classes),  # logits: the softmax lives inside the loss
        ]
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
    x = rng.random((32, 28, 28, 1), dtype=np.float32)  # stand-ins for 32 images in [0, 1]
    y = rng.integers(0, 10, size=32)
    model = make_keras_cnn(total_steps=10)
    assert model.count_params() == 1_199_882  # the same as the PyTorch version
    losses = [float(model.train_on_batch(x, y)[0]) for _ in range(10)]
    assert losses[-1] < losses[0]
    assert model.predict(x, verbose=0).shape == (32, 10)
    # --8<-- [end:demo]
    print("losses on one random batch:", [round(v, 3) for v in losses])
