"""list vs tuple and append vs extend, checked against the behaviour they document."""

import sys

import pytest
from python.list_tuple import capacity_steps, sizes


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
