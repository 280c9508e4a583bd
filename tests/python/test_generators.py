"""Iterator protocol, generators, yield from and laziness."""

import inspect
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python.generators import (
    Countdown,
    countdown,
    first_even_squares,
    flatten,
    naturals,
    numbered_lines,
    running_mean,
    stubborn,
)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_class_and_generator_give_the_same_sequence(n):
    assert list(Countdown(n)) == list(countdown(n)) == list(range(n, 0, -1))


def test_generator_is_an_iterator():
    gen = countdown(2)
    assert inspect.isgenerator(gen)
    assert iter(gen) is gen
    assert next(gen) == 2
    assert next(gen) == 1
    with pytest.raises(StopIteration):
        next(gen)
    assert list(gen) == []  # exhausted for good


def test_generator_body_runs_lazily():
    # The argument check is inside the generator body: it runs on the first next().
    gen = countdown("3")
    with pytest.raises(TypeError, match=r"start must be an int, got str$"):
        next(gen)
    with pytest.raises(TypeError, match=r"start must be an int, got str$"):
        Countdown("3")  # a class checks eagerly, in __init__


def test_flatten_matches_a_recursive_list_builder():
    def reference(items):
        out = []
        for item in items:
            out.extend(reference(item) if isinstance(item, list | tuple) else [item])
        return out

    nested = [[1, [2, 3]], (), [[[]]], 4, ("a", ["b"])]
    assert list(flatten(nested)) == reference(nested) == [1, 2, 3, 4, "a", "b"]


def test_pipeline_pulls_only_what_it_needs():
    log = []
    assert first_even_squares(4, log) == [0, 4, 16, 36]
    assert log == list(range(7))
    assert first_even_squares(0) == []


def test_naturals_is_infinite_but_lazy():
    assert list(itertools.islice(naturals(), 5)) == [0, 1, 2, 3, 4]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-1000, 1000) | st.floats(-1e6, 1e6), min_size=1, max_size=20))
def test_running_mean_matches_the_mean_of_a_prefix(values):
    mean = running_mean()
    assert next(mean) is None
    for k, value in enumerate(values, 1):
        assert mean.send(value) == pytest.approx(sum(values[:k]) / k, rel=1e-9, abs=1e-9)


def primed():
    gen = running_mean()
    next(gen)
    return gen


def test_send_protocol():
    with pytest.raises(TypeError, match="just-started generator"):
        running_mean().send(3)  # Python's own rule: the first value sent must be None
    mean = primed()
    assert mean.send(3) == 3.0
    with pytest.raises(TypeError, match="send a number, got NoneType"):
        next(mean)  # next() is send(None): the body receives None and rejects it
    with pytest.raises(TypeError, match="got bool"):
        primed().send(True)
    gen = primed()
    with pytest.raises(ValueError, match="boom"):
        gen.throw(ValueError("boom"))  # raised at the paused yield, not caught there
    with pytest.raises(StopIteration):
        gen.send(1)  # the generator died with the exception


def test_throw_caught_inside_the_generator():
    def catcher(after_catch):
        try:
            yield 1
        except ValueError:
            if after_catch == "yield":
                yield "caught"
            else:
                return "done"

    gen = catcher("yield")
    next(gen)
    assert gen.throw(ValueError("boom")) == "caught"  # throw returns the next value yielded
    gen = catcher("return")
    next(gen)
    with pytest.raises(StopIteration) as stop:
        gen.throw(ValueError("boom"))  # caught, then returned: throw raises StopIteration
    assert stop.value.value == "done"


def test_close_runs_finally_exactly_once():
    log = []
    lines = numbered_lines(["a", "b"], log)
    lines.close()  # never started: nothing runs, not even the finally block
    assert log == []
    lines = numbered_lines(["a", "b"], log)
    assert next(lines) == "1: a"
    lines.close()
    lines.close()  # closing twice is harmless
    assert log == ["open", "closed"]
    with pytest.raises(StopIteration):
        next(lines)
    log.clear()
    assert list(numbered_lines(["x", "y"], log)) == ["1: x", "2: y"]
    assert log == ["open", "closed"]  # exhaustion runs finally too


def test_yielding_after_generator_exit_is_a_runtime_error():
    gen = stubborn()
    assert next(gen) == 1
    with pytest.raises(RuntimeError, match="generator ignored GeneratorExit"):
        gen.close()
    gen = stubborn()
    next(gen)
    assert gen.throw(GeneratorExit) == 2  # what close() raises: caught, and 2 yielded instead
