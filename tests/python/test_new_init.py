"""__new__ vs __init__: call order, singleton, immutable subclasses."""

import pytest
from python.new_init import Config, Factory, Point, Traced, UpperStr, UpperStrInInit


def test_new_runs_before_init_and_receives_the_class():
    Traced.log.clear()
    Traced(1)
    Traced(2)
    assert Traced.log == ["__new__(Traced)", "__init__(1)", "__new__(Traced)", "__init__(2)"]


def test_calling_the_class_is_new_then_init():
    # type.__call__ does: obj = cls.__new__(cls, ...); if isinstance(obj, cls): obj.__init__(...)
    obj = Traced.__new__(Traced, 5)
    assert not hasattr(obj, "value")  # created, not yet initialised
    obj.__init__(5)
    assert obj.value == 5


def test_singleton_returns_one_object():
    Config._instance = None
    objects = [Config(f"c{i}") for i in range(5)]
    assert all(o is objects[0] for o in objects)
    assert objects[0].name == "c4"


def test_subclass_of_singleton_shares_the_stored_instance_pitfall():
    Config._instance = None

    class Child(Config):
        pass

    parent = Config("p")
    # Child inherits _instance from Config, so Child() returns the Config object.
    assert type(Child("c")) is Config
    assert Child("c") is parent


def test_point_is_a_real_immutable_tuple():
    p = Point(1.5, -2)
    assert isinstance(p, tuple)
    assert p == (1.5, -2)
    with pytest.raises(TypeError):
        p[0] = 0
    with pytest.raises(AttributeError):
        p.x = 0  # read-only property
    assert {p: "ok"}[(1.5, -2)] == "ok"


def test_point_rejects_bad_coordinates():
    with pytest.raises(TypeError, match="y must be a number"):
        Point(1, "2")


def test_str_subclasses():
    assert UpperStr("MiXed") == "MIXED"
    assert isinstance(UpperStr(12), str)
    assert UpperStrInInit("MiXed") == "MiXed"


def test_init_skipped_when_new_returns_another_type():
    made = Factory("list")
    assert type(made) is list
    assert Factory("x").kind == "x"
