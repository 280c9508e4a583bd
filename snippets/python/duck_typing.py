"""Polymorphism through inheritance, duck typing, and typing.Protocol / abc.ABC as contracts."""

# --8<-- [start:imports]
import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sized
from typing import Protocol, runtime_checkable

# --8<-- [end:imports]


# --8<-- [start:abc]
class Shape(ABC):
    """Nominal contract: subclasses must implement area(), or they cannot be instantiated."""

    @abstractmethod
    def area(self) -> float: ...

    def describe(self) -> str:  # shared code; area() is resolved on the actual subclass
        return f"{type(self).__name__} with area {self.area():.2f}"


class Circle(Shape):
    def __init__(self, r: float) -> None:
        self.r = r

    def area(self) -> float:
        return math.pi * self.r**2


class Square(Shape):
    def __init__(self, side: float) -> None:
        self.side = side

    def area(self) -> float:
        return self.side**2


# --8<-- [end:abc]


# --8<-- [start:duck]
class Rug:
    """Not a Shape at all, but it has an area() method: for duck typing that is enough."""

    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h

    def area(self) -> float:
        return self.w * self.h


@runtime_checkable
class HasArea(Protocol):
    """Structural contract: any object with an area() method matches."""

    def area(self) -> float: ...


def total_area(shapes: Iterable[HasArea]) -> float:
    """Sum of area() over objects of any class that provides area()."""
    total = 0.0
    for i, shape in enumerate(shapes):
        if not isinstance(shape, HasArea):  # checks that the method exists, not its signature
            raise TypeError(f"shapes[{i}] has no area() method: {type(shape).__name__}")
        total += shape.area()
    return total


# --8<-- [end:duck]


# --8<-- [start:sized]
class Deck:
    """Implements __len__ and __getitem__ only; len(), `in`, iteration and Sized all work."""

    def __init__(self) -> None:
        self.cards = [f"{rank}{suit}" for suit in "SHDC" for rank in "A23456789TJQK"]

    def __len__(self) -> int:
        return len(self.cards)

    def __getitem__(self, i: int) -> str:
        return self.cards[i]


# --8<-- [end:sized]


if __name__ == "__main__":
    # --8<-- [start:demo_poly]
    shapes = [Circle(1.0), Square(2.0)]
    assert [s.describe() for s in shapes] == ["Circle with area 3.14", "Square with area 4.00"]
    try:
        Shape()
    except TypeError:
        pass  # Can't instantiate abstract class Shape
    else:
        raise AssertionError("an abstract class was instantiated")
    # --8<-- [end:demo_poly]

    # --8<-- [start:demo_duck]
    rug = Rug(2.0, 3.0)
    assert not isinstance(rug, Shape)
    assert isinstance(rug, HasArea)  # structural match, no inheritance
    assert total_area([Square(1.0), rug]) == 7.0
    message = ""
    try:
        total_area([Square(1.0), "not a shape"])
    except TypeError as error:
        message = str(error)
    assert message.startswith("shapes[1] has no area() method")
    # --8<-- [end:demo_duck]

    # --8<-- [start:demo_sized]
    deck = Deck()
    assert len(deck) == 52
    assert "QH" in deck  # `in` falls back to iterating with __getitem__
    assert next(iter(deck)) == "AS"
    assert isinstance(deck, Sized)  # Sized.__subclasshook__ only looks for __len__
    # --8<-- [end:demo_sized]
    print(total_area([Circle(1.0), rug]))
