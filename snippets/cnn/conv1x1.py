"""A 1x1 convolution is a fully connected layer applied to every pixel's channel vector."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:conv1x1]
def conv1x1(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """1x1 convolution (N, C_in, H, W) -> (N, C_out, H, W) with weight (C_out, C_in)."""
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    if x.ndim != 4 or weight.ndim != 2 or weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"need x (N, C_in, H, W) and weight (C_out, C_in), got {x.shape}, {weight.shape}"
        )
    out = np.einsum("nchw,oc->nohw", x, weight)  # mixes channels, never neighbouring pixels
    if bias is not None:
        if np.shape(bias) != (weight.shape[0],):
            raise ValueError(f"bias must have shape ({weight.shape[0]},), got {np.shape(bias)}")
        out = out + np.asarray(bias, dtype=np.float64)[:, None, None]
    return out


def per_pixel_linear(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None
) -> np.ndarray:
    """The same map written as nn.Linear on the (N*H*W, C_in) matrix of pixels."""
    n, c, h, w = x.shape
    pixels = x.transpose(0, 2, 3, 1).reshape(-1, c)  # one row per pixel
    out = pixels @ weight.T + (0.0 if bias is None else bias)
    return out.reshape(n, h, w, -1).transpose(0, 3, 1, 2)


# --8<-- [end:conv1x1]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    demo_x = rng.standard_normal((2, 8, 5, 4))
    demo_w, demo_b = rng.standard_normal((3, 8)), rng.standard_normal(3)
    y = conv1x1(demo_x, demo_w, demo_b)
    assert y.shape == (2, 3, 5, 4)
    assert np.allclose(y, per_pixel_linear(demo_x, demo_w, demo_b))
    print("1x1 conv == per-pixel linear:", y.shape)
