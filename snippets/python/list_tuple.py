"""list vs tuple (mutability, hashability, memory), list.append vs list.extend, list vs deque."""

# --8<-- [start:imports]
import sys
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence

# --8<-- [end:imports]


# --8<-- [start:sizes]
def sizes(n: int) -> dict[str, int]:
    """sys.getsizeof of n items stored as a tuple, a list built at once, and one grown by append."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be an int >= 0, got {n!r}")
    grown: list[int] = []
    for i in range(n):
        grown.append(i)  # pragma: no mutate (getsizeof counts slots, not what they hold)
    return {
        "tuple": sys.getsizeof(tuple(range(n))),
        "list": sys.getsizeof(list(range(n))),
        "list_append": sys.getsizeof(grown),
    }


# --8<-- [end:sizes]


# --8<-- [start:capacity_steps]
def capacity_steps(n: int) -> int:
    """How many times the size of a list changed while appending n items one by one."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be an int >= 0, got {n!r}")
    grown: list[int] = []
    sizes_seen = {sys.getsizeof(grown)}
    for i in range(n):
        grown.append(i)  # pragma: no mutate (getsizeof counts slots, not what they hold)
        sizes_seen.add(sys.getsizeof(grown))
    return len(sizes_seen) - 1


# --8<-- [end:capacity_steps]


# --8<-- [start:bfs]
def bfs_order(graph: Mapping[Hashable, Sequence[Hashable]], start: Hashable) -> list:
    """Breadth-first visiting order from start; the queue is a deque: popleft is O(1)."""
    if not isinstance(graph, Mapping):
        raise TypeError(f"graph must map a node to its neighbours, got {type(graph).__name__}")
    if start not in graph:
        raise ValueError(f"start {start!r} is not a node of graph")
    seen, order, queue = {start}, [], deque([start])  # a set: `in` is O(1), not O(n)
    while queue:
        node = queue.popleft()  # list.pop(0) here would move every remaining item
        order.append(node)
        for neighbour in graph[node]:
            if neighbour not in graph:
                raise ValueError(f"neighbour {neighbour!r} of {node!r} is not a node of graph")
            if neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
    return order


def tail(items: Iterable, n: int) -> list:
    """The last n items of any iterable in one pass and O(n) memory, like `tail -n`."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be an int >= 0, got {n!r}")
    return list(deque(items, maxlen=n))  # a full deque drops from the left as it appends


# --8<-- [end:bfs]


if __name__ == "__main__":
    # --8<-- [start:demo_mutability]
    lst, tup = [1, 2, 3], (1, 2, 3)
    lst[0] = 100  # in place
    try:
        tup[0] = 100
    except TypeError:
        pass  # 'tuple' object does not support item assignment
    else:
        raise AssertionError("a tuple accepted item assignment")

    before = lst
    lst += [4]  # list: += extends in place, same object
    assert lst is before
    before = tup
    tup += (4,)  # tuple: += builds a new tuple and rebinds the name
    assert tup is not before
    assert before == (1, 2, 3)
    # --8<-- [end:demo_mutability]

    # --8<-- [start:demo_hash]
    table = {(0, 0): "origin"}  # a tuple of hashable items is hashable: usable as a key
    assert table[(0, 0)] == "origin"
    for unhashable in ([0, 0], ([0], 0)):
        try:
            hash(unhashable)
        except TypeError:
            pass  # a list, or a tuple that contains a list, cannot be a dict key
        else:
            raise AssertionError(f"{unhashable!r} is hashable")
    nested = ([1], 2)
    nested[0].append(99)  # the tuple is fixed, the list inside it is not
    assert nested == ([1, 99], 2)
    # --8<-- [end:demo_hash]

    # --8<-- [start:demo_memory]
    for n in (0, 1, 10, 1000):
        s = sizes(n)
        assert s["tuple"] < s["list"] <= s["list_append"]
    assert capacity_steps(1000) < 1000  # the list over-allocates: few resizes, not one per append
    # --8<-- [end:demo_memory]

    # --8<-- [start:demo_append_extend]
    a = [1, 2]
    a.append([3, 4])  # one new element: the list object itself
    assert a == [1, 2, [3, 4]]
    assert len(a) == 3

    b = [1, 2]
    b.extend([3, 4])  # every element of the iterable, in order
    assert b == [1, 2, 3, 4]
    b.extend("ab")  # a str is an iterable of characters
    b.extend({"x": 0, "y": 1})  # a dict iterates over its keys
    b.extend(range(2))
    assert b == [1, 2, 3, 4, "a", "b", "x", "y", 0, 1]
    try:
        b.extend(5)
    except TypeError:
        pass  # 'int' object is not iterable
    else:
        raise AssertionError("extend accepted an int")

    inner = [3, 4]
    c = [1, 2]
    c.append(inner)
    inner.append(5)  # append stores a reference, not a copy
    assert c == [1, 2, [3, 4, 5]]
    # --8<-- [end:demo_append_extend]

    # --8<-- [start:demo_deque]
    d = deque([2, 3])
    d.appendleft(1)  # O(1); list.insert(0, 1) would shift every item one slot right
    d.append(4)
    assert d.popleft() == 1
    assert d.pop() == 4
    assert list(d) == [2, 3]
    d.rotate(1)  # the last item moves to the front
    assert list(d) == [3, 2]

    graph = {"a": ["b", "c"], "b": ["d"], "c": ["d", "e"], "d": [], "e": ["a"]}
    assert bfs_order(graph, "a") == ["a", "b", "c", "d", "e"]
    assert tail(range(10), 3) == [7, 8, 9]
    assert tail((line for line in ["x", "y"]), 5) == ["x", "y"]
    # --8<-- [end:demo_deque]
    print(sizes(10), capacity_steps(1000))
