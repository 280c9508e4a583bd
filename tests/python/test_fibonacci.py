"""Fibonacci variants against each other, a closed form, identities and known values."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python.fibonacci import (
    fib,
    fib_fast_doubling,
    fib_iterative,
    fib_matrix,
    fib_memo,
    fib_pair,
    fib_recursive,
)

ALL = [fib_recursive, fib_memo, fib_iterative, fib_matrix, fib_fast_doubling]
FAST = [fib_iterative, fib_matrix, fib_fast_doubling]


def binet(n: int) -> int:
    """Closed form round(phi^n / sqrt(5)); exact in double precision for n <= 70."""
    phi = (1 + math.sqrt(5)) / 2
    return round(phi**n / math.sqrt(5))


def test_all_variants_agree_with_binet_for_small_n():
    for n in range(25):
        assert {f(n) for f in ALL} == {binet(n)}


def test_binet_is_exact_up_to_70_only():
    assert all(binet(n) == fib_iterative(n) for n in range(71))
    assert binet(71) != fib_iterative(71)  # double precision runs out


def test_memo_agrees_with_iterative_up_to_400():
    assert [fib_memo(n) for n in range(400)] == [fib_iterative(n) for n in range(400)]


def test_known_large_values():
    # F(100) and F(300) from OEIS A000045 / standard tables.
    assert fib_fast_doubling(100) == 354224848179261915075
    assert fib_matrix(300) == 222232244629420445529739893461909967206666939096499764990979600


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 1500))
def test_whiteboard_versions_match_the_full_version(n):
    assert fib(n) == fib_iterative(n)
    assert fib_pair(n) == (fib_fast_doubling(n), fib_fast_doubling(n + 1))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 1500))
def test_fast_variants_agree_and_satisfy_cassini(n):
    values = {f(n) for f in FAST}
    assert len(values) == 1
    # Cassini: F(n-1) F(n+1) - F(n)^2 = (-1)^n, here written for n + 1 to avoid F(-1).
    a, b, c = (fib_fast_doubling(k) for k in (n, n + 1, n + 2))
    assert a * c - b * b == (-1) ** (n + 1)


def test_recursive_call_count_is_exponential():
    calls = 0

    def counted(n: int) -> int:
        nonlocal calls
        calls += 1
        return n if n < 2 else counted(n - 1) + counted(n - 2)

    for n in range(20):
        calls = 0
        assert counted(n) == fib_recursive(n)
        assert calls == 2 * fib_iterative(n + 1) - 1  # C(n) = 1 + C(n-1) + C(n-2)


@pytest.mark.parametrize("f", ALL)
@pytest.mark.parametrize("bad", [-1, -10])
def test_negative_n_raises_value_error(f, bad):
    with pytest.raises(ValueError, match=rf"^n must be >= 0, got {bad}$"):
        f(bad)


@pytest.mark.parametrize("f", ALL)
@pytest.mark.parametrize("bad", [2.0, "3", True, None])
def test_non_int_raises_type_error(f, bad):
    with pytest.raises(TypeError, match=rf"^n must be an int, got {type(bad).__name__}$"):
        f(bad)
