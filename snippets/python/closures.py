"""lambda and closures: the late-binding trap of closures created in a loop, and its fixes."""

# --8<-- [start:imports]
import functools
from collections.abc import Callable

# --8<-- [end:imports]


# --8<-- [start:counter]
def make_counter(start: int = 0) -> Callable[[], int]:
    """A closure: `count` lives on in a cell after make_counter has returned."""
    count = start

    def increment() -> int:
        nonlocal count  # without this, `count += 1` would make count local -> UnboundLocalError
        count += 1
        return count

    return increment


# --8<-- [end:counter]


# --8<-- [start:late]
def multipliers_late() -> list[Callable[[int], int]]:
    """The trap: every lambda looks up i when called, after the loop has ended (i == 3)."""
    return [lambda x: x * i for i in range(4)]  # noqa: B023 (the bug shown on purpose)


# --8<-- [end:late]


# --8<-- [start:fixes]
def multipliers_default() -> list[Callable[[int], int]]:
    """Fix 1: a default argument is evaluated once, when the lambda is created."""
    return [lambda x, i=i: x * i for i in range(4)]


def multipliers_partial() -> list[Callable[[int], int]]:
    """Fix 2: functools.partial stores the current value of i."""

    def mul(i: int, x: int) -> int:
        return x * i

    return [functools.partial(mul, i) for i in range(4)]


def make_multiplier(i: int) -> Callable[[int], int]:
    """Fix 3: a factory function gives each closure its own cell."""
    return lambda x: x * i


def multipliers_factory() -> list[Callable[[int], int]]:
    return [make_multiplier(i) for i in range(4)]


# --8<-- [end:fixes]


if __name__ == "__main__":
    # --8<-- [start:demo_lambda]
    square = lambda x: x * x  # noqa: E731 (only to show that a lambda is a function object)

    def square_def(x):
        return x * x

    assert square(7) == square_def(7) == 49
    assert square.__name__ == "<lambda>"
    pairs = [("b", 2), ("a", 3), ("c", 1)]
    assert sorted(pairs, key=lambda p: p[1]) == [("c", 1), ("b", 2), ("a", 3)]
    # --8<-- [end:demo_lambda]

    # --8<-- [start:demo_counter]
    counter = make_counter()
    assert [counter(), counter(), counter()] == [1, 2, 3]
    other = make_counter(10)
    assert other() == 11  # each call of make_counter has its own cell
    assert counter() == 4
    assert counter.__closure__[0].cell_contents == 4
    # --8<-- [end:demo_counter]

    # --8<-- [start:demo_late]
    assert [f(10) for f in multipliers_late()] == [30, 30, 30, 30]
    for make in (multipliers_default, multipliers_partial, multipliers_factory):
        assert [f(10) for f in make()] == [0, 10, 20, 30]
    # --8<-- [end:demo_late]
    print([f(10) for f in multipliers_late()], [f(10) for f in multipliers_default()])
