"""C3 linearisation (Python's MRO) on a class graph, and cooperative super() in a diamond."""

# --8<-- [start:imports]
from collections.abc import Mapping, Sequence

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def c3_whiteboard(graph, name):
    """C3 线性化：graph[name] 是类 name 的直接父类列表，返回它的 MRO。"""
    seqs = [c3_whiteboard(graph, base) for base in graph[name]] + [list(graph[name])]
    result = [name]
    while any(seqs):
        seqs = [seq for seq in seqs if seq]
        for seq in seqs:  # 第一个「不在任何序列尾部」的表头
            head = seq[0]
            if not any(head in other[1:] for other in seqs):
                break
        else:
            raise TypeError("Cannot create a consistent method resolution order (MRO)")
        result.append(head)
        seqs = [seq[1:] if seq[0] == head else seq for seq in seqs]
    return result


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _check_graph(graph: Mapping[str, Sequence[str]], name: str) -> None:
    """Every class named, with a list of distinct, known bases; no class its own ancestor."""
    if not isinstance(graph, Mapping):
        raise TypeError(f"graph must map class names to lists of bases, got {type(graph).__name__}")
    if name not in graph:
        raise ValueError(f"class {name!r} is not in graph")
    for cls, bases in graph.items():
        if not isinstance(cls, str) or isinstance(bases, str) or not isinstance(bases, Sequence):
            raise TypeError(f"graph[{cls!r}] must be a list of base names, got {bases!r}")
        for base in bases:
            if base not in graph:
                raise ValueError(f"base {base!r} of {cls!r} is not in graph")
    state: dict[str, str] = {}  # "open" while on the DFS stack, "done" afterwards
    stack = [(name, iter(graph[name]))]
    state[name] = "open"
    while stack:
        cls, bases = stack[-1]
        base = next(bases, None)
        if base is None:
            state[cls] = "done"  # pragma: no mutate (a state is only ever compared with "open")
            stack.pop()
        elif state.get(base) == "open":
            raise ValueError(f"cycle in graph: {base!r} is its own ancestor")
        elif base not in state:
            state[base] = "open"
            stack.append((base, iter(graph[base])))


# --8<-- [end:check]


# --8<-- [start:c3]
def c3_linearize(
    graph: Mapping[str, Sequence[str]], name: str, _memo: dict | None = None
) -> list[str]:
    """MRO of class `name`: L[C] = C + merge(L[B1], ..., L[Bn], [B1, ..., Bn]).

    Raises TypeError with Python's own messages for a duplicate base or an inconsistent order.
    """
    memo = {} if _memo is None else _memo
    if _memo is None:
        _check_graph(graph, name)
    if name in memo:
        return memo[name]
    bases = list(graph[name])
    if duplicates := [b for i, b in enumerate(bases) if b in bases[:i]]:
        raise TypeError(f"duplicate base class {duplicates[0]}")
    seqs = [list(c3_linearize(graph, base, memo)) for base in bases] + [bases]
    result = [name]
    while any(seqs):
        candidates = [seq[0] for seq in seqs if seq]
        tails = {cls for seq in seqs for cls in seq[1:]}
        head = next((cls for cls in candidates if cls not in tails), None)
        if head is None:  # every remaining head is still needed after something else
            stuck = ", ".join(dict.fromkeys(candidates))
            raise TypeError(
                f"Cannot create a consistent method resolution order (MRO) for bases {stuck}"
            )
        result.append(head)
        seqs = [seq[1:] if seq and seq[0] == head else seq for seq in seqs]
    memo[name] = result
    return result


# --8<-- [end:c3]


# --8<-- [start:diamond]
class Base:
    def __init__(self, log: list[str], **kwargs) -> None:
        super().__init__(**kwargs)  # object.__init__ takes no arguments: kwargs must be empty
        log.append("Base")


class Left(Base):
    def __init__(self, log: list[str], **kwargs) -> None:
        super().__init__(log, **kwargs)  # the next class in type(self).__mro__, not Base
        log.append("Left")


class Right(Base):
    def __init__(self, log: list[str], **kwargs) -> None:
        super().__init__(log, **kwargs)
        log.append("Right")


class Child(Left, Right):
    def __init__(self, log: list[str], **kwargs) -> None:
        super().__init__(log, **kwargs)
        log.append("Child")


# --8<-- [end:diamond]


if __name__ == "__main__":
    # --8<-- [start:demo]
    graph = {
        "object": [],
        "Base": ["object"],
        "Left": ["Base"],
        "Right": ["Base"],
        "Child": ["Left", "Right"],
    }
    expected = ["Child", "Left", "Right", "Base", "object"]
    assert c3_linearize(graph, "Child") == c3_whiteboard(graph, "Child") == expected
    assert [cls.__name__ for cls in Child.__mro__] == expected  # Python agrees

    log: list[str] = []
    Child(log)
    assert log == ["Base", "Right", "Left", "Child"]  # Base.__init__ runs once
    # --8<-- [end:demo]

    # --8<-- [start:demo_error]
    graph["X"] = ["Left", "Right"]
    graph["Y"] = ["Right", "Left"]
    graph["Z"] = ["X", "Y"]  # X wants Left before Right, Y the opposite
    try:
        c3_linearize(graph, "Z")
    except TypeError as error:
        message = str(error)
    else:
        raise AssertionError("an inconsistent order must be rejected")
    assert message.endswith("for bases Left, Right")
    # --8<-- [end:demo_error]
    print(" -> ".join(expected))
