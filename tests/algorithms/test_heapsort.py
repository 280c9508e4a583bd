"""Heapsort against sorted() and heapq, the heap property, and a stability counterexample."""

import heapq

import pytest
from algorithms.heapsort import build_max_heap, heapsort, heapsort_whiteboard, sift_down
from hypothesis import given, settings
from hypothesis import strategies as st


def identity(x):
    return x


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-5, 5)))
def test_matches_sorted_with_duplicates(data):
    assert heapsort(data) == sorted(data)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-4, 4) | st.floats(-1e3, 1e3), max_size=60))
def test_whiteboard_matches_the_full_version(data):
    copy = list(data)
    assert heapsort_whiteboard(copy) is copy  # in place
    assert copy == heapsort(data)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=False), max_size=60))
def test_sorted_reversed_and_heapq(data):
    asc = sorted(data)
    for case in (asc, asc[::-1], data):
        assert heapsort(case) == asc
    heap = list(data)
    heapq.heapify(heap)
    assert [heapq.heappop(heap) for _ in data] == heapsort(data)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-50, 50)))
def test_build_max_heap_gives_the_heap_property(data):
    a = list(data)
    build_max_heap(a, identity)
    assert sorted(a) == sorted(data)  # a permutation
    assert all(a[(i - 1) // 2] >= a[i] for i in range(1, len(a)))


def test_sift_down_fixes_one_bad_root():
    a = [1, 9, 8, 5, 6, 7, 3]  # a max-heap except for the root
    sift_down(a, 0, len(a), identity)
    assert a == [9, 6, 8, 5, 1, 7, 3]


def test_build_heap_is_linear_in_comparisons():
    # Floyd's construction needs at most 2n key comparisons (2 key calls each): <= 4n calls.
    for n in (100, 1000, 10_000):
        calls = 0

        def key(x):
            nonlocal calls
            calls += 1
            return x

        build_max_heap(list(range(n)), key)  # ascending input: every sift goes to the bottom
        assert calls <= 4 * n


def test_sift_down_takes_the_left_child_on_ties():
    # Either child keeps the heap valid; like CLRS's MAX-HEAPIFY, the left one is taken. That
    # choice decides where equal keys end up, i.e. the order that an unstable sort returns.
    a = [(0, "root"), (5, "left"), (5, "right")]
    sift_down(a, 0, 3, lambda r: r[0])
    assert a == [(5, "left"), (0, "root"), (5, "right")]


def test_a_sift_down_after_extraction_can_stop_after_one_level():
    # The page: with distinct keys a single sift-down is not always Θ(log n) levels deep.
    a = [10, 9, 8, 1, 2, 7, 6]  # a max-heap whose last leaf 6 beats the leaves 1 and 2
    a[0], a[-1] = a[-1], a[0]  # the maximum goes to the end, 6 to the root
    sift_down(a, 0, len(a) - 1, identity)
    assert a == [9, 6, 8, 1, 2, 7, 10]  # 6 went down one level of two, then stopped


def test_unstable_counterexample():
    records = [(1, "a"), (1, "b")]
    out = heapsort(records, key=lambda r: r[0])
    assert out == [(1, "b"), (1, "a")]
    assert out != sorted(records, key=lambda r: r[0])


def test_empty_single_and_bad_key():
    assert heapsort([]) == []
    assert heapsort([42]) == [42]
    with pytest.raises(TypeError, match=r"^key must be callable, got str$"):
        heapsort([1], key="len")
