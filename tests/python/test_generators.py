"""Iterator protocol, generators, yield from and laziness."""

import inspect
import itertools

import pytest
from python.generators import Countdown, countdown, first_even_squares, flatten, naturals


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
    with pytest.raises(TypeError, match="start must be an int"):
        next(gen)
    with pytest.raises(TypeError, match="start must be an int"):
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
