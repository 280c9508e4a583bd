"""Decorators: metadata kept by functools.wraps, arguments, stacking order."""

import functools
import inspect

import pytest
from python.decorators import (
    CountCalls,
    CountCallsNoGet,
    count_calls,
    count_calls_without_wraps,
    retry,
    tag,
)


def sample(x: int, y: int = 2) -> int:
    """Add two numbers."""
    return x + y


def test_wraps_copies_what_functools_documents():
    wrapped = count_calls(sample)
    for attr in functools.WRAPPER_ASSIGNMENTS:
        assert getattr(wrapped, attr) == getattr(sample, attr)
    assert wrapped.__wrapped__ is sample
    assert inspect.signature(wrapped) == inspect.signature(sample)


def test_without_wraps_metadata_is_lost():
    wrapped = count_calls_without_wraps(sample)
    assert wrapped(1) == 3
    assert wrapped(1, y=5) == 6  # keyword arguments are passed on too
    assert wrapped.__name__ == "wrapper"
    assert wrapped.__doc__ is None
    assert not hasattr(wrapped, "__wrapped__")


def test_counter_counts_calls_and_passes_arguments():
    wrapped = count_calls(sample)
    assert wrapped(1, y=5) == 6
    assert wrapped(2) == 4
    assert wrapped.calls == 2
    other = count_calls(sample)
    assert other.calls == 0  # each decoration has its own counter


def test_retry_gives_up_after_times_and_reraises():
    calls = []

    @retry(times=2, exceptions=(KeyError,))
    def always_fails():
        calls.append(1)
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        always_fails()
    assert len(calls) == 2
    once = retry(times=1, exceptions=(KeyError,))(always_fails.__wrapped__)  # no retry
    with pytest.raises(KeyError, match="boom"):
        once()
    assert len(calls) == 3


def test_retry_does_not_catch_other_exceptions():
    calls = []

    @retry(times=5, exceptions=(KeyError,))
    def wrong_error():
        calls.append(1)
        raise ValueError("not retried")

    with pytest.raises(ValueError, match="not retried"):
        wrong_error()
    assert len(calls) == 1


@pytest.mark.parametrize(("times", "error"), [(0, ValueError), (-1, ValueError), (1.5, TypeError)])
def test_retry_bad_times(times, error):
    with pytest.raises(error, match="times"):
        retry(times)


def test_retry_without_parentheses_fails_at_definition():
    with pytest.raises(TypeError, match="times must be an int, got function"):

        @retry
        def f():
            return 1


def test_count_calls_rejects_non_callable():
    with pytest.raises(TypeError, match=r"func must be callable, got int$"):
        count_calls(42)


def test_stacking_equals_nested_calls():
    def hi() -> str:
        return "hi"

    @tag("a")
    @tag("b")
    @tag("c")
    def stacked() -> str:
        return "hi"

    assert stacked() == tag("a")(tag("b")(tag("c")(hi)))() == "<a><b><c>hi</c></b></a>"
    assert stacked.__name__ == "stacked"


def make_counter_class(decorator):
    class Counter:
        def __init__(self, start: int) -> None:
            self.value = start

        @decorator
        def add(self, step: int = 1) -> int:
            """Add step to the value."""
            self.value += step
            return self.value

    return Counter


def test_class_decorator_with_get_binds_like_a_function_decorator():
    for decorator in (CountCalls, count_calls):  # count_calls returns a plain function
        Counter = make_counter_class(decorator)
        a, b = Counter(0), Counter(10)
        assert a.add() == 1
        assert a.add(step=5) == 6
        assert b.add(2) == 12
        assert Counter.add(a, 1) == 7  # through the class: self passed by hand
        assert Counter.add.calls == 4  # one counter for the function, shared by instances
        assert a.add.__self__ is a  # a bound method of the instance
        assert Counter.add.__name__ == "add"
        assert Counter.add.__doc__ == "Add step to the value."
    assert isinstance(make_counter_class(CountCalls).add, CountCalls)


def test_class_decorator_without_get_does_not_bind():
    Counter = make_counter_class(CountCallsNoGet)
    c = Counter(0)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'self'"):
        c.add()  # the instance is never passed
    with pytest.raises(AttributeError, match="'int' object has no attribute 'value'"):
        c.add(3)  # 3 lands in self
    assert c.add(c, 2) == 2
    assert not hasattr(CountCallsNoGet, "__get__")


def test_class_decorators_on_plain_functions_and_bad_input():
    for decorator in (CountCalls, CountCallsNoGet):

        @decorator
        def double(x):
            return 2 * x

        assert double(4) == 8
        assert double.calls == 1
        assert double.__wrapped__(1) == 2
        assert double.calls == 1
        with pytest.raises(TypeError, match=r"func must be callable, got int$"):
            decorator(3)
