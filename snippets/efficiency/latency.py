"""The roofline model: attainable throughput from arithmetic intensity, peak FLOP/s and bandwidth.

Intensities assume the ideal case of each tensor read or written once from DRAM (perfect
on-chip reuse), counting 2 FLOPs per multiply-add. Published peak numbers of an A100 SXM
80 GB (NVIDIA A100 datasheet): 312 TFLOP/s fp16 Tensor Core (dense), 2,039 GB/s HBM2e; and
78 TFLOP/s fp16 without Tensor Cores (NVIDIA A100 Tensor Core GPU Architecture whitepaper).
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]

# --8<-- [start:a100]
A100_FP16_PEAK = 312e12  # FLOP/s, fp16/bf16 Tensor Core, dense (624e12 with 2:4 sparsity)
A100_BANDWIDTH = 2039e9  # bytes/s, HBM2e of the 80 GB SXM board (the 40 GB board: 1,555 GB/s)
A100_FP16_NON_TENSOR_PEAK = 78e12  # FLOP/s, fp16 on the CUDA cores, without Tensor Cores
# --8<-- [end:a100]


# --8<-- [start:check]
def _check_positive(value, name: str) -> np.ndarray:
    value = np.asarray(value)
    if not (np.issubdtype(value.dtype, np.integer) or np.issubdtype(value.dtype, np.floating)):
        raise TypeError(f"{name} must be a real number, got dtype {value.dtype}")
    if not (np.isfinite(value).all() and (value > 0).all()):
        raise ValueError(f"{name} must be finite and > 0, got {value}")
    return value.astype(np.float64)  # pragma: no mutate (astype(None) is float64 as well)


def _check_sizes(**sizes) -> None:
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")


# --8<-- [end:check]


# --8<-- [start:roofline]
def attainable_flops(intensity, peak_flops: float, bandwidth: float):
    """Roofline: min(peak FLOP/s, bandwidth (bytes/s) * intensity (FLOP/byte))."""
    intensity = _check_positive(intensity, "intensity")
    peak_flops = _check_positive(peak_flops, "peak_flops")
    bandwidth = _check_positive(bandwidth, "bandwidth")
    return np.minimum(peak_flops, bandwidth * intensity)


def ridge_point(peak_flops: float, bandwidth: float) -> float:
    """The intensity (FLOP/byte) at which a kernel stops being memory-bound."""
    return float(
        _check_positive(peak_flops, "peak_flops") / _check_positive(bandwidth, "bandwidth")
    )


# --8<-- [end:roofline]


# --8<-- [start:intensity]
def matmul_intensity(m: int, n: int, k: int, bytes_per_value: int = 2) -> float:
    """(m, k) @ (k, n): 2mnk FLOPs over reading A and B and writing C once."""
    _check_sizes(m=m, n=n, k=k, bytes_per_value=bytes_per_value)
    flops = 2 * m * n * k
    moved = bytes_per_value * (m * k + k * n + m * n)
    return flops / moved


def depthwise_conv_intensity(
    channels: int, height: int, width: int, kernel: int = 3, bytes_per_value: int = 2
) -> float:
    """k x k depthwise conv, stride 1, same padding: 2 k² FLOPs per output over in + out + w."""
    _check_sizes(
        channels=channels,
        height=height,
        width=width,
        kernel=kernel,
        bytes_per_value=bytes_per_value,
    )
    outputs = channels * height * width
    flops = 2 * kernel * kernel * outputs
    moved = bytes_per_value * (2 * outputs + channels * kernel * kernel)
    return flops / moved


# --8<-- [end:intensity]


# --8<-- [start:plot]
def plot_roofline(
    points: dict[str, float], peak: float = A100_FP16_PEAK, bw: float = A100_BANDWIDTH
):
    """Log-log roofline of one GPU with the given kernels (name -> intensity) marked."""
    import matplotlib.pyplot as plt

    intensity = np.logspace(-1, 4, 400)
    fig, ax = plt.subplots(figsize=(5.4, 3.4))
    ax.loglog(intensity, attainable_flops(intensity, peak, bw) / 1e12, lw=2, label="roofline")
    ridge = ridge_point(peak, bw)
    ax.axvline(ridge, color="0.6", ls=":", lw=1)
    ax.annotate(f"ridge {ridge:.0f} FLOP/B", (ridge, peak / 1e12 / 6), fontsize=8, ha="center")
    for (name, ai), marker in zip(points.items(), "osd^v", strict=False):
        ax.plot(ai, attainable_flops(ai, peak, bw) / 1e12, marker, ms=7, label=f"{name}: {ai:.3g}")
    ax.set_xlabel("arithmetic intensity (FLOP/byte)")
    ax.set_ylabel("attainable TFLOP/s")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    ridge = ridge_point(A100_FP16_PEAK, A100_BANDWIDTH)
    assert 150 < ridge < 156  # 312e12 / 2039e9 ≈ 153 FLOP per byte
    big = matmul_intensity(4096, 4096, 4096)
    assert np.isclose(big, 4096 / 3)  # square fp16 matmul: n / 3
    assert attainable_flops(big, A100_FP16_PEAK, A100_BANDWIDTH) == A100_FP16_PEAK
    dw = depthwise_conv_intensity(128, 56, 56)
    assert 4 < dw < 4.5  # about k² / 2 for fp16
    print(f"ridge {ridge:.1f}, matmul {big:.0f}, depthwise {dw:.2f} FLOP/B")
