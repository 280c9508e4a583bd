"""quantize / dequantize against the definitions, the error bound, and torch's quantizers."""

import numpy as np
import pytest
from efficiency.quantization import (
    dequantize,
    dequantize_whiteboard,
    quantize,
    quantize_whiteboard,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays


def test_symmetric_hand_case():
    x = np.array([-2.54, 0.0, 1.0, 2.54])
    q, scale, zp = quantize(x, bits=8)
    assert scale == pytest.approx(2.54 / 127)  # = 0.02
    assert zp == 0
    assert q.dtype == np.int8
    assert q.tolist() == [-127, 0, 50, 127]
    for dq, dscale, dzp in (quantize(x), quantize_whiteboard(x)):  # the defaults: 8 bits, symmetric
        assert dq.tolist() == q.tolist()
        assert (dscale, dzp) == (scale, 0)


def test_asymmetric_hand_case():
    x = np.array([-1.0, 0.0, 0.5, 2.0])
    q, scale, zp = quantize(x, bits=2, symmetric=False)  # 4 levels over [-1, 2]
    assert scale == pytest.approx(1.0)
    assert zp == 1  # round(1 / 1)
    assert q.dtype == np.uint8
    # 0.5 / 1 = 0.5 rounds half to even: 0, plus the zero point 1.
    assert q.tolist() == [0, 1, 1, 3]
    np.testing.assert_allclose(dequantize(q, scale, zp), [-1.0, 0.0, 0.0, 2.0])
    wq, wscale, wzp = quantize_whiteboard(x, 2, symmetric=False)
    assert wq.tolist() == [0, 1, 1, 3]
    assert (wscale, wzp) == (1.0, 1)


def test_asymmetric_range_is_widened_to_include_zero():
    q, scale, zp = quantize(np.array([3.0, 4.0, 5.1]), bits=8, symmetric=False)
    assert q.dtype == np.uint8
    assert zp == 0  # min widened from 3 to 0
    assert q.tolist() == [150, 200, 255]  # 3 / (5.1 / 255) = 150
    assert scale == pytest.approx(5.1 / 255)
    q, scale, zp = quantize(np.array([-5.1, -3.0]), bits=8, symmetric=False)
    assert q.tolist() == [0, 105]
    assert zp == 255  # max widened to 0: zero is the top level
    assert dequantize(np.array([zp], dtype=np.uint8), scale, zp)[0] == 0.0


def test_clip_keeps_a_rounded_up_top_value_in_range():
    # s = 255 / 255 = 1, z = round(1.5) = 2 (half to even); 253.5 -> round 254 (even) + 2 = 256.
    x = np.array([-1.5, 253.5])
    q, scale, zp = quantize(x, bits=8, symmetric=False)
    assert (scale, zp) == (1.0, 2)
    assert q.tolist() == [0, 255]  # without the clip, 256 wraps to 0 in uint8
    assert np.abs(dequantize(q, scale, zp) - x).max() == 0.5  # still within half a step
    wq, _, _ = quantize_whiteboard(x, 8, symmetric=False)
    assert wq.tolist() == [0, 255]


def test_rounding_is_half_to_even():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 127.0])  # scale = 127 / 127 = 1 exactly
    q, scale, _ = quantize(x, bits=8)
    assert scale == 1.0
    assert q.tolist() == [0, 2, 2, 0, -2, 127]


def test_all_zero_tensor_and_channel():
    q, scale, zp = quantize(np.zeros((2, 3)), bits=8, symmetric=False)
    assert scale == 0.0
    assert zp == 0
    assert not q.any()
    assert not dequantize(q, scale, zp).any()
    x = np.array([[0.0, 0.0], [1.0, -2.0]])
    for symmetric in (True, False):
        q, scale, zp = quantize(x, symmetric=symmetric, axis=0)
        assert scale[0] == 0.0
        assert scale[1] > 0
        np.testing.assert_array_equal(dequantize(q, scale, zp, axis=0)[0], [0.0, 0.0])


def test_all_zero_input_divides_by_no_zero():
    # Scale 0 is replaced by 1 before dividing: no 0 / 0 (a NaN cast to an integer) anywhere.
    with np.errstate(all="raise"):
        for symmetric in (True, False):
            assert not quantize(np.zeros(3), symmetric=symmetric)[0].any()
            q, _, zp = quantize(np.array([[0.0, 0.0], [1.0, -2.0]]), symmetric=symmetric, axis=0)
            assert q[0].tolist() == [0, 0]
            assert zp[0] == 0


def test_integer_input_is_quantized_as_real_numbers():
    q, scale, zp = quantize(np.array([-127, 0, 64], dtype=np.int32))
    assert q.tolist() == [-127, 0, 64]
    assert (scale, zp) == (1.0, 0)
    assert scale.dtype == np.float64


def test_per_channel_beats_per_tensor_when_ranges_differ():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(4, 64)) * np.array([[10.0], [1.0], [0.1], [0.01]])
    q, s, z = quantize(w, bits=8)
    per_tensor = np.abs(dequantize(q, s, z) - w)[3].max()
    q, s, z = quantize(w, bits=8, axis=0)
    per_channel = np.abs(dequantize(q, s, z, axis=0) - w)[3].max()
    assert s.shape == z.shape == (4,)
    assert per_channel < per_tensor / 100


def test_bits_dtypes():
    x = np.linspace(-1, 1, 7)
    assert quantize(x, bits=4)[0].dtype == np.int8
    assert quantize(x, bits=12)[0].dtype == np.int16
    assert quantize(x, bits=16, symmetric=False)[0].dtype == np.uint16
    q9 = quantize(x, bits=9, symmetric=False)[0]  # 512 levels do not fit in uint8
    assert q9.dtype == np.uint16
    assert q9.max() == 511
    q, _, _ = quantize(x, bits=4)
    assert q.min() == -7
    assert q.max() == 7  # 2^(4-1) - 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x": np.array([1.0, np.nan])}, ValueError, r"^x must not contain NaN or inf$"),
        ({"x": np.array([])}, ValueError, r"^x must not be empty: its range defines the scale$"),
        ({"x": np.array(["a"])}, TypeError, r"^x must hold real numbers, got dtype [<>]U1$"),
        ({"x": np.ones(3), "bits": 1}, ValueError, "bits"),
        ({"x": np.ones(3), "bits": 17}, ValueError, r"^bits must be in \[2, 16\], got 17$"),
        ({"x": np.ones(3), "bits": 8.0}, TypeError, r"^bits must be an int, got float$"),
        ({"x": np.ones(3), "bits": True}, TypeError, "bits"),
        ({"x": np.ones(3), "axis": 1}, ValueError, "axis"),
        ({"x": np.ones(3), "axis": 0.0}, TypeError, r"^axis must be an int or None, got float$"),
    ],
)
def test_quantize_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        quantize(**kwargs)


def test_dequantize_bad_input():
    q = np.zeros((2, 3), dtype=np.int8)
    with pytest.raises(TypeError, match="q"):
        dequantize(q.astype(float), 1.0, 0)
    with pytest.raises(TypeError, match="zero_point"):
        dequantize(q, 1.0, 0.5)
    with pytest.raises(ValueError, match="shape"):
        dequantize(q, np.ones(3), np.zeros(3, int), axis=0)  # axis 0 has 2 channels
    with pytest.raises(ValueError, match="shape"):
        dequantize(q, np.ones(2), np.zeros(2, int))  # per-channel scale without axis
    with pytest.raises(
        ValueError, match=r"^scale and zero_point must have shape \(2,\) for axis=0, "
    ):
        dequantize(q, np.ones(2), np.zeros(3, int), axis=0)  # only zero_point is wrong
    with pytest.raises(ValueError, match=r"got \(3,\) and \(2,\)$"):
        dequantize(q, np.ones(3), np.zeros(2, int), axis=0)  # only scale is wrong
    with pytest.raises(ValueError, match=r"^scale must be >= 0$"):
        dequantize(q, -1.0, 0)
    with pytest.raises(ValueError, match=r"^scale must not contain NaN or inf$"):
        dequantize(q, np.nan, 0)


tensors = arrays(
    np.float64,
    array_shapes(min_dims=1, max_dims=3, max_side=5),
    elements=st.floats(-1e3, 1e3, allow_subnormal=False),
)


@settings(max_examples=60, deadline=None)
@given(
    tensors.map(lambda x: np.where(np.abs(x) < 1, 0.0, x)),  # some exact zeros
    st.integers(2, 16),
    st.booleans(),
    st.data(),
)
def test_round_trip_error_is_at_most_half_a_step(x, bits, symmetric, data):
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
    q, scale, zp = quantize(x, bits=bits, symmetric=symmetric, axis=axis)
    back = dequantize(q, scale, zp, axis=axis)
    shape = [1] * x.ndim
    if axis is not None:
        shape[axis] = -1
    step = np.reshape(scale, shape)
    assert (np.abs(back - x) <= step / 2 * (1 + 1e-9) + 1e-12).all()
    # The integers stay in range and 0 is represented exactly.
    lo, hi = (-(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1) if symmetric else (0, 2**bits - 1)
    assert q.min() >= lo
    assert q.max() <= hi
    assert not back[x == 0].any()


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 20), elements=st.floats(-10, 10)).filter(
        lambda x: np.abs(x).max() > 1e-3
    ),
    st.integers(2, 8),
    st.booleans(),
)
def test_whiteboard_matches_full_version(x, bits, symmetric):
    q, scale, zp = quantize(x, bits=bits, symmetric=symmetric)
    wq, wscale, wzp = quantize_whiteboard(x, bits, symmetric)
    np.testing.assert_array_equal(wq, q)
    assert wscale == scale
    assert wzp == zp
    np.testing.assert_allclose(dequantize_whiteboard(wq, wscale, wzp), dequantize(q, scale, zp))


@pytest.mark.filterwarnings("ignore:.*quantized tensor creation functions.*:UserWarning")
def test_against_torch_quantizers(torch):
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(6, 40)) * rng.uniform(0.1, 5, size=(6, 1))).astype(np.float32)
    xt = torch.from_numpy(x)

    def agree(ours, theirs):
        # torch multiplies by a float32 1/scale; away from exact halves the results are equal.
        ratio = x / np.reshape(scale, (-1, 1) if np.ndim(scale) else ())
        near_half = np.abs(np.abs(ratio - np.floor(ratio)) - 0.5) < 1e-3
        assert (ours == theirs)[~near_half].all()
        assert (np.abs(ours.astype(int) - theirs.astype(int)) <= 1).all()

    q, scale, zp = quantize(x, bits=8)
    agree(q, torch.quantize_per_tensor(xt, float(scale), 0, torch.qint8).int_repr().numpy())
    q, scale, zp = quantize(x, bits=8, symmetric=False)
    ref = torch.quantize_per_tensor(xt, float(scale), int(zp), torch.quint8)
    agree(q, ref.int_repr().numpy())
    q, scale, zp = quantize(x, bits=8, symmetric=False, axis=0)
    ref = torch.quantize_per_channel(
        xt, torch.from_numpy(scale), torch.from_numpy(zp), 0, torch.quint8
    )
    agree(q, ref.int_repr().numpy())
    np.testing.assert_allclose(
        dequantize(q, scale, zp, axis=0), ref.dequantize().numpy(), atol=1e-5
    )
    # Exact halves: torch rounds half to even as well.
    halves = torch.quantize_per_tensor(torch.tensor([0.5, 1.5, 2.5, -1.5]), 1.0, 0, torch.qint8)
    assert halves.int_repr().tolist() == [0, 2, 2, -2]


def test_qparams_against_torch_observers(torch):
    from torch.ao.quantization.observer import MinMaxObserver, PerChannelMinMaxObserver

    def observe(observer, x):
        observer(torch.as_tensor(x, dtype=torch.float32))
        scale, zp = observer.calculate_qparams()
        scale, zp = scale.numpy().astype(np.float64), zp.numpy()
        per_tensor = observer.qscheme in (torch.per_tensor_affine, torch.per_tensor_symmetric)
        return (scale.item(), zp.item()) if per_tensor else (scale, zp)

    x = np.array([-1.0, 0.0, 0.5, 2.0])
    scale, zp = observe(MinMaxObserver(dtype=torch.quint8), x)  # per-tensor affine [0, 255]
    assert scale == pytest.approx(3 / 255)
    assert zp == 85
    ours = quantize(x, bits=8, symmetric=False)
    assert ours[1] == pytest.approx(scale, rel=1e-6)
    assert ours[2] == zp

    x = np.array([-2.54, 0.0, 1.0, 2.54])
    narrow = {"quant_min": -127, "quant_max": 127}
    symmetric = {"dtype": torch.qint8, "qscheme": torch.per_tensor_symmetric}
    scale, zp = observe(MinMaxObserver(**symmetric, **narrow), x)
    assert scale == pytest.approx(0.02, rel=1e-6)
    assert quantize(x, bits=8)[1] == pytest.approx(scale, rel=1e-6)
    # The default qint8 range is the full [-128, 127]: scale = max|x| / 127.5, not / 127.
    scale, _ = observe(MinMaxObserver(**symmetric), x)
    assert scale == pytest.approx(2.54 / 127.5, rel=1e-6)
    assert round(scale, 5) == 0.01992

    rng = np.random.default_rng(2)
    w = rng.normal(size=(5, 30)) * rng.uniform(0.1, 5, size=(5, 1))
    w[:, 0] = np.abs(w[:, 0])  # channel extremes of either sign
    per_channel = {"ch_axis": 0, "dtype": torch.qint8, "qscheme": torch.per_channel_symmetric}
    scale, zp = observe(PerChannelMinMaxObserver(**per_channel, **narrow), w)
    _, ours, ours_zp = quantize(w.astype(np.float32), bits=8, axis=0)
    np.testing.assert_allclose(ours, scale, rtol=1e-6)
    assert not zp.any()
    assert not ours_zp.any()
    affine = {"ch_axis": 0, "dtype": torch.quint8, "qscheme": torch.per_channel_affine}
    scale, zp = observe(PerChannelMinMaxObserver(**affine), w)
    _, ours, ours_zp = quantize(w.astype(np.float32), bits=8, symmetric=False, axis=0)
    np.testing.assert_allclose(ours, scale, rtol=1e-6)
    np.testing.assert_array_equal(ours_zp, zp)

    # An all-zero tensor: we return scale 0, torch clamps it to float32 eps.
    scale, _ = observe(MinMaxObserver(**symmetric), np.zeros(3))
    assert scale == np.finfo(np.float32).eps
    assert quantize(np.zeros(3))[1] == 0.0
