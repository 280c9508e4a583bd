"""Duck typing, Protocol and ABC behaviour."""

import math

import pytest
from python.duck_typing import Circle, Deck, HasArea, Rug, Shape, Square, total_area


def test_polymorphic_dispatch_uses_the_runtime_class():
    shapes = [Circle(2.0), Square(3.0), Rug(1.0, 4.0)]
    assert total_area(shapes) == pytest.approx(4 * math.pi + 9 + 4)


def test_shared_describe_names_the_subclass_and_its_area():
    assert Circle(1.0).describe() == "Circle with area 3.14"
    assert Square(2.0).describe() == "Square with area 4.00"


def test_abstract_method_blocks_incomplete_subclasses():
    class Incomplete(Shape):
        pass

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()


def test_protocol_is_structural_and_checks_names_only():
    class Fake:
        area = 3  # an attribute named area, not even callable

    assert isinstance(Rug(1, 1), HasArea)
    assert not isinstance(object(), HasArea)
    assert isinstance(Fake(), HasArea)  # runtime_checkable only checks that the name exists


def test_total_area_accepts_any_iterable_and_names_the_bad_item():
    assert total_area(iter([Square(2.0)])) == 4.0
    assert total_area([]) == 0.0
    with pytest.raises(TypeError, match=r"shapes\[2\] has no area\(\) method: int"):
        total_area([Square(1.0), Square(1.0), 5])


def test_sequence_protocol_through_getitem():
    deck = Deck()
    assert len(deck) == 52
    assert next(reversed(deck)) == "KC"  # reversed() uses __len__ and __getitem__
    assert deck[-1] == "KC"
    assert sorted(deck)[:2] == ["2C", "2D"]
