"""Ring all-reduce, ZeRO memory, the tensor-parallel MLP, the GPipe bubble and gradient
accumulation against direct sums, the ZeRO paper's Figure 1, PyTorch and a full batch."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llm.distributed import (
    accumulate_gradients,
    bubble_fraction,
    gelu,
    gpipe_schedule,
    ring_allreduce,
    ring_allreduce_whiteboard,
    ring_traffic_bytes,
    tensor_parallel_mlp,
    tensor_parallel_mlp_whiteboard,
    zero_memory_per_gpu,
)

rng = np.random.default_rng(0)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 20))
def test_ring_allreduce_sums_and_counts_bytes(n, size):
    xs = [rng.normal(size=size) for _ in range(n)]
    out, sent = ring_allreduce(xs)
    for o in out:
        np.testing.assert_allclose(o, np.sum(xs, axis=0), atol=1e-12)
    for o in ring_allreduce_whiteboard(xs):
        np.testing.assert_allclose(o, np.sum(xs, axis=0), atol=1e-12)
    # Each phase: n - 1 sends; in total every worker sends every chunk but one, twice over.
    chunk_bytes = np.array([c.nbytes for c in np.array_split(xs[0], n)])
    assert sent.sum() == 2 * (n - 1) * chunk_bytes.sum()
    if size % n == 0:  # equal chunks: exactly 2 (N - 1) / N of the array per worker
        assert (sent == ring_traffic_bytes(n, xs[0].nbytes)).all()


def test_ring_allreduce_keeps_shape_and_inputs():
    xs = [np.arange(6.0).reshape(2, 3) * (i + 1) for i in range(3)]
    copies = [x.copy() for x in xs]
    out, sent = ring_allreduce(xs)
    assert all(o.shape == (2, 3) for o in out)
    np.testing.assert_array_equal(out[1], np.arange(6.0).reshape(2, 3) * 6)
    assert all((x == c).all() for x, c in zip(xs, copies, strict=True))
    assert sent.tolist() == [2 * 2 * 16] * 3  # 4 sends of 2 float64 values each


def test_ring_allreduce_takes_lists_and_keeps_float_widths():
    out, _ = ring_allreduce([[1.0, 2.0], [3.0, 4.0]])  # plain lists, one per worker
    assert [o.tolist() for o in out] == [[4.0, 6.0]] * 2
    x32 = [np.ones(4, dtype=np.float32)] * 2
    out32, sent32 = ring_allreduce(x32)
    assert out32[0].dtype == np.float32
    assert sent32.tolist() == [16, 16]  # 2 sends of 2 values x 4 bytes
    assert np.issubdtype(sent32.dtype, np.integer)  # byte counts
    # Workers with different widths: every worker sums in the common dtype.
    mixed, sent = ring_allreduce([np.ones(2, dtype=np.float32), np.full(2, 1 + 2**-40)])
    assert [o.dtype for o in mixed] == [np.float64] * 2
    assert [o.tolist() for o in mixed] == [[2 + 2**-40] * 2] * 2
    assert sent.tolist() == [16, 16]
    wide = ring_allreduce([np.ones(2, dtype=np.longdouble), np.array([1, 2])])[0]
    assert wide[0].dtype == np.longdouble  # integers join a wider float, not float64


def test_ring_allreduce_sums_integers_exactly():
    # Nine workers with uint8 255: 2295 is odd and above 2048, so float16 would round it.
    out, _ = ring_allreduce([np.array([255, 1], dtype=np.uint8)] * 9)
    assert out[0].tolist() == [2295, 9]
    counts = [np.array([3]), np.array([9]), np.array([2**40 + 1])]  # token counts, int64
    assert ring_allreduce(counts)[0][0][0] == 2**40 + 13
    # The whiteboard version sums in float too: int8 would wrap around at 127.
    small = [np.array([100, -100], dtype=np.int8)] * 3
    assert ring_allreduce_whiteboard(small)[0].tolist() == [300, -300]


def test_zero_memory_reproduces_figure_1_of_the_paper():
    # Rajbhandari et al. 2020, Figure 1: Psi = 7.5B, N_d = 64, K = 12.
    gb = [zero_memory_per_gpu(7.5e9, 64, stage) / 1e9 for stage in range(4)]
    assert gb[0] == 120.0
    assert [round(g, 1) for g in gb[1:]] == [31.4, 16.6, 1.9]
    assert math.isclose(gb[3], 120.0 / 64)


def test_ring_traffic_bytes():
    assert ring_traffic_bytes(4, 1000) == 1500  # 2 * 3 / 4 of the array
    assert ring_traffic_bytes(1, 1000) == 0  # one worker sends nothing
    assert ring_traffic_bytes(4, 0) == 0  # an empty array is allowed


def test_zero_memory_of_a_single_parameter():
    assert zero_memory_per_gpu(1, 1, 0) == 16.0  # 2 + 2 + 12 bytes, any positive count
    assert zero_memory_per_gpu(1, 4, 3) == 4.0


def test_zero_memory_accepts_numpy_counts_like_its_other_arguments():
    expected = zero_memory_per_gpu(7, 2, 1)
    assert zero_memory_per_gpu(np.int64(7), np.int64(2), np.int64(1)) == expected
    assert zero_memory_per_gpu(np.float64(7.0), 2, 1) == expected


def test_tensor_parallel_mlp_equals_full_mlp():
    x = rng.normal(size=(2, 5, 8))
    a, b = rng.normal(size=(8, 24)), rng.normal(size=(24, 6))
    ba, bb = rng.normal(size=24), rng.normal(size=6)
    full = gelu(x @ a + ba) @ b + bb
    for n in (1, 2, 3, 4, 6):
        np.testing.assert_allclose(tensor_parallel_mlp(x, a, b, n, ba, bb), full, rtol=1e-12)
        no_bias = tensor_parallel_mlp(x, a, b, n)  # biases default to zero
        np.testing.assert_allclose(no_bias, gelu(x @ a) @ b, rtol=1e-12)
        np.testing.assert_allclose(tensor_parallel_mlp_whiteboard(x, a, b, n), gelu(x @ a) @ b)
    # Splitting A by rows instead would need GELU of a sum: not equal to the sum of GELUs.
    half = 4
    wrong = gelu(x[..., :half] @ a[:half]) + gelu(x[..., half:] @ a[half:])
    assert not np.allclose(wrong @ b, gelu(x @ a) @ b)


def test_gelu_is_torch_tanh_gelu():
    torch = pytest.importorskip("torch", reason="torch.nn.functional.gelu is the reference")
    z = np.linspace(-6, 6, 101)
    expected = torch.nn.functional.gelu(torch.from_numpy(z), approximate="tanh").numpy()
    np.testing.assert_allclose(gelu(z), expected, rtol=1e-12, atol=1e-15)


def slot(grid, stage, task):
    """The one time slot in which a stage runs a task (k: forward of k, -k: backward)."""
    [t] = np.flatnonzero(grid[stage] == task)
    return t


@pytest.mark.parametrize(("p", "m"), [(1, 1), (2, 3), (4, 4), (4, 16), (8, 2)])
def test_gpipe_schedule_bubble(p, m):
    grid = gpipe_schedule(p, m)
    assert grid.shape == (p, 2 * (m + p - 1))
    assert np.issubdtype(grid.dtype, np.integer)  # micro-batch numbers
    for s in range(p):  # every stage runs each micro-batch's forward and backward once
        assert sorted(grid[s][grid[s] != 0].tolist()) == sorted([*range(1, m + 1), *range(-m, 0)])
        for k in range(1, m + 1):
            if s > 0:  # F_k on stage s needs stage s - 1's F_k (its input)
                assert slot(grid, s, k) > slot(grid, s - 1, k)
            if s < p - 1:  # B_k on stage s needs stage s + 1's B_k (the gradient it sends)
                assert slot(grid, s, -k) > slot(grid, s + 1, -k)
            assert slot(grid, s, -k) > slot(grid, s, k)  # and its own F_k (the activations)
    last = [-k for k in grid[p - 1] if k < 0]
    assert last == list(range(m, 0, -1))  # GPipe Figure 2c: backwards in reverse order
    assert slot(grid, p - 1, -m) == slot(grid, p - 1, m) + 1  # right after the last forward
    assert math.isclose((grid == 0).mean(), bubble_fraction(p, m))
    assert math.isclose(bubble_fraction(p, m), (p - 1) / (m + p - 1))


def test_gradient_accumulation_equals_the_large_batch():
    # Linear regression, mean squared error: the gradient of the mean over all samples.
    x, y, w = rng.normal(size=(10, 3)), rng.normal(size=10), rng.normal(size=3)

    def mean_grad(xb, yb):
        return 2 * xb.T @ (xb @ w - yb) / len(yb)

    full = mean_grad(x, y)
    splits = [slice(0, 2), slice(2, 9), slice(9, 10)]  # unequal micro-batches: 2, 7, 1
    grads = [mean_grad(x[s], y[s]) for s in splits]
    sizes = [2, 7, 1]
    np.testing.assert_allclose(accumulate_gradients(grads, sizes), full)
    assert not np.allclose(np.mean(grads, axis=0), full)  # the naive average is wrong
    equal = [mean_grad(x[i : i + 5], y[i : i + 5]) for i in (0, 5)]
    np.testing.assert_allclose(np.mean(equal, axis=0), full)  # fine for equal sizes
    np.testing.assert_allclose(accumulate_gradients([full], [10]), full)  # one micro-batch


def test_gradient_accumulation_against_torch_autograd():
    torch = pytest.importorskip("torch", reason="torch autograd is the reference")
    x, y = torch.randn(9, 4, dtype=torch.float64), torch.randn(9, dtype=torch.float64)
    w = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    ((x @ w - y) ** 2).mean().backward()
    full = w.grad.numpy().copy()
    grads = []
    for s in (slice(0, 4), slice(4, 9)):
        w.grad = None
        ((x[s] @ w - y[s]) ** 2).mean().backward()
        grads.append(w.grad.numpy().copy())
    np.testing.assert_allclose(accumulate_gradients(grads, [4, 5]), full)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: ring_allreduce([]),
            ValueError,
            "^arrays must be a non-empty list, one array per worker$",
        ),
        (lambda: ring_allreduce(np.ones((2, 3))), ValueError, "must be a non-empty list"),
        (
            lambda: ring_allreduce([np.ones(3), np.ones(4)]),
            ValueError,
            r"every worker's array must have shape \(3,\)",
        ),
        (
            lambda: ring_allreduce([np.array(["a"])]),
            TypeError,
            r"arrays\[0\] must be an array of real numbers, got dtype <U1",
        ),
        (lambda: ring_allreduce([[1.0], [True]]), TypeError, r"arrays\[1\] .* got dtype bool"),
        (lambda: ring_allreduce([[1.0], [1j]]), TypeError, r"arrays\[1\] .* dtype complex128"),
        (lambda: ring_traffic_bytes(0, 10), ValueError, "n_workers must be >= 1, got 0"),
        (lambda: ring_traffic_bytes(2, -1), ValueError, "size_bytes must be >= 0, got -1"),
        (
            lambda: zero_memory_per_gpu(1e9, 8, 4),
            ValueError,
            r"stage must be 0 \(plain DP\), 1, 2 or 3, got 4",
        ),
        (lambda: zero_memory_per_gpu(0, 8, 1), ValueError, "finite number > 0, got 0"),
        (
            lambda: zero_memory_per_gpu(-1.0, 8, 1),
            ValueError,
            "n_params must be a finite number > 0, got -1.0",
        ),
        (lambda: zero_memory_per_gpu(1e9, 0, 1), ValueError, "n_gpus must be >= 1, got 0"),
        (lambda: zero_memory_per_gpu(True, 8, 1), TypeError, "n_params must be a number, got bool"),
        (lambda: zero_memory_per_gpu("7", 8, 1), TypeError, "n_params must be a number, got str"),
        (lambda: zero_memory_per_gpu(math.nan, 8, 1), ValueError, "finite number > 0, got nan"),
        (lambda: zero_memory_per_gpu(1e9, 8, True), TypeError, "stage must be an int, got bool"),
        (lambda: zero_memory_per_gpu(1e9, 8, 1.0), TypeError, "stage must be an int, got float"),
        (lambda: zero_memory_per_gpu(1e9, 8, -1), ValueError, "stage must be >= 0, got -1"),
        (
            lambda: tensor_parallel_mlp(np.ones((2, 4)), np.ones((4, 6)), np.ones((6, 4)), 4),
            ValueError,
            "d_ff = 6 must divide by n_shards = 4",
        ),
        (
            lambda: tensor_parallel_mlp(np.ones((2, 3)), np.ones((4, 8)), np.ones((8, 4)), 2),
            ValueError,
            r"a must be \(d, d_ff\) with d = x.shape\[-1\], got \(4, 8\)",
        ),
        (
            lambda: tensor_parallel_mlp(np.ones((2, 4)), np.ones((4, 8, 1)), np.ones((8, 4)), 2),
            ValueError,
            r"a must be \(d, d_ff\) with d = x.shape\[-1\], got \(4, 8, 1\)",
        ),
        *[
            (
                lambda i=i: tensor_parallel_mlp(
                    *[
                        [["a"]] if j == i else np.ones(s)
                        for j, s in enumerate([(2, 4), (4, 8), (8, 4)])
                    ],
                    2,
                ),
                TypeError,
                f"{name} must be an array of real numbers",
            )
            for i, name in enumerate("xab")
        ],
        (
            lambda: tensor_parallel_mlp(
                np.ones((2, 4)), np.ones((4, 8)), np.ones((8, 4)), 2, ["a"]
            ),
            TypeError,
            "bias_a must be an array of real numbers",
        ),
        (
            lambda: tensor_parallel_mlp(
                np.ones((2, 4)), np.ones((4, 8)), np.ones((8, 4)), 2, bias_b=["a"]
            ),
            TypeError,
            "bias_b must be an array of real numbers",
        ),
        (
            lambda: tensor_parallel_mlp(np.ones((2, 4)), np.ones((4, 8)), np.ones((7, 4)), 2),
            ValueError,
            r"b must be \(d_ff, d_out\) with d_ff = 8, got \(7, 4\)",
        ),
        (
            lambda: tensor_parallel_mlp(np.ones((2, 4)), np.ones((4, 8)), np.ones((8, 4)), 2.0),
            TypeError,
            "n_shards must be an int, got float",
        ),
        (
            lambda: tensor_parallel_mlp(
                np.ones((2, 4)), np.ones((4, 8)), np.ones((8, 4)), 2, bias_a=np.ones(4)
            ),
            ValueError,
            r"^bias_a must be \(d_ff,\) and bias_b \(d_out,\)$",
        ),
        (
            lambda: tensor_parallel_mlp(
                np.ones((2, 4)), np.ones((4, 8)), np.ones((8, 4)), 2, bias_b=np.ones(8)
            ),
            ValueError,
            r"bias_a must be \(d_ff,\) and bias_b \(d_out,\)",
        ),
        (lambda: gpipe_schedule(0, 4), ValueError, "n_stages must be >= 1, got 0"),
        (lambda: gpipe_schedule(4, 0), ValueError, "n_micro must be >= 1, got 0"),
        (lambda: bubble_fraction(4, 0), ValueError, "n_micro must be >= 1, got 0"),
        (lambda: bubble_fraction(0, 4), ValueError, "n_stages must be >= 1, got 0"),
        (
            lambda: accumulate_gradients([np.ones(2)], [1, 2]),
            ValueError,
            "^need one size per micro-batch gradient, and at least one$",
        ),
        (lambda: accumulate_gradients([], []), ValueError, "and at least one"),
        (
            lambda: accumulate_gradients([np.ones(2)], [0]),
            ValueError,
            r"micro_sizes\[0\] must be >= 1, got 0",
        ),
        (
            lambda: accumulate_gradients([np.ones(2), ["a"]], [1, 1]),
            TypeError,
            r"micro_grads\[1\] must be an array of real numbers",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
