"""Patch embedding against torch's conv2d and a loop over patches; position-embedding
resizing against torch's bicubic interpolate and hand properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformer.vit import (
    _cubic_weights,
    bicubic_matrix,
    patch_embed,
    patch_embed_whiteboard,
    resize_pos_embed,
)

rng = np.random.default_rng(0)


def patch_embed_by_loop(images, weight, bias):
    """Each patch, each output channel: the sum of patch * kernel, plus the bias."""
    n, _, h, w = images.shape
    d, p = weight.shape[0], weight.shape[-1]
    out = np.zeros((n, (h // p) * (w // p), d))
    for b in range(n):
        for r in range(h // p):
            for c in range(w // p):
                patch = images[b, :, r * p : (r + 1) * p, c * p : (c + 1) * p]
                for o in range(d):
                    out[b, r * (w // p) + c, o] = (patch * weight[o]).sum() + bias[o]
    return out


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 2),
    st.integers(1, 3),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 4),
    st.integers(0, 2**32 - 1),
)
def test_patch_embed_equals_loop_and_whiteboard(n, c, p, rows, cols, d, seed):
    r = np.random.default_rng(seed)
    images, weight, bias = (
        r.normal(size=(n, c, rows * p, cols * p)),
        r.normal(size=(d, c, p, p)),
        r.normal(size=d),
    )
    out = patch_embed(images, weight, bias)
    np.testing.assert_allclose(
        out, patch_embed_by_loop(images, weight, bias), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(patch_embed_whiteboard(images, weight, bias), out, rtol=1e-12)


def test_patch_embed_against_torch_conv2d():
    torch = pytest.importorskip("torch", reason="torch.nn.functional.conv2d is the reference")
    images, weight, bias = (
        rng.normal(size=(2, 3, 32, 48)),
        rng.normal(size=(8, 3, 16, 16)),
        rng.normal(size=8),
    )
    conv = torch.nn.functional.conv2d(
        torch.from_numpy(images), torch.from_numpy(weight), torch.from_numpy(bias), stride=16
    )  # (N, D, 2, 3)
    expected = conv.flatten(2).transpose(1, 2).numpy()  # timm's PatchEmbed: (N, patches, D)
    np.testing.assert_allclose(patch_embed(images, weight, bias), expected, rtol=1e-10)
    np.testing.assert_allclose(patch_embed(images, weight), expected - bias, rtol=1e-10)


@pytest.mark.parametrize(
    ("images", "weight", "bias", "error", "message"),
    [
        (
            np.ones((3, 8, 8)),
            np.ones((4, 3, 4, 4)),
            None,
            ValueError,
            r"images must be \(N, C, H, W\)",
        ),
        (
            np.ones((1, 3, 8, 8)),
            np.ones((4, 1, 4, 4)),
            None,
            ValueError,
            r"weight must be \(D, 3, P, P\), got shape \(4, 1, 4, 4\)",
        ),
        (
            np.ones((1, 3, 8, 8)),
            np.ones((4, 3, 4, 2)),
            None,
            ValueError,
            r"weight must be \(D, 3, P, P\)",
        ),
        (
            np.ones((1, 3, 10, 8)),
            np.ones((4, 3, 4, 4)),
            None,
            ValueError,
            r"image size 10x8 must be divisible by the patch size 4",
        ),
        (
            np.ones((1, 3, 8, 8)),
            np.ones((4, 3, 4, 4)),
            np.ones(3),
            ValueError,
            r"bias must have shape \(4,\), got \(3,\)",
        ),
        (
            np.array([[[["x"]]]]),
            np.ones((4, 1, 1, 1)),
            None,
            TypeError,
            r"^images must be an array of real numbers",
        ),
        (
            np.ones((1, 1, 2, 2), dtype=complex),
            np.ones((4, 1, 1, 1)),
            None,
            TypeError,
            r"^images must be .* complex",
        ),
        (
            np.ones((1, 1, 2, 2)),
            np.ones((4, 1, 1, 1), dtype=bool),
            None,
            TypeError,
            r"^weight must be an array of real",
        ),
        (
            np.ones((1, 1, 2, 2)),
            np.ones((4, 1, 1, 1)),
            np.array(list("abcd")),
            TypeError,
            r"^bias must be an array of real",
        ),
    ],
)
def test_patch_embed_bad_input(images, weight, bias, error, message):
    with pytest.raises(error, match=message):
        patch_embed(images, weight, bias)


def test_patch_embed_takes_integer_images():
    images, weight = np.arange(2 * 3 * 4 * 4).reshape(2, 3, 4, 4), rng.normal(size=(5, 3, 2, 2))
    np.testing.assert_allclose(
        patch_embed(images, weight), patch_embed_whiteboard(images.astype(float), weight, 0.0)
    )


@pytest.mark.parametrize(("old", "new"), [((14, 14), (24, 24)), ((7, 7), (5, 5)), ((4, 6), (9, 3))])
def test_resize_against_torch_bicubic(old, new):
    torch = pytest.importorskip("torch", reason="torch.nn.functional.interpolate is the reference")
    d = 6
    pos = rng.normal(size=(1, 1 + old[0] * old[1], d))
    grid = torch.from_numpy(pos[0, 1:]).reshape(1, *old, d).permute(0, 3, 1, 2)  # (1, D, h, w)
    resized = torch.nn.functional.interpolate(grid, size=new, mode="bicubic", align_corners=False)
    expected = resized.permute(0, 2, 3, 1).reshape(1, -1, d).numpy()
    out = resize_pos_embed(pos, new, old_size=old)
    np.testing.assert_allclose(out[:, 1:], expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(out[:, :1], pos[:, :1])  # class token untouched


def test_bicubic_rows_sum_to_one_and_mirror():
    for n_in, n_out in [(14, 24), (24, 14), (5, 5), (3, 10)]:
        m = bicubic_matrix(n_in, n_out)
        np.testing.assert_allclose(m.sum(axis=1), 1.0)  # a constant stays constant
        # align_corners=False puts pixel centres symmetrically: flipping commutes with resizing.
        np.testing.assert_allclose(m[::-1, ::-1], m, atol=1e-15)


def test_keys_kernel_reproduces_lines_only_for_a_minus_half():
    t = np.linspace(0, 1, 11)
    offsets = np.array([-1.0, 0.0, 1.0, 2.0])
    for a in (-0.5, -0.75):
        np.testing.assert_allclose(_cubic_weights(t, a).sum(axis=-1), 1.0)
    np.testing.assert_allclose(_cubic_weights(t, -0.5) @ offsets, t)  # Keys (1981): a = -0.5
    assert not np.allclose(_cubic_weights(t, -0.75) @ offsets, t)  # torch's a = -0.75 does not


def test_resize_to_the_same_size_is_identity_and_no_prefix_works():
    pos = rng.normal(size=(1, 12, 4))
    np.testing.assert_allclose(
        resize_pos_embed(pos, (3, 4), old_size=(3, 4), num_prefix_tokens=0), pos
    )


def test_resize_guesses_a_square_old_grid():
    pos = rng.normal(size=(1, 1 + 4 * 4, 3))
    np.testing.assert_array_equal(
        resize_pos_embed(pos, (6, 6)), resize_pos_embed(pos, (6, 6), old_size=(4, 4))
    )


def test_resize_from_and_to_a_grid_of_one():
    # One grid token: every position of the new grid gets its embedding, and back again.
    pos = rng.normal(size=(1, 2, 5))
    out = resize_pos_embed(pos, (2, 3))
    np.testing.assert_allclose(out[0, 1:], np.repeat(pos[0, 1:], 6, axis=0))
    np.testing.assert_allclose(
        resize_pos_embed(np.concatenate([pos, pos[:, 1:]], 1), (1, 1), (1, 2)), pos
    )


@pytest.mark.parametrize(
    ("shape", "kwargs", "message"),
    [
        (
            (197, 8),
            {"new_size": (24, 24)},
            r"pos_embed must be \(1, tokens, D\), got shape \(197, 8\)",
        ),
        ((2, 5, 8), {"new_size": (2, 2)}, r"pos_embed must be \(1, tokens, D\)"),  # a batch of 2
        ((1, 196, 8), {"new_size": (24, 24)}, r"old_size \(14, 14\) does not hold the 195 grid"),
        ((1, 197, 8), {"new_size": (24, 0)}, r"^new_size must be two positive ints, got \(24, 0\)"),
        ((1, 197, 8), {"new_size": (24, 24), "old_size": (7, 7)}, r"old_size \(7, 7\) does not"),
        ((1, 5, 300), {"new_size": (2, 2), "num_prefix_tokens": 6}, r"in \[0, 5\], got 6"),
        ((1, 197, 8), {"new_size": (24, 24), "num_prefix_tokens": 198}, r"num_prefix_tokens must"),
    ],
)
def test_resize_bad_input(shape, kwargs, message):
    with pytest.raises(ValueError, match=message):
        resize_pos_embed(np.ones(shape), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"new_size": (True, 2)}, r"^new_size must be a pair of ints, got \(True, 2\)$"),
        ({"new_size": 24}, r"^new_size must be a pair of ints, got 24$"),
        ({"new_size": (2, 2), "old_size": (2, 2.0)}, r"^old_size must be a pair of ints"),
        ({"new_size": (2, 2), "num_prefix_tokens": 1.0}, r"^num_prefix_tokens must be an int, got"),
    ],
)
def test_resize_arguments_of_another_type(kwargs, message):
    with pytest.raises(TypeError, match=message):
        resize_pos_embed(np.ones((1, 5, 2)), **kwargs)


def test_resize_bad_dtype():
    with pytest.raises(TypeError, match=r"^pos_embed must be an array of real numbers"):
        resize_pos_embed(np.ones((1, 5, 2), dtype=bool), (2, 2))
