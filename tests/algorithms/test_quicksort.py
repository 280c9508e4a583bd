"""Quicksort against sorted(), its worst case, and a stability counterexample."""

import functools
import itertools
import math

import pytest
from algorithms.quicksort import partition3, quicksort, quicksort_hoare, quicksort_lomuto
from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-5, 5)), st.integers(0, 2**32))  # few values: many duplicates
def test_matches_sorted_with_duplicates(data, seed):
    assert quicksort(data, seed=seed) == sorted(data)
    assert quicksort(data, pivot="first") == sorted(data)


@pytest.mark.parametrize("board", [quicksort_lomuto, quicksort_hoare])
@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-4, 4) | st.floats(-1e3, 1e3), max_size=60))
def test_whiteboard_versions_match_the_full_version(board, data):
    copy = list(data)
    assert board(copy) is copy  # in place
    assert copy == quicksort(data)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=False), max_size=60))
def test_sorted_and_reversed_inputs(data):
    asc = sorted(data)
    for case in (asc, asc[::-1], data):
        assert quicksort(case) == asc


def test_small_cases_exhaustively():
    for n in range(7):
        for perm in itertools.product(range(3), repeat=n):
            assert quicksort(perm, seed=n) == sorted(perm)


def test_partition_invariant():
    a = [4, 1, 4, 7, 0, 4, 9, 2]
    lt, gt = partition3(a, 0, len(a) - 1, 0, lambda x: x)
    assert all(x < 4 for x in a[:lt])
    assert a[lt : gt + 1] == [4, 4, 4]
    assert all(x > 4 for x in a[gt + 1 :])


def count_key_calls(data, **kwargs) -> int:
    calls = 0

    def key(x):
        nonlocal calls
        calls += 1
        return x

    assert quicksort(data, key=key, **kwargs) == sorted(data)
    return calls


@pytest.mark.parametrize("n", [10, 100, 500])
def test_first_pivot_on_reversed_input_is_quadratic(n):
    # The pivot is always the maximum: partitions of size n, n-1, ..., 2, each m key calls.
    assert count_key_calls(list(range(n, 0, -1)), pivot="first") == n * (n + 1) // 2 - 1


@pytest.mark.parametrize("n", [100, 1000])
def test_random_pivot_on_reversed_input_is_n_log_n(n):
    calls = count_key_calls(list(range(n, 0, -1)), seed=1)
    assert calls < 3 * n * math.log2(n)


def test_all_equal_keys_take_one_pass():
    # Three-way partitioning puts every element in the == block at once.
    assert count_key_calls([7] * 1000) == 1000


@functools.total_ordering
class Counted:
    """A number that counts the comparisons made with it."""

    comparisons = 0

    def __init__(self, value: float) -> None:
        self.value = value

    def __eq__(self, other) -> bool:
        return self.value == other.value

    def __lt__(self, other) -> bool:
        Counted.comparisons += 1
        return self.value < other.value

    def __gt__(self, other) -> bool:
        Counted.comparisons += 1
        return self.value > other.value


def comparisons(board, values) -> int:
    """Sort values with a whiteboard quicksort and return the number of key comparisons."""
    Counted.comparisons = 0
    items = [Counted(v) for v in values]
    assert [c.value for c in board(items)] == sorted(values)
    return Counted.comparisons


def test_two_way_partitions_on_all_equal_keys():
    # The page: Lomuto's partition is quadratic on all-equal input; Hoare's, whose scans
    # stop on equal keys, splits them in the middle and stays O(n log n).
    n = 512
    assert comparisons(quicksort_lomuto, [7] * n) == n * (n - 1) // 2
    assert comparisons(quicksort_hoare, [7] * n) < 2 * n * math.log2(n)
    half = [1.0] * (n // 2) + [0.0] * (n // 2)
    assert comparisons(quicksort_hoare, half) < 2 * n * math.log2(n)


def test_unstable_counterexample():
    records = [(1, "a"), (1, "b"), (0, "c")]
    out = quicksort(records, key=lambda r: r[0], pivot="first")
    stable = sorted(records, key=lambda r: r[0])
    assert [r[0] for r in out] == [r[0] for r in stable]
    assert out != stable


def test_input_is_not_modified():
    data = [3, 1, 2]
    quicksort(data)
    assert data == [3, 1, 2]


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"^key must be callable, got int$"):
        quicksort([1], key=3)
    with pytest.raises(ValueError, match="pivot must be"):
        quicksort([1], pivot="median")


def test_seed_makes_the_order_of_ties_reproducible():
    # Distinct keys sort the same whatever the pivots; equal keys come out in an order that
    # depends on them, so the same seed must give the same order and other seeds may not.
    records = [(i % 3, i) for i in range(60)]
    runs = {s: quicksort(records, key=lambda r: r[0], seed=s) for s in range(5)}
    assert all(quicksort(records, key=lambda r: r[0], seed=s) == out for s, out in runs.items())
    assert len({tuple(out) for out in runs.values()}) > 1
