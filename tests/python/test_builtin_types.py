"""Built-in types: mutability/hashability, int precision, bool as int."""

import builtins
import math
import sys

import pytest
from python.builtin_types import IMMUTABLE, MUTABLE, is_hashable_type


def test_mutable_types_are_unhashable_and_change_in_place():
    examples = {
        list: ([1], lambda o: o.append(2), [1, 2]),
        dict: ({1: 2}, lambda o: o.update({3: 4}), {1: 2, 3: 4}),
        set: ({1}, lambda o: o.add(2), {1, 2}),
        bytearray: (bytearray(b"a"), lambda o: o.extend(b"b"), bytearray(b"ab")),
    }
    assert set(examples) == set(MUTABLE)
    for tp, (obj, mutate, after) in examples.items():
        assert not is_hashable_type(tp)
        with pytest.raises(TypeError):
            hash(obj)
        alias = obj
        mutate(obj)
        assert alias is obj
        assert alias == after


def test_immutable_types_are_hashable():
    for tp in IMMUTABLE:
        assert is_hashable_type(tp)
    assert hash((1, "a", frozenset({2}))) == hash((1, "a", frozenset({2})))


def test_no_long_in_python3():
    assert not hasattr(builtins, "long")
    assert type(10**1000) is int
    assert (10**1000).bit_length() == math.floor(1000 * math.log2(10)) + 1


def test_int_arithmetic_is_exact_beyond_64_bits():
    x = 2**64 + 1
    assert x * x == 2**128 + 2**65 + 1
    assert (sys.maxsize + 1) - sys.maxsize == 1
    assert math.factorial(25) == 15511210043330985984000000


def test_bool_is_an_int():
    assert bool.__mro__ == (bool, int, object)
    assert True == 1
    assert hash(True) == hash(1) == hash(1.0)
    assert len({1, True, 1.0}) == 1  # noqa: B033 (equal keys collapse: the point of the test)


def test_is_hashable_type_rejects_non_types():
    with pytest.raises(TypeError, match=r"^tp must be a type, got list$"):
        is_hashable_type([])
