"""Iterables, iterators and generators: the iterator protocol, yield from, lazy pipelines."""

# --8<-- [start:imports]
import itertools
import sys
from collections.abc import Generator, Iterable, Iterator

# --8<-- [end:imports]


# --8<-- [start:countdown_class]
class Countdown:
    """An iterator written by hand: __iter__ returns self, __next__ raises StopIteration."""

    def __init__(self, start: int) -> None:
        if isinstance(start, bool) or not isinstance(start, int):
            raise TypeError(f"start must be an int, got {type(start).__name__}")
        self.current = start

    def __iter__(self) -> "Countdown":
        return self

    def __next__(self) -> int:
        if self.current <= 0:
            raise StopIteration
        self.current -= 1
        return self.current + 1


# --8<-- [end:countdown_class]


# --8<-- [start:countdown_gen]
def countdown(start: int) -> Iterator[int]:
    """The same iterator as a generator function: the state lives in the paused frame."""
    if isinstance(start, bool) or not isinstance(start, int):
        raise TypeError(f"start must be an int, got {type(start).__name__}")
    while start > 0:
        yield start
        start -= 1


# --8<-- [end:countdown_gen]


# --8<-- [start:flatten]
def flatten(items: Iterable) -> Iterator:
    """Flatten arbitrarily nested lists and tuples; `yield from` delegates to the sub-generator."""
    for item in items:
        if isinstance(item, list | tuple):
            yield from flatten(item)
        else:
            yield item


# --8<-- [end:flatten]


# --8<-- [start:pipeline]
def naturals(log: list | None = None) -> Iterator[int]:
    """0, 1, 2, ... forever; appends each produced number to `log` to make laziness visible."""
    n = 0
    while True:
        if log is not None:
            log.append(n)
        yield n
        n += 1


def first_even_squares(k: int, log: list | None = None) -> list[int]:
    """The first k squares of even numbers, from an infinite source, one item at a time."""
    evens = (n for n in naturals(log) if n % 2 == 0)
    squares = (n * n for n in evens)
    return list(itertools.islice(squares, k))


# --8<-- [end:pipeline]


# --8<-- [start:send]
def running_mean() -> Generator[float | None, float, None]:
    """send(x) returns the mean of every x sent so far; prime it with next() first."""
    total, count, mean = 0.0, 0, None
    while True:
        value = yield mean  # send(v) resumes here with value = v; next() sends None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"send a number, got {type(value).__name__}")
        total, count = total + value, count + 1
        mean = total / count


# --8<-- [end:send]


# --8<-- [start:close]
def numbered_lines(lines: Iterable[str], log: list[str]) -> Iterator[str]:
    """Yield '1: line', ...; the finally block runs on exhaustion, on close() and on errors."""
    log.append("open")  # stands for opening a file or a connection
    try:
        for number, line in enumerate(lines, 1):
            yield f"{number}: {line}"
    finally:
        log.append("closed")  # close() raises GeneratorExit at the paused yield


def stubborn() -> Iterator[int]:
    """A broken generator: it yields again after GeneratorExit, so close() fails."""
    try:
        yield 1
    except GeneratorExit:
        yield 2  # wrong: on GeneratorExit a generator must return or raise, not yield


# --8<-- [end:close]


if __name__ == "__main__":
    # --8<-- [start:demo_protocol]
    numbers = [3, 2, 1]
    it = iter(numbers)  # a list is iterable, not an iterator: iter() makes a new iterator
    assert it is not numbers
    assert iter(it) is it  # an iterator's __iter__ returns itself
    assert [next(it), next(it), next(it)] == [3, 2, 1]
    try:
        next(it)
    except StopIteration:
        pass  # the end of the iteration is signalled by an exception
    else:
        raise AssertionError("the iterator did not stop")
    assert list(Countdown(3)) == list(countdown(3)) == [3, 2, 1]
    # --8<-- [end:demo_protocol]

    # --8<-- [start:demo_exhaustion]
    gen = countdown(3)
    assert sum(gen) == 6
    assert list(gen) == []  # exhausted: a generator can be consumed only once
    assert list(numbers) == list(numbers) == [3, 2, 1]  # a list can be iterated again
    # --8<-- [end:demo_exhaustion]

    # --8<-- [start:demo_yield_from]
    assert list(flatten([1, [2, [3, (4, 5)]], 6])) == [1, 2, 3, 4, 5, 6]
    # --8<-- [end:demo_yield_from]

    # --8<-- [start:demo_lazy]
    log: list[int] = []
    assert first_even_squares(3, log) == [0, 4, 16]
    assert log == [0, 1, 2, 3, 4]  # only the numbers that were needed were produced
    squares_list = [n * n for n in range(100_000)]
    squares_gen = (n * n for n in range(100_000))
    assert sys.getsizeof(squares_gen) < sys.getsizeof(squares_list)
    assert sum(squares_gen) == sum(squares_list)
    # --8<-- [end:demo_lazy]

    # --8<-- [start:demo_send]
    mean = running_mean()
    assert next(mean) is None  # run to the first yield; send(10) here would raise TypeError
    assert mean.send(10) == 10.0
    assert mean.send(20) == 15.0
    assert mean.send(0) == 10.0
    mean.close()
    try:
        mean.send(5)
    except StopIteration:
        pass  # a closed generator is finished for good
    else:
        raise AssertionError("a closed generator still ran")
    # --8<-- [end:demo_send]

    # --8<-- [start:demo_close]
    log: list[str] = []
    lines = numbered_lines(["a", "b", "c"], log)
    assert log == []  # nothing runs before the first next()
    assert next(lines) == "1: a"
    assert log == ["open"]
    lines.close()  # GeneratorExit at the yield: finally runs, the file is released
    assert log == ["open", "closed"]
    assert list(lines) == []

    gen = stubborn()
    next(gen)
    try:
        gen.close()
    except RuntimeError as error:
        message = str(error)
    else:
        raise AssertionError("close() accepted a generator that kept yielding")
    assert "ignored GeneratorExit" in message
    # --8<-- [end:demo_close]
    print(first_even_squares(5))
