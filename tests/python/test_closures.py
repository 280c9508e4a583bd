"""Closures and the late-binding trap."""

import functools

from python.closures import (
    make_counter,
    make_multiplier,
    multipliers_default,
    multipliers_factory,
    multipliers_late,
    multipliers_partial,
)


def test_late_binding_sees_the_last_value():
    funcs = multipliers_late()
    # All four lambdas share one cell holding the loop variable's final value.
    cells = {id(f.__closure__[0]) for f in funcs}
    assert len(cells) == 1
    assert [f(1) for f in funcs] == [3, 3, 3, 3]


def test_every_fix_binds_the_current_value():
    expected = [x * 7 for x in range(4)]
    for make in (multipliers_default, multipliers_partial, multipliers_factory):
        assert [f(7) for f in make()] == expected
    assert all(isinstance(f, functools.partial) for f in multipliers_partial())
    assert [f.__defaults__ for f in multipliers_default()] == [(0,), (1,), (2,), (3,)]
    assert len({id(f.__closure__[0]) for f in multipliers_factory()}) == 4


def test_counters_are_independent():
    a, b = make_counter(), make_counter(100)
    assert [a(), a(), b(), a(), b()] == [1, 2, 101, 3, 102]


def test_make_multiplier_is_a_closure_over_its_argument():
    triple = make_multiplier(3)
    assert triple(5) == 15
    assert triple.__closure__[0].cell_contents == 3
