"""Uniform (affine) quantisation to b-bit integers and back, per tensor or per channel, in numpy.

Symmetric: q in [-(2^(b-1) - 1), 2^(b-1) - 1], scale = max|x| / (2^(b-1) - 1), zero point 0.
Asymmetric: q in [0, 2^b - 1]; the range [min, max] is widened to include 0 so that 0 is
exact; scale = (max - min) / (2^b - 1), zero_point = round(-min / scale).
x ≈ (q - zero_point) * scale, with |error| <= scale / 2. Rounding is half to even (np.round),
as in PyTorch. An all-zero tensor (or channel) gets scale 0 and q = zero_point = 0.

Conventions differ between libraries. The symmetric grid here is the narrow one, [-127, 127]
for int8, as TensorRT and TFLite use for weights. PyTorch's MinMaxObserver(qint8,
per_tensor_symmetric) uses the full [-128, 127] with scale = max|x| / 127.5 unless it is
given quant_min=-127, quant_max=127; its asymmetric quint8 parameters equal the ones here.
PyTorch's observers also clamp the scale to float32 eps instead of returning 0, so that code
dividing by the scale (fake quantisation) never divides by zero.
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def quantize_whiteboard(x, bits=8, symmetric=True):
    """逐张量量化：返回整数 q、scale 和 zero_point（x 不能全为 0）。"""
    if symmetric:
        qmax = 2 ** (bits - 1) - 1
        scale = np.abs(x).max() / qmax
        return np.clip(np.round(x / scale), -qmax, qmax), scale, 0
    lo, hi = min(x.min(), 0.0), max(x.max(), 0.0)  # 范围包含 0，0 才能精确表示
    scale = (hi - lo) / (2**bits - 1)
    zero_point = np.round(-lo / scale)
    return np.clip(np.round(x / scale) + zero_point, 0, 2**bits - 1), scale, zero_point


def dequantize_whiteboard(q, scale, zero_point):
    """反量化：x ≈ (q - zero_point) * scale。"""
    return (q - zero_point) * scale


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _check_bits(bits) -> int:
    if isinstance(bits, bool) or not isinstance(bits, int | np.integer):
        raise TypeError(f"bits must be an int, got {type(bits).__name__}")
    if not 2 <= bits <= 16:
        raise ValueError(f"bits must be in [2, 16], got {bits}")
    return int(bits)


def _check_axis(axis, ndim: int) -> int | None:
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise TypeError(f"axis must be an int or None, got {type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for an array of {ndim} dimension(s)")
    return int(axis) % ndim


def _check_real(x, name: str) -> np.ndarray:
    x = np.asarray(x)
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    x = x.astype(np.float64)  # pragma: no mutate (astype(None) casts to float64 too)
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    return x


def _channel_shape(ndim: int, axis: int | None) -> tuple[int, ...]:
    """Shape that broadcasts a per-channel vector along `axis` (or a scalar if None)."""
    if axis is None:
        return ()
    return tuple(-1 if d == axis else 1 for d in range(ndim))


# --8<-- [end:check]


# --8<-- [start:quantize]
def quantize(x, *, bits: int = 8, symmetric: bool = True, axis: int | None = None):
    """x -> (q, scale, zero_point) with x ≈ (q - zero_point) * scale; per channel if axis."""
    x = _check_real(x, "x")
    bits = _check_bits(bits)
    axis = _check_axis(axis, x.ndim)
    if x.size == 0:
        raise ValueError("x must not be empty: its range defines the scale")
    reduce = None if axis is None else tuple(d for d in range(x.ndim) if d != axis)
    shape = _channel_shape(x.ndim, axis)
    if symmetric:
        qmin, qmax = -(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1
        scale = np.max(np.abs(x), axis=reduce) / qmax
        zero_point = np.zeros_like(scale, dtype=np.int64)
    else:
        qmin, qmax = 0, 2**bits - 1
        lo = np.minimum(np.min(x, axis=reduce), 0.0)  # widen the range to include 0,
        hi = np.maximum(np.max(x, axis=reduce), 0.0)  # so that 0 is exactly q = zero_point
        scale = (hi - lo) / qmax
        safe = np.where(scale > 0, scale, 1.0)
        zero_point = np.where(scale > 0, np.round(-lo / safe), 0).astype(np.int64)
    # An all-zero tensor or channel has scale 0: every q is its zero point (0), exactly.
    safe = np.where(scale > 0, scale, 1.0).reshape(shape)
    q = np.round(x / safe) + zero_point.reshape(shape)  # np.round: half to even, like torch
    q = np.clip(q, qmin, qmax)
    if symmetric:
        dtype = np.int8 if bits <= 8 else np.int16
    else:
        dtype = np.uint8 if bits <= 8 else np.uint16
    return q.astype(dtype), np.asarray(scale, dtype=np.float64), zero_point


# --8<-- [end:quantize]


# --8<-- [start:dequantize]
def dequantize(q, scale, zero_point, *, axis: int | None = None) -> np.ndarray:
    """(q - zero_point) * scale, with per-channel scale and zero_point along axis."""
    q = np.asarray(q)
    if not np.issubdtype(q.dtype, np.integer):
        raise TypeError(f"q must hold integers, got dtype {q.dtype}")
    axis = _check_axis(axis, q.ndim)
    scale = _check_real(scale, "scale")
    zero_point = np.asarray(zero_point)
    if not np.issubdtype(zero_point.dtype, np.integer):
        raise TypeError(f"zero_point must hold integers, got dtype {zero_point.dtype}")
    expected = () if axis is None else (q.shape[axis],)
    if scale.shape != expected or zero_point.shape != expected:
        raise ValueError(
            f"scale and zero_point must have shape {expected} for axis={axis}, "
            f"got {scale.shape} and {zero_point.shape}"
        )
    if (scale < 0).any():
        raise ValueError("scale must be >= 0")
    shape = _channel_shape(q.ndim, axis)
    return (q.astype(np.int64) - zero_point.reshape(shape)) * scale.reshape(shape)


# --8<-- [end:dequantize]


# --8<-- [start:plot]
def plot_quantizers(bits: int = 3):
    """The round trip x -> dequantize(quantize(x)) on [0, 1] (a ReLU output), both grids."""
    import matplotlib.pyplot as plt

    x = np.linspace(0.0, 1.0, 1201)
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    ax.plot(x, x, color="0.6", lw=0.8, label="x")
    for symmetric, name in ((True, "symmetric"), (False, "asymmetric")):
        q, scale, zp = quantize(x, bits=bits, symmetric=symmetric)
        ax.step(x, dequantize(q, scale, zp), where="mid", label=f"{name}, {bits} bits")
    ax.set_xlabel("x")
    ax.set_ylabel("dequantize(quantize(x))")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    w = np.array([[-127.0, 63.5, 32.5], [0.2, -0.1, 0.0]])
    q, s, z = quantize(w, bits=8)
    assert q.dtype == np.int8
    assert q[0].tolist() == [-127, 64, 32]  # scale 1; halves round to even: 63.5 -> 64, 32.5 -> 32
    assert s == 1.0
    assert z == 0
    qc, sc, zc = quantize(w, bits=8, axis=0)  # per output channel: the small row keeps detail
    assert np.abs(dequantize(qc, sc, zc, axis=0) - w).max() <= sc.max() / 2
    qa, sa, za = quantize(np.array([0.5, 1.0, 2.0]), bits=8, symmetric=False)
    assert qa.dtype == np.uint8
    assert za == 0  # the range was widened to [0, 2]
    assert np.array_equal(quantize(np.zeros(3))[0], [0, 0, 0])
    print("q", q.tolist(), "scale", float(s))
