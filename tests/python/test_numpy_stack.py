"""stack_shape against numpy itself on random shapes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python.numpy_stack import stack_shape

HOWS = ["vstack", "hstack", "dstack", "stack"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(1, 3), min_size=0, max_size=4),
    st.lists(st.integers(1, 3), min_size=1, max_size=3),
    st.sampled_from(HOWS),
    st.integers(0, 3),
)
def test_predicted_shape_matches_numpy(base, lengths, how, axis_choice):
    """Arrays that agree except along one axis: numpy and stack_shape must agree."""
    shapes = []
    for n in lengths:
        s = list(base)
        if s:
            s[axis_choice % len(s)] = n
        shapes.append(tuple(s))
    arrays = [np.zeros(s) for s in shapes]
    try:
        expected = getattr(np, how)(arrays).shape
    except ValueError:
        with pytest.raises(ValueError, match="must"):
            stack_shape(shapes, how)
    else:
        assert stack_shape(shapes, how) == expected


def test_notes_example_and_axes():
    a = np.arange(6).reshape(2, 3, 1)
    assert np.vstack([a, a]).shape == stack_shape([a.shape] * 2, "vstack") == (4, 3, 1)
    assert np.hstack([a, a]).shape == stack_shape([a.shape] * 2, "hstack") == (2, 6, 1)
    assert np.dstack([a, a]).shape == stack_shape([a.shape] * 2, "dstack") == (2, 3, 2)
    np.testing.assert_array_equal(np.hstack([a, a])[:, 3:], a)


def test_hstack_of_2d_is_side_by_side():
    a = np.array([[1, 2], [3, 4]])
    b = np.array([[5], [6]])
    np.testing.assert_array_equal(np.hstack([a, b]), [[1, 2, 5], [3, 4, 6]])
    np.testing.assert_array_equal(np.vstack([a, a[:1]]), [[1, 2], [3, 4], [1, 2]])


@pytest.mark.parametrize(
    ("shapes", "how"),
    [([], "vstack"), ([(2, 3)], "zstack"), ([(2, 3), (2, 4)], "vstack"), ([(2,), (3,)], "stack")],
)
def test_bad_input(shapes, how):
    with pytest.raises(ValueError, match=r"shapes|how|stack"):
        stack_shape(shapes, how)


def test_bad_input_messages():
    with pytest.raises(ValueError, match=r"^shapes must not be empty$"):
        stack_shape([], "hstack")
    with pytest.raises(
        ValueError, match=r"same number of dimensions, got \[\(2, 3\), \(2, 3, 1\)\]"
    ):
        stack_shape([(2, 3), (2, 3, 1)], "vstack")
    with pytest.raises(ValueError, match="dimensions"):
        np.vstack([np.zeros((2, 3)), np.zeros((2, 3, 1))])  # numpy refuses the same input
