"""Python 3's built-in types: which are mutable, int without a size limit, bool as an int."""

# --8<-- [start:imports]
import math
import sys

# --8<-- [end:imports]


# --8<-- [start:tables]
MUTABLE = (list, dict, set, bytearray)
IMMUTABLE = (int, float, complex, bool, str, bytes, tuple, frozenset, range, type(None))


def is_hashable_type(tp: type) -> bool:
    """True when instances of tp can be dict keys (the type defines __hash__)."""
    if not isinstance(tp, type):
        raise TypeError(f"tp must be a type, got {type(tp).__name__}")
    return tp.__hash__ is not None


# --8<-- [end:tables]


if __name__ == "__main__":
    # --8<-- [start:demo_mutable]
    assert not any(is_hashable_type(tp) for tp in MUTABLE)  # mutable containers: __hash__ = None
    assert all(is_hashable_type(tp) for tp in IMMUTABLE)
    # --8<-- [end:demo_mutable]

    # --8<-- [start:demo_int]
    big = 2**100
    assert type(big) is int  # Python 3 has one int type; Python 2's long is gone
    assert big > sys.maxsize  # sys.maxsize bounds container sizes, not int values
    assert big + 1 - big == 1  # exact integer arithmetic
    assert float(big) + 1 == float(big)  # a float has 53 significant bits only
    assert sys.float_info.mant_dig == 53
    try:
        float(10**400)
    except OverflowError:
        pass  # the int is fine, it is too large for a float
    else:
        raise AssertionError("10**400 fitted into a float")
    # --8<-- [end:demo_int]

    # --8<-- [start:demo_bool]
    assert issubclass(bool, int)
    assert True + True == 2
    assert isinstance(False, int)
    d = {1: "int one"}
    d[True] = "bool true"  # True == 1 and hash(True) == hash(1): the same key
    assert d == {1: "bool true"}
    assert sum([True, False, True]) == 2  # counting with booleans
    # --8<-- [end:demo_bool]

    # --8<-- [start:demo_float]
    assert 0.1 + 0.2 != 0.3
    assert math.isclose(0.1 + 0.2, 0.3)
    assert -7 // 2 == -4  # floor division rounds towards minus infinity
    assert -7 % 2 == 1  # so that (a // b) * b + a % b == a
    # --8<-- [end:demo_float]
    print("mutable:", [tp.__name__ for tp in MUTABLE])
