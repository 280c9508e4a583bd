"""list vs tuple and append vs extend, checked against the behaviour they document."""

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python.list_tuple import bfs_order, capacity_steps, sizes, tail


@pytest.mark.parametrize("n", [0, 1, 2, 7, 100, 5000])
def test_tuple_is_smaller_than_list(n):
    s = sizes(n)
    assert s["tuple"] < s["list"]
    assert s["list"] <= s["list_append"]
    # Both store one pointer per item on top of a fixed header.
    assert s["tuple"] - sys.getsizeof(()) == n * (sys.getsizeof((0,)) - sys.getsizeof(()))


def test_append_is_amortised_by_over_allocation():
    steps = capacity_steps(10_000)
    assert 0 < steps < 100  # geometric growth: O(log n) resizes, far fewer than 10 000


@pytest.mark.parametrize("n", [0, 1, 5, 100])
def test_capacity_steps_counts_every_resize(n):
    grown, resizes = [], 0
    for i in range(n):
        before = sys.getsizeof(grown)
        grown.append(i)
        resizes += sys.getsizeof(grown) != before
    assert capacity_steps(n) == resizes


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_bad_n(bad):
    with pytest.raises(ValueError, match="n must be"):
        sizes(bad)
    with pytest.raises(ValueError, match="n must be"):
        capacity_steps(bad)


def test_extend_equals_appending_each_item():
    for iterable in ([3, 4], (5,), "xy", {"k1": 1, "k2": 2}, range(3), {7}, iter([8, 9])):
        items = list(iterable) if not isinstance(iterable, type(iter([]))) else None
        a = [0]
        if items is None:  # a one-shot iterator: compare with a copy of its items
            iterable, items = iter([8, 9]), [8, 9]
        a.extend(iterable)
        b = [0]
        for item in items:
            b.append(item)
        assert a == b


def test_dict_extends_with_keys_in_insertion_order():
    a = []
    a.extend({"b": 1, "a": 2})
    assert a == ["b", "a"]
    a += {"c": 3}  # += on a list is extend
    assert a == ["b", "a", "c"]


def test_plus_on_list_needs_a_list_but_plus_equals_takes_any_iterable():
    a = [1]
    with pytest.raises(TypeError):
        a = a + (2,)  # noqa: RUF005 (list + tuple is the point)
    a += (2,)
    assert a == [1, 2]


def test_tuple_item_augmented_assignment_trap():
    t = ([1],)
    with pytest.raises(TypeError):
        t[0] += [2]  # the list is extended first, then the tuple item assignment fails
    assert t == ([1, 2],)


def bfs_with_a_list(graph, start):
    """The textbook version with list.pop(0) and a list for `seen`: slow, same order."""
    seen, order, queue = [start], [], [start]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for neighbour in graph[node]:
            if neighbour not in seen:
                seen.append(neighbour)
                queue.append(neighbour)
    return order


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 9).flatmap(
        lambda n: st.lists(st.lists(st.integers(0, n - 1)), min_size=n, max_size=n)
    )
)
def test_bfs_matches_the_list_version_on_random_graphs(adjacency):
    graph = dict(enumerate(adjacency))
    assert bfs_order(graph, 0) == bfs_with_a_list(graph, 0)


def test_bfs_by_hand():
    # a: distance 0; b, c: 1; d, e: 2 (d found via b first); f unreachable
    graph = {"a": ["c", "b"], "b": ["d"], "c": ["e", "d"], "d": ["a"], "e": [], "f": ["a"]}
    assert bfs_order(graph, "a") == ["a", "c", "b", "e", "d"]
    assert bfs_order(graph, "f") == ["f", "a", "c", "b", "e", "d"]
    assert bfs_order({0: []}, 0) == [0]


@pytest.mark.parametrize("n", [0, 1, 3, 10, 12])
def test_tail_is_the_last_n_items(n):
    items = list(range(10))
    assert tail(iter(items), n) == (items[-n:] if n else [])


def test_deque_and_tail_bad_input():
    with pytest.raises(TypeError, match=r"graph must map a node to its neighbours, got list$"):
        bfs_order([[1], [0]], 0)
    with pytest.raises(ValueError, match="start 5"):
        bfs_order({0: []}, 5)
    with pytest.raises(ValueError, match="neighbour 2 of 0"):
        bfs_order({0: [2]}, 0)
    for bad in (-1, 2.0, True):
        with pytest.raises(ValueError, match="n must be"):
            tail([1, 2], bad)
