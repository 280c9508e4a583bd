"""Decorators: functools.wraps, decorators with arguments, and the order of stacking."""

# --8<-- [start:imports]
import functools
import types
from collections.abc import Callable
from typing import Any

# --8<-- [end:imports]


# --8<-- [start:count_calls]
def count_calls(func: Callable) -> Callable:
    """Count how often func is called, in wrapper.calls; keeps func's name and docstring."""
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")

    @functools.wraps(func)  # copies __name__, __doc__, __module__, ... and sets __wrapped__
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wrapper.calls += 1
        return func(*args, **kwargs)

    wrapper.calls = 0
    return wrapper


# --8<-- [end:count_calls]


# --8<-- [start:no_wraps]
def count_calls_without_wraps(func: Callable) -> Callable:
    """The same decorator without functools.wraps: the wrapper hides func's metadata."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


# --8<-- [end:no_wraps]


# --8<-- [start:retry]
def retry(times: int, exceptions: tuple[type[BaseException], ...] = (Exception,)) -> Callable:
    """Decorator factory: call the function up to `times` times while it raises `exceptions`."""
    if isinstance(times, bool) or not isinstance(times, int):
        raise TypeError(f"times must be an int, got {type(times).__name__}")
    if times < 1:
        raise ValueError(f"times must be >= 1, got {times}")

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(1, times + 1):
                try:
                    return func(*args, **kwargs)
                except exceptions:
                    if attempt == times:
                        raise  # out of attempts: re-raise the last error

        return wrapper

    return decorator


# --8<-- [end:retry]


# --8<-- [start:tag]
def tag(name: str) -> Callable:
    """Decorator factory: wrap the string result of a function in <name>...</name>."""

    def decorator(func: Callable[..., str]) -> Callable[..., str]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> str:
            return f"<{name}>{func(*args, **kwargs)}</{name}>"

        return wrapper

    return decorator


# --8<-- [end:tag]


# --8<-- [start:class_decorator]
class CountCallsNoGet:
    """A decorator written as a class, without __get__: fine on functions, broken on methods."""

    def __init__(self, func: Callable) -> None:
        if not callable(func):
            raise TypeError(f"func must be callable, got {type(func).__name__}")
        functools.update_wrapper(self, func)  # __name__, __doc__, __wrapped__ on the instance
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.__wrapped__(*args, **kwargs)


class CountCalls(CountCallsNoGet):
    """The same decorator with __get__: looked up on an instance, it binds like a function."""

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:  # looked up on the class: Cls.method
            return self
        return types.MethodType(self, instance)  # calls self(instance, *args)


# --8<-- [end:class_decorator]


if __name__ == "__main__":
    # --8<-- [start:demo_wraps]
    @count_calls
    def square(x: int) -> int:
        """Return x squared."""
        return x * x

    assert [square(i) for i in range(3)] == [0, 1, 4]
    assert square.calls == 3
    assert square.__name__ == "square"
    assert square.__doc__ == "Return x squared."
    assert square.__wrapped__(5) == 25  # the undecorated function, not counted
    assert square.calls == 3

    @count_calls_without_wraps
    def cube(x: int) -> int:
        """Return x cubed."""
        return x**3

    assert cube(2) == 8
    assert cube.__name__ == "wrapper"  # metadata lost
    assert cube.__doc__ is None
    # --8<-- [end:demo_wraps]

    # --8<-- [start:demo_retry]
    attempts = []

    @retry(times=3, exceptions=(ConnectionError,))
    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionError("try again")
        return "ok"

    assert flaky() == "ok"
    assert len(attempts) == 3
    # --8<-- [end:demo_retry]

    # --8<-- [start:demo_stack]
    @tag("b")
    @tag("i")
    def hello(name: str) -> str:
        return f"hi {name}"

    # Same as hello = tag("b")(tag("i")(hello)): the decorator nearest the def is applied
    # first and ends up innermost; at call time the outermost wrapper runs first.
    assert hello("Ann") == "<b><i>hi Ann</i></b>"
    # --8<-- [end:demo_stack]

    # --8<-- [start:demo_class_decorator]
    class Account:
        def __init__(self) -> None:
            self.balance = 0

        @CountCalls
        def deposit(self, amount: int) -> int:
            """Add amount to the balance."""
            self.balance += amount
            return self.balance

        @CountCallsNoGet
        def withdraw(self, amount: int) -> int:
            self.balance -= amount
            return self.balance

    account = Account()
    assert account.deposit(5) == 5
    assert account.deposit(7) == 12
    assert Account.deposit.calls == 2  # one counter per decorated function, for all instances
    assert Account.deposit.__name__ == "deposit"
    try:
        account.withdraw(3)  # without __get__, self is never passed: withdraw(3)
    except TypeError as error:
        message = str(error)
    else:
        raise AssertionError("the method without __get__ should not have bound")
    assert "missing 1 required positional argument" in message
    assert account.withdraw(account, 3) == 9  # passing self by hand works
    assert isinstance(Account.deposit, CountCalls)  # on the class: the decorator object itself
    assert Account.deposit(account, 1) == 10  # so self is passed by hand, as with withdraw
    assert Account.deposit.calls == 3
    # --8<-- [end:demo_class_decorator]
    print(hello("Ann"))
