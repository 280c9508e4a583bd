"""Theoretical receptive field of a stack of conv / pool layers, layer by layer.

A layer is (name, kernel_size, stride, dilation); padding does not change the size of
the receptive field, only where it sits.
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]

# --8<-- [start:receptive_field]
Layer = tuple[str, int, int, int]  # (name, kernel_size, stride, dilation)


def receptive_field(layers: list[Layer]) -> list[tuple[str, int, int]]:
    """(name, receptive field r_l, jump j_l) after every layer; r_0 = 1, j_0 = 1."""
    rf, jump, rows = 1, 1, []
    for layer in layers:
        if len(layer) != 4:
            raise ValueError(f"layers must hold (name, kernel, stride, dilation), got {layer!r}")
        name, k, s, d = layer
        if min(k, s, d) < 1:
            raise ValueError(f"layer {name!r}: kernel, stride and dilation must be >= 1")
        rf += d * (k - 1) * jump  # the dilated kernel spans d(k-1)+1 inputs spaced `jump` apart
        jump *= s  # distance in input pixels between neighbouring units of this layer
        rows.append((name, rf, jump))
    return rows


# --8<-- [end:receptive_field]


# --8<-- [start:stacks]
def conv(name: str, k: int = 3, s: int = 1, d: int = 1) -> Layer:
    """A conv or pool layer entry."""
    return (name, k, s, d)


VGG16 = [
    conv("conv1_1"), conv("conv1_2"), conv("pool1", 2, 2),
    conv("conv2_1"), conv("conv2_2"), conv("pool2", 2, 2),
    conv("conv3_1"), conv("conv3_2"), conv("conv3_3"), conv("pool3", 2, 2),
    conv("conv4_1"), conv("conv4_2"), conv("conv4_3"), conv("pool4", 2, 2),
    conv("conv5_1"), conv("conv5_2"), conv("conv5_3"), conv("pool5", 2, 2),
]  # fmt: skip

ALEXNET = [
    conv("conv1", 11, 4), conv("pool1", 3, 2),
    conv("conv2", 5), conv("pool2", 3, 2),
    conv("conv3"), conv("conv4"), conv("conv5"), conv("pool5", 3, 2),
]  # fmt: skip

DILATED_STACK = [conv("dil1", 3, 1, 1), conv("dil2", 3, 1, 2), conv("dil4", 3, 1, 4)]
# --8<-- [end:stacks]


# --8<-- [start:effective]
def impulse_response(n_layers: int, kernel_size: int = 3) -> np.ndarray:
    """Weight of each input offset in one output of n stacked uniform 1-D kernels (sums to 1)."""
    if n_layers < 1 or kernel_size < 1:
        raise ValueError("n_layers and kernel_size must be >= 1")
    response = np.ones(1)
    for _ in range(n_layers):
        response = np.convolve(response, np.full(kernel_size, 1.0 / kernel_size))
    return response


# --8<-- [end:effective]


def plot_effective_receptive_field(depths: tuple[int, ...] = (2, 8, 32)):
    """Impulse responses of deeper and deeper 3-tap stacks against their theoretical extent."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.4))
    for i, n in enumerate(depths):
        r = impulse_response(n)
        offsets = np.arange(len(r)) - n
        ax.plot(offsets, r / r.max(), color=f"C{i}", label=f"{n} 层：理论感受野 {2 * n + 1}")
        ax.axvspan(-n, n, color=f"C{i}", alpha=0.08)
    ax.set_xlabel("输入位置相对中心的偏移")
    ax.set_ylabel("对中心输出的影响（归一化）")
    ax.set_title("3 抽头均匀卷积堆叠：影响集中在中心，远小于理论感受野")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    vgg = {name: (rf, jump) for name, rf, jump in receptive_field(VGG16)}
    assert vgg["conv5_3"] == (196, 16)
    assert vgg["pool5"] == (212, 32)
    alex = {name: rf for name, rf, _ in receptive_field(ALEXNET)}
    assert alex["conv5"] == 163
    assert [rf for _, rf, _ in receptive_field(DILATED_STACK)] == [3, 7, 15]
    assert np.isclose(impulse_response(4).sum(), 1.0)
    print(receptive_field(ALEXNET))
