"""Squeeze-and-Excitation (SE) block forward pass in numpy, and its parameter overhead.

Weights use nn.Linear's layout: fc1 weight (C/r, C), fc2 weight (C, C/r).
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:se_block]
def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function, without overflow for large |z|."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def se_scale(
    x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray
) -> np.ndarray:
    """Channel weights s in (0, 1), shape (N, C): sigmoid(W2 ReLU(W1 GAP(x) + b1) + b2)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {x.shape}")
    c = x.shape[1]
    hidden = np.shape(w1)[0]
    if np.shape(w1) != (hidden, c) or np.shape(w2) != (c, hidden):
        raise ValueError(
            f"w1 must be (C/r, C) and w2 (C, C/r) for C={c}, got {np.shape(w1)}, {np.shape(w2)}"
        )
    if np.shape(b1) != (hidden,) or np.shape(b2) != (c,):
        raise ValueError(f"b1 must be ({hidden},) and b2 ({c},)")
    z = x.mean(axis=(2, 3))  # squeeze: global average pool, (N, C)
    h = np.maximum(z @ np.transpose(w1) + b1, 0.0)  # excitation: FC C -> C/r, ReLU
    return sigmoid(h @ np.transpose(w2) + b2)  # FC C/r -> C, sigmoid


def se_block(
    x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray
) -> np.ndarray:
    """Rescale every channel of x (N, C, H, W) by its SE weight."""
    s = se_scale(x, w1, b1, w2, b2)
    return np.asarray(x, dtype=np.float64) * s[:, :, None, None]


# --8<-- [end:se_block]


# --8<-- [start:se_params]
def se_params(channels: int, reduction: int = 16, bias: bool = True) -> int:
    """Parameters of one SE block: 2 C^2 / r weights (+ C/r + C biases)."""
    if channels < 1 or reduction < 1 or channels % reduction:
        raise ValueError(f"reduction={reduction} must divide channels={channels}")
    hidden = channels // reduction
    return 2 * channels * hidden + ((hidden + channels) if bias else 0)


# --8<-- [end:se_params]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    c, r = 32, 16
    demo_x = rng.standard_normal((2, c, 5, 5))
    weights = (
        rng.standard_normal((c // r, c)),
        rng.standard_normal(c // r),
        rng.standard_normal((c, c // r)),
        rng.standard_normal(c),
    )
    s = se_scale(demo_x, *weights)
    assert s.shape == (2, c)
    assert ((s > 0) & (s < 1)).all()
    assert np.allclose(se_block(demo_x, *weights), demo_x * s[:, :, None, None])
    assert se_params(256, 16, bias=False) == 2 * 256**2 // 16
    print("SE params for C=256, r=16:", se_params(256))
