"""__new__ creates an instance, __init__ initialises it: order, singleton, immutable subclass."""

# --8<-- [start:imports]
from typing import Any, ClassVar

# --8<-- [end:imports]


# --8<-- [start:traced]
class Traced:
    """Records the order in which __new__ and __init__ run."""

    log: ClassVar[list[str]] = []

    def __new__(cls, *args: Any, **kwargs: Any) -> "Traced":
        cls.log.append(f"__new__({cls.__name__})")
        return super().__new__(cls)  # object.__new__ takes only the class

    def __init__(self, value: int) -> None:
        self.log.append(f"__init__({value})")
        self.value = value


# --8<-- [end:traced]


# --8<-- [start:singleton]
class Config:
    """A singleton by __new__. __init__ still runs on every Config(...) call."""

    _instance: "Config | None" = None

    def __new__(cls, *args: Any, **kwargs: Any) -> "Config":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __init__(self, name: str) -> None:
        self.name = name


# --8<-- [end:singleton]


# --8<-- [start:immutable]
class Point(tuple):
    """An immutable 2-D point: the tuple's contents must be fixed in __new__."""

    def __new__(cls, x: float, y: float) -> "Point":
        for arg, value in (("x", x), ("y", y)):
            if not isinstance(value, int | float):
                raise TypeError(f"{arg} must be a number, got {type(value).__name__}")
        return super().__new__(cls, (x, y))

    @property
    def x(self) -> float:
        return self[0]

    @property
    def y(self) -> float:
        return self[1]


class UpperStr(str):
    """A str that is always upper case: the value is chosen in __new__."""

    def __new__(cls, value: object) -> "UpperStr":
        return super().__new__(cls, str(value).upper())


class UpperStrInInit(str):
    """The wrong way: by the time __init__ runs, the str value is already fixed."""

    def __init__(self, value: object) -> None:
        # Rebinds a local name; the object is unchanged (and so it is under any mutant of it).
        self = str(value).upper()  # noqa: F841  # pragma: no mutate (see the comment above)


# --8<-- [end:immutable]


# --8<-- [start:not_instance]
class Factory:
    """__new__ may return anything; __init__ is skipped when it is not a Factory."""

    def __new__(cls, kind: str) -> Any:
        if kind == "list":
            return []
        return super().__new__(cls)

    def __init__(self, kind: str) -> None:
        self.kind = kind


# --8<-- [end:not_instance]


if __name__ == "__main__":
    # --8<-- [start:demo_order]
    Traced.log.clear()
    t = Traced(7)
    assert Traced.log == ["__new__(Traced)", "__init__(7)"]
    assert t.value == 7
    # --8<-- [end:demo_order]

    # --8<-- [start:demo_singleton]
    a = Config("first")
    b = Config("second")
    assert a is b
    assert a.name == "second"  # pitfall: __init__ ran again and overwrote the state
    # --8<-- [end:demo_singleton]

    # --8<-- [start:demo_immutable]
    p = Point(3, 4)
    assert p == (3, 4)
    assert (p.x, p.y) == (3, 4)
    assert hash(p) == hash((3, 4))
    assert UpperStr("abc") == "ABC"
    assert UpperStrInInit("abc") == "abc"  # __init__ could not change the value
    # --8<-- [end:demo_immutable]

    # --8<-- [start:demo_not_instance]
    assert Factory("list") == []  # a plain list: Factory.__init__ was not called
    assert Factory("obj").kind == "obj"
    # --8<-- [end:demo_not_instance]
    print(Traced.log, p, UpperStr("ok"))
