"""C3 linearisation against Python's own __mro__, on hand cases and random class hierarchies."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python.mro import Base, Child, Left, Right, c3_linearize, c3_whiteboard


def python_mro(graph: dict[str, list[str]], name: str) -> list[str] | str:
    """Build the classes with type() in dependency order; Python's MRO names, or its TypeError."""
    classes: dict[str, type] = {"object": object}

    def build(cls: str) -> type:
        if cls not in classes:
            bases = tuple(build(base) for base in graph[cls])
            classes[cls] = type(cls, bases, {})
        return classes[cls]

    try:
        return [c.__name__ for c in build(name).__mro__]
    except TypeError as error:
        return " ".join(str(error).split())  # 3.11 breaks the message over two lines


def ours(function, graph, name) -> list[str] | str:
    try:
        return function(graph, name)
    except TypeError as error:
        return str(error)


@st.composite
def hierarchies(draw):
    """A random DAG of classes C0..Cn-1 over object; each class's bases are distinct and ordered."""
    n = draw(st.integers(1, 7))
    graph = {"object": []}
    for i in range(n):
        earlier = [f"C{j}" for j in range(i)]
        bases = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        graph[f"C{i}"] = bases or ["object"]
    return graph, f"C{n - 1}"


@settings(max_examples=150, deadline=None)
@given(hierarchies())
def test_c3_matches_python_on_random_hierarchies(case):
    graph, name = case
    expected = python_mro(graph, name)
    assert ours(c3_linearize, graph, name) == expected
    board = ours(c3_whiteboard, graph, name)
    if isinstance(expected, list):
        assert board == expected
    else:  # the whiteboard version raises the same error, with a shorter message
        assert board.startswith("Cannot create a consistent method resolution order")


def test_random_hierarchies_include_inconsistent_ones():
    # the strategy really reaches the error branch: this one is found by hand
    graph = {"object": [], "C0": ["object"], "C1": ["C0"], "C2": ["C0", "C1"]}
    assert python_mro(graph, "C2").endswith("for bases C0, C1")
    assert ours(c3_linearize, graph, "C2") == python_mro(graph, "C2")


def test_diamond_and_the_classic_example():
    # the example of the Python 2.3 MRO paper: O; F, E, D over O; C(D, F), B(D, E), A(B, C)
    graph = {
        "O": [],
        "F": ["O"],
        "E": ["O"],
        "D": ["O"],
        "C": ["D", "F"],
        "B": ["D", "E"],
        "A": ["B", "C"],
    }
    assert c3_linearize(graph, "A") == ["A", "B", "C", "D", "E", "F", "O"]
    assert c3_whiteboard(graph, "A") == ["A", "B", "C", "D", "E", "F", "O"]
    assert c3_linearize(graph, "B") == ["B", "D", "E", "O"]
    # depth-first left-to-right (Python 2 classic classes) would visit O before C
    assert [c.__name__ for c in Child.__mro__] == ["Child", "Left", "Right", "Base", "object"]


def test_error_messages_match_python():
    graph = {"object": [], "X": ["object"], "Y": ["object"]}
    graph |= {"A": ["X", "Y"], "B": ["Y", "X"], "Z": ["A", "B"], "W": ["object", "X"]}
    graph |= {"V": ["X", "X"]}
    for name in ("Z", "W", "V"):
        assert ours(c3_linearize, graph, name) == python_mro(graph, name)
    assert python_mro(graph, "V") == "duplicate base class X"
    assert python_mro(graph, "W").endswith("for bases object, X")


def test_cooperative_super_calls_each_init_once_in_mro_order():
    log: list[str] = []
    Child(log)
    assert log == ["Base", "Right", "Left", "Child"]  # reverse MRO: each appends after super()
    log.clear()
    Left(log)
    assert log == ["Base", "Left"]  # in a Left alone, super() in Left is Base
    assert super(Left, Child([])).__init__.__self__.__class__ is Child
    # the class after Left in Child's MRO is Right, not Left's own base
    mro = Child.__mro__
    assert mro[mro.index(Left) + 1] is Right
    with pytest.raises(TypeError):
        Base([], extra=1)  # object.__init__ rejects leftover keyword arguments

    # every __init__ passes **kwargs on: a class later in the MRO gets the argument it needs
    class Named(Base):
        def __init__(self, log: list[str], name: str, **kwargs) -> None:
            super().__init__(log, **kwargs)
            log.append(name)

    class Tagged(Child, Named):
        pass

    log.clear()
    Tagged(log, name="Named")  # MRO: Tagged, Child, Left, Right, Named, Base, object
    assert log == ["Base", "Named", "Right", "Left", "Child"]


def test_full_version_is_memoised_and_the_whiteboard_is_exponential():
    # a ladder: L{i} and R{i} both have bases L{i-1}, R{i-1}; without memo 2^depth calls
    depth = 10
    graph = {"object": [], "L0": ["object"], "R0": ["object"]}
    for i in range(1, depth + 1):
        graph[f"L{i}"] = graph[f"R{i}"] = [f"L{i - 1}", f"R{i - 1}"]

    class Counting(dict):
        reads = 0

        def __getitem__(self, key):
            self.reads += 1
            return super().__getitem__(key)

    full, board = Counting(graph), Counting(graph)
    expected = python_mro(graph, f"L{depth}")
    assert c3_linearize(full, f"L{depth}") == c3_whiteboard(board, f"L{depth}") == expected
    assert full.reads <= 3 * len(graph)  # each class's bases looked up a few times at most
    assert board.reads > 2**depth


def test_bad_graphs():
    message = r"^graph must map class names to lists of bases, got list$"
    with pytest.raises(TypeError, match=message):
        c3_linearize([("A", [])], "A")
    with pytest.raises(ValueError, match="not in graph"):
        c3_linearize({"A": []}, "B")
    with pytest.raises(ValueError, match="base 'B' of 'A'"):
        c3_linearize({"A": ["B"]}, "A")
    with pytest.raises(TypeError, match="list of base names"):
        c3_linearize({"A": "B", "B": []}, "A")
    with pytest.raises(ValueError, match="cycle"):
        c3_linearize({"A": ["B"], "B": ["C"], "C": ["A"]}, "A")
    with pytest.raises(ValueError, match="cycle"):
        c3_linearize({"A": ["A"]}, "A")
    # a cycle that does not pass through the class asked for
    with pytest.raises(ValueError, match=r"^cycle in graph: 'B' is its own ancestor$"):
        c3_linearize({"A": ["B"], "B": ["C"], "C": ["B"]}, "A")
