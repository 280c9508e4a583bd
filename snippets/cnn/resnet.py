"""ResNet residual blocks in numpy (BatchNorm left out), their parameter counts, a diagram."""

# --8<-- [start:imports]
import numpy as np
from cnn.convolution import conv2d, conv2d_params

# --8<-- [end:imports]


# --8<-- [start:basic_block]
def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0)."""
    return np.maximum(x, 0.0)


def basic_block(
    x: np.ndarray,
    w1: np.ndarray,
    w2: np.ndarray,
    stride: int = 1,
    w_proj: np.ndarray | None = None,
) -> np.ndarray:
    """y = ReLU(F(x) + shortcut(x)), F = conv3x3 -> ReLU -> conv3x3 (BN omitted)."""
    residual = conv2d(relu(conv2d(x, w1, stride=stride, padding=1)), w2, padding=1)
    if w_proj is None:  # identity shortcut: shapes must already agree
        if residual.shape != np.shape(x):
            raise ValueError(f"shape changes {np.shape(x)} -> {residual.shape}: pass w_proj")
        shortcut = np.asarray(x, dtype=np.float64)
    else:  # projection shortcut: 1x1 conv with the same stride
        shortcut = conv2d(x, w_proj, stride=stride)
    return relu(residual + shortcut)


# --8<-- [end:basic_block]


# --8<-- [start:block_params]
def basic_block_params(c: int) -> int:
    """Weights of two 3x3 convs C -> C (no bias, BN not counted)."""
    return 2 * conv2d_params(c, c, 3, bias=False)


def bottleneck_params(c: int, width: int) -> int:
    """Weights of 1x1 C -> width, 3x3 width -> width, 1x1 width -> C (no bias, BN not counted)."""
    return (
        conv2d_params(c, width, 1, bias=False)
        + conv2d_params(width, width, 3, bias=False)
        + conv2d_params(width, c, 1, bias=False)
    )


# --8<-- [end:block_params]


# --8<-- [start:resnet_params]
def resnet_params(
    blocks: tuple[int, ...] = (3, 4, 6, 3), bottleneck: bool = True, num_classes: int = 1000
) -> int:
    """Parameters of an ImageNet ResNet (torchvision layout: BN has 2 per channel, B shortcuts)."""
    if len(blocks) != 4 or min(blocks) < 1:
        raise ValueError(f"blocks must be four positive ints, got {blocks}")
    expansion = 4 if bottleneck else 1
    total = conv2d_params(3, 64, 7, bias=False) + 2 * 64  # stem: 7x7 conv + BN
    c_in = 64
    for stage, n in enumerate(blocks):
        width = 64 * 2**stage
        c_out = width * expansion
        for i in range(n):
            if bottleneck:
                convs = [(c_in, width, 1), (width, width, 3), (width, c_out, 1)]
            else:
                convs = [(c_in, width, 3), (width, width, 3)]
            total += sum(conv2d_params(a, b, k, bias=False) + 2 * b for a, b, k in convs)
            if i == 0 and (stage > 0 or c_in != c_out):  # projection shortcut: 1x1 conv + BN
                total += conv2d_params(c_in, c_out, 1, bias=False) + 2 * c_out
            c_in = c_out
    return total + c_in * num_classes + num_classes  # global pool, then the FC classifier


# --8<-- [end:resnet_params]


# --8<-- [start:whiteboard_drop_path]
def drop_path_whiteboard(x, p, training, rng):
    """DropPath：训练时每个样本的残差分支以概率 p 整个置零，保留的除以 1 - p。"""
    if not training or p == 0:
        return x
    keep = 1 - p
    mask = rng.random((x.shape[0],) + (1,) * (x.ndim - 1)) < keep  # 每个样本一个开关
    return x * mask / keep


# --8<-- [end:whiteboard_drop_path]


# --8<-- [start:drop_path]
def drop_path(
    x: np.ndarray,
    drop_prob: float = 0.0,
    training: bool = False,
    rng: np.random.Generator | None = None,
    scale_by_keep: bool = True,
    mode: str = "row",
) -> np.ndarray:
    """Stochastic depth. mode="row" (timm's drop_path): one coin per sample;
    mode="batch" (Huang et al. 2016): one coin for the whole mini-batch, like
    torchvision.ops.stochastic_depth's two modes.
    """
    if not 0.0 <= drop_prob <= 1.0:
        raise ValueError(f"drop_prob must be in [0, 1], got {drop_prob}")
    if mode not in ("row", "batch"):
        raise ValueError(f'mode must be "row" or "batch", got {mode!r}')
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0:
        raise ValueError("x must have a batch axis first")
    if drop_prob == 0.0 or not training:
        return x  # evaluation: the full branch, no rescaling (it was done during training)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator when training, got {type(rng).__name__}")
    keep_prob = 1.0 - drop_prob
    first = x.shape[0] if mode == "row" else 1  # "batch": the branch is kept or skipped for all
    mask = (rng.random((first,) + (1,) * (x.ndim - 1)) < keep_prob).astype(x.dtype)
    if keep_prob > 0.0 and scale_by_keep:
        mask /= keep_prob  # keeps E[output] = x
    return x * mask


def survival_probabilities(num_blocks: int, p_last: float = 0.5) -> np.ndarray:
    """Huang et al. 2016 linear decay: block l (1..L) survives with p_l = 1 - l / L · (1 - p_L)."""
    if not isinstance(num_blocks, int) or num_blocks < 1:
        raise ValueError(f"num_blocks must be a positive int, got {num_blocks!r}")
    if not 0.0 <= p_last <= 1.0:
        raise ValueError(f"p_last must be in [0, 1], got {p_last}")
    depth = np.arange(1, num_blocks + 1)
    return 1.0 - depth / num_blocks * (1.0 - p_last)


# --8<-- [end:drop_path]


def plot_block_column(ax, x0: float, boxes: list[tuple[str, str]], title: str, skip: str) -> None:
    """One block as a column of boxes, bottom to top, with a skip arc into the addition."""
    from matplotlib.patches import FancyBboxPatch

    ys = np.arange(len(boxes)) * 1.0 + 1.0
    ax.text(x0, 0.0, "x", ha="center", va="center", fontsize=12)
    prev = 0.25
    for y, (label, colour) in zip(ys, boxes, strict=True):
        ax.add_patch(
            FancyBboxPatch(
                (x0 - 1.1, y - 0.3), 2.2, 0.6, boxstyle="round,pad=0.02",
                facecolor=colour, alpha=0.35, edgecolor=colour,
            )
        )  # fmt: skip
        ax.text(x0, y, label, ha="center", va="center", fontsize=9)
        ax.annotate("", (x0, y - 0.32), (x0, prev), arrowprops={"arrowstyle": "->"})
        prev = y + 0.32
    top = ys[-1] + 1.0
    ax.text(x0, top, "⊕", ha="center", va="center", fontsize=16)
    ax.annotate("", (x0, top - 0.2), (x0, prev), arrowprops={"arrowstyle": "->"})
    side = x0 + 1.45  # the shortcut runs up the right-hand side of the column
    ax.plot([x0 + 0.15, side, side], [0.0, 0.0, top], color="C3")
    ax.annotate("", (x0 + 0.2, top), (side, top), arrowprops={"arrowstyle": "->", "color": "C3"})
    ax.text(side + 0.1, top / 2, skip, ha="left", va="center", fontsize=9, color="C3")
    ax.text(x0, top + 0.6, "ReLU → y", ha="center", va="center", fontsize=10)
    ax.annotate("", (x0, top + 0.4), (x0, top + 0.2), arrowprops={"arrowstyle": "->"})
    ax.text(x0, -0.8, title, ha="center", va="center", fontsize=11)


def plot_residual_blocks():
    """Diagram of a basic block, a bottleneck block and an SE-ResNet block."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5.6))
    conv, bn, se = "C0", "C1", "C2"
    plot_block_column(
        ax, 0.0, [("3×3 conv, 64", conv), ("BN, ReLU", bn), ("3×3 conv, 64", conv), ("BN", bn)],
        "基本块（ResNet-18/34）", "恒等\n或 1×1\n投影",
    )  # fmt: skip
    plot_block_column(
        ax, 4.6,
        [("1×1 conv, 64", conv), ("BN, ReLU", bn), ("3×3 conv, 64", conv), ("BN, ReLU", bn),
         ("1×1 conv, 256", conv), ("BN", bn)],
        "瓶颈块（ResNet-50/101/152）", "恒等",
    )  # fmt: skip
    plot_block_column(
        ax, 9.2,
        [("残差分支 F(x)", conv), ("全局平均池化", se), ("FC C→C/r, ReLU", se),
         ("FC C/r→C, sigmoid", se), ("按通道缩放 F(x)", se)],
        "SE-ResNet 块", "恒等",
    )  # fmt: skip
    ax.set_xlim(-1.6, 11.8)
    ax.set_ylim(-1.2, 8.2)
    ax.axis("off")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    demo_x = rng.standard_normal((1, 4, 6, 6))
    w = rng.standard_normal((4, 4, 3, 3)) * 0.1
    assert basic_block(demo_x, w, w).shape == (1, 4, 6, 6)
    # Zero residual weights: the block passes relu(x) through unchanged.
    assert np.allclose(basic_block(demo_x, 0 * w, 0 * w), relu(demo_x))
    w_down = rng.standard_normal((8, 4, 3, 3))
    y = basic_block(demo_x, w_down, rng.standard_normal((8, 8, 3, 3)), 2, np.ones((8, 4, 1, 1)))
    assert y.shape == (1, 8, 3, 3)
    assert bottleneck_params(256, 64) == 69632
    assert basic_block_params(256) == 1179648
    assert resnet_params((2, 2, 2, 2), bottleneck=False) == 11689512  # ResNet-18
    out = drop_path(np.ones((4, 3)), 0.5, training=True, rng=rng)
    assert set(np.unique(out)) <= {0.0, 2.0}  # each row dropped or scaled by 1 / (1 - p)
    assert np.isclose(survival_probabilities(54).sum(), (3 * 54 - 1) / 4)  # ResNet-110
    print("bottleneck / basic params:", bottleneck_params(256, 64) / basic_block_params(256))
