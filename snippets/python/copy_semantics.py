"""Assignment, shallow copy and deep copy in Python, shown with assertions on identity (`is`).

Every demo_* function states its facts as asserts; running the file runs them all.
"""

# --8<-- [start:imports]
import copy

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:shared_containers]
CONTAINERS = (list, dict, set, tuple)


def reachable_containers(obj: object) -> dict[int, object]:
    """Every list/dict/set/tuple reachable from obj (obj included), keyed by id; cycles are fine."""
    found: dict[int, object] = {}
    stack = [obj]
    while stack:
        item = stack.pop()
        if not isinstance(item, CONTAINERS) or id(item) in found:
            continue
        found[id(item)] = item
        stack.extend(item.values() if isinstance(item, dict) else item)
    return found


def shared_containers(a: object, b: object) -> list[object]:
    """The mutable containers (list, dict, set) that a and b both reach: the state they share."""
    in_a, in_b = reachable_containers(a), reachable_containers(b)
    return [in_a[i] for i in in_a.keys() & in_b.keys() if not isinstance(in_a[i], tuple)]


# --8<-- [end:shared_containers]


# --8<-- [start:assignment]
def demo_assignment() -> None:
    """Assignment binds a second name to the same object: nothing is copied."""
    a = [1, 2, [3, 4]]
    b = a
    assert b is a
    b.append(5)  # changing the object through either name ...
    assert a == [1, 2, [3, 4], 5]  # ... is visible through the other
    b = [0]  # rebinding b does not touch the object a refers to
    assert a == [1, 2, [3, 4], 5]
    assert b is not a


# --8<-- [end:assignment]


# --8<-- [start:shallow]
def demo_shallow_copy() -> None:
    """A shallow copy is a new outer container holding the very same element objects."""
    a = [1, "x", [3, 4]]
    for c in (copy.copy(a), a[:], list(a), a.copy(), [*a]):
        assert c == a
        assert c is not a
        assert all(x is y for x, y in zip(c, a, strict=True))  # ... of the same elements
    c = copy.copy(a)
    c[0] = 100  # replacing an element only changes the copy
    assert a[0] == 1
    c[2].append(5)  # mutating a shared inner list shows through both
    assert a[2] == [3, 4, 5]
    assert c[2] is a[2]
    assert shared_containers(a, c) == [a[2]]

    d = {"k": [1], "n": 0}
    for e in (copy.copy(d), d.copy(), dict(d), {**d}):
        assert e == d
        assert e is not d
        assert e["k"] is d["k"]
    e = d.copy()
    e["new"] = 1  # a new key lives only in the copy ...
    e["k"].append(2)  # ... but the inner list is shared
    assert "new" not in d
    assert d["k"] == [1, 2]


# --8<-- [end:shallow]


# --8<-- [start:deep]
def demo_deep_copy() -> None:
    """deepcopy copies every mutable object it reaches; immutable atoms are reused."""
    a = [1, "x", [3, [4]], {"k": [5]}]
    d = copy.deepcopy(a)
    assert d == a
    assert d is not a
    assert d[2] is not a[2]
    assert d[2][1] is not a[2][1]
    assert d[3]["k"] is not a[3]["k"]
    assert shared_containers(a, d) == []  # no mutable state in common
    d[2][1].append(0)
    assert a[2][1] == [4]
    # int and str cannot change, so deepcopy returns the same objects (CPython's copy module).
    assert d[0] is a[0]
    assert d[1] is a[1]
    t = (1, "x", (2, 3))  # every element deep-copies to itself: the tuple is returned as is
    assert copy.deepcopy(t) is t
    u = (1, [2])  # a tuple holding a list must be rebuilt around a copied list
    du = copy.deepcopy(u)
    assert du == u
    assert du is not u
    assert du[1] is not u[1]


# --8<-- [end:deep]


# --8<-- [start:memo]
def demo_shared_and_cycles() -> None:
    """The memo dict makes deepcopy keep shared references shared and copy cycles as cycles."""
    inner = [1, 2]
    outer = [inner, inner]  # one list referenced twice
    d = copy.deepcopy(outer)
    assert d[0] is d[1]  # still one list, referenced twice ...
    assert d[0] is not inner  # ... and it is a new one

    loop = [1]
    loop.append(loop)  # a list that contains itself
    d = copy.deepcopy(loop)
    assert d[1] is d
    assert d is not loop

    # One memo for several calls: objects shared between x and y stay shared in the copies.
    common = [0]
    x, y = {"a": common}, {"b": common}
    memo: dict[int, object] = {}
    x2, y2 = copy.deepcopy(x, memo), copy.deepcopy(y, memo)
    assert x2["a"] is y2["b"]
    assert x2["a"] is not common
    assert memo[id(common)] is x2["a"]  # the memo maps id(original) -> copy
    x3, y3 = copy.deepcopy(x), copy.deepcopy(y)  # separate calls: separate copies
    assert x3["a"] is not y3["b"]


# --8<-- [end:memo]


# --8<-- [start:node]
class Node:
    """A tree node whose parent link makes the structure cyclic."""

    def __init__(self, value: object, parent: "Node | None" = None) -> None:
        self.value = value
        self.parent = parent
        self.children: list[Node] = []
        self._cache: dict[str, object] = {}  # derived data, must not travel with a copy
        if parent is not None:
            parent.children.append(self)

    def __copy__(self) -> "Node":
        """Shallow: a new node sharing value, parent and the children list; empty cache."""
        new = Node.__new__(Node)  # skip __init__, which would register with the parent
        new.__dict__.update(self.__dict__)
        new._cache = {}
        return new

    def __deepcopy__(self, memo: dict[int, object]) -> "Node":
        """Deep: copy the whole connected structure once; empty cache."""
        new = Node.__new__(Node)
        memo[id(self)] = new  # register first: the children point back to this node
        new.value = copy.deepcopy(self.value, memo)
        new.parent = copy.deepcopy(self.parent, memo)
        new.children = copy.deepcopy(self.children, memo)
        new._cache = {}
        return new


def demo_custom_copy() -> None:
    """__copy__ and __deepcopy__ decide what a copy of a Node shares."""
    root = Node({"name": "root"})
    child = Node([1, 2], parent=root)
    root._cache["size"] = 2

    s = copy.copy(root)
    assert s is not root
    assert s.children is root.children
    assert s.value is root.value
    assert s._cache == {}
    assert root._cache == {"size": 2}

    d = copy.deepcopy(root)
    [d_child] = d.children
    assert d_child.parent is d  # the cycle is copied as a cycle
    assert d_child is not child
    assert d_child.value is not child.value
    assert d_child.value == [1, 2]
    assert d._cache == {}

    d_child2 = copy.deepcopy(child)  # starting from the child copies its parent too
    assert d_child2.parent.children[0] is d_child2
    assert d_child2.parent is not root


# --8<-- [end:node]


# --8<-- [start:multiply_trap]
def demo_list_multiplication_trap() -> None:
    """[[0] * n] * m repeats one row object m times."""
    grid = [[0] * 3] * 2
    assert grid[0] is grid[1]
    grid[0][0] = 1
    assert grid == [[1, 0, 0], [1, 0, 0]]  # "both rows" changed: there is only one row

    grid = [[0] * 3 for _ in range(2)]  # a new row on every pass of the comprehension
    assert grid[0] is not grid[1]
    grid[0][0] = 1
    assert grid == [[1, 0, 0], [0, 0, 0]]
    # [0] * 3 itself is fine: its three elements are the same int, but ints cannot change.


# --8<-- [end:multiply_trap]


# --8<-- [start:default_trap]
def append_to(item: object, bucket: list | None = None) -> list:
    """Correct: a fresh list for every call that does not pass one."""
    if bucket is None:
        bucket = []
    bucket.append(item)
    return bucket


def demo_mutable_default() -> None:
    """A mutable default argument is one object, made once and shared by all calls."""

    def append_to_buggy(item: object, bucket: list = []) -> list:  # noqa: B006 (the trap)
        bucket.append(item)
        return bucket

    first = append_to_buggy(1)
    second = append_to_buggy(2)
    assert first is second
    assert second == [1, 2]
    assert append_to_buggy.__defaults__[0] is first  # it lives on the function object
    assert append_to(1) == [1]
    assert append_to(2) == [2]
    assert append_to(1) is not append_to(1)


# --8<-- [end:default_trap]


# --8<-- [start:tuple_list]
def demo_tuple_holding_a_list() -> None:
    """A tuple fixes which objects it holds, not what is inside them."""
    t = ([1], "a")
    inner = t[0]
    t[0].append(2)  # mutating the list: allowed
    assert t == ([1, 2], "a")
    try:
        t[0] += [3]  # list.__iadd__ extends in place, then t[0] = ... fails
    except TypeError:
        pass
    else:
        raise AssertionError("item assignment on a tuple must raise")
    assert t == ([1, 2, 3], "a")
    assert t[0] is inner
    try:
        hash(t)  # a tuple is hashable only if everything in it is
    except TypeError:
        pass
    else:
        raise AssertionError("a tuple holding a list is unhashable")


# --8<-- [end:tuple_list]


# --8<-- [start:mutability]
def demo_mutable_vs_immutable() -> None:
    """`x += ...` mutates a mutable object in place but rebinds the name for an immutable one."""
    n = m = 10**6
    m += 1  # int is immutable: m now names a new object, n is untouched
    assert n == 10**6
    assert m is not n

    s = t = "ab"
    t += "c"
    assert s == "ab"
    assert t == "abc"

    a = b = [1]
    b += [2]  # list.__iadd__: the same list, extended
    assert a == [1, 2]
    assert b is a
    extra = [3]
    b = b + extra  # + builds a new list and rebinds b
    assert a == [1, 2]
    assert b == [1, 2, 3]
    assert b is not a

    def mutate(xs: list) -> None:
        xs.append(0)  # the caller's list: arguments are passed by sharing

    def rebind(xs: list) -> None:
        xs = [0]  # from here on the local name xs means a new list ...
        xs.append(1)  # ... so the caller's list is not touched

    data = [1]
    mutate(data)
    rebind(data)
    assert data == [1, 0]


# --8<-- [end:mutability]


# --8<-- [start:numpy]
def demo_numpy_view_vs_copy() -> None:
    """Basic slicing gives a view of the same buffer; fancy indexing and .copy() give new data."""
    a = np.arange(6)
    v = a[1:4]  # basic slice: a view
    assert v.base is a
    assert np.shares_memory(v, a)
    v[0] = 100
    assert a[1] == 100

    r = a.reshape(2, 3)  # reshape of a contiguous array: also a view
    assert np.shares_memory(r, a)

    f = a[[1, 2]]  # fancy (integer-array) indexing: a copy
    m = a[a > 2]  # boolean mask: a copy
    c = a.copy()
    assert not np.shares_memory(f, a)
    assert not np.shares_memory(m, a)
    c[0] = -1
    assert a[0] == 0

    # copy.copy copies the numbers of a numeric array, but an object array's copy
    # still points to the same Python objects; deepcopy copies those too.
    o = np.empty(2, dtype=object)
    o[0], o[1] = [1], [2]
    assert copy.copy(o)[0] is o[0]
    assert copy.deepcopy(o)[0] is not o[0]


# --8<-- [end:numpy]


DEMOS = (
    demo_assignment,
    demo_shallow_copy,
    demo_deep_copy,
    demo_shared_and_cycles,
    demo_custom_copy,
    demo_list_multiplication_trap,
    demo_mutable_default,
    demo_tuple_holding_a_list,
    demo_mutable_vs_immutable,
    demo_numpy_view_vs_copy,
)


if __name__ == "__main__":
    for demo in DEMOS:
        demo()
        print(f"{demo.__name__}: ok")
