"""Copy semantics: the snippet's demos, and the same facts checked independently."""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python.copy_semantics import (
    DEMOS,
    Node,
    append_to,
    reachable_containers,
    shared_containers,
)


def mutable_ids(obj, seen=None) -> set[int]:
    """ids of every list and dict inside obj, by plain recursion (an independent walker)."""
    seen = set() if seen is None else seen
    if isinstance(obj, list | dict) and id(obj) not in seen:
        seen.add(id(obj))
        for item in obj.values() if isinstance(obj, dict) else obj:
            mutable_ids(item, seen)
    elif isinstance(obj, tuple):
        for item in obj:
            mutable_ids(item, seen)
    return seen


leaves = st.one_of(st.integers(), st.text(max_size=3), st.none(), st.floats(allow_nan=False))
nested = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=2), inner, max_size=4),
        st.tuples(inner, inner),
    ),
    max_leaves=12,
)


@pytest.mark.parametrize("demo", DEMOS, ids=lambda d: d.__name__)
def test_demo_holds_and_can_run_twice(demo):
    demo()
    demo()  # no hidden state carried from one run to the next


@settings(max_examples=40, deadline=None)
@given(st.lists(nested, max_size=5))
def test_shallow_copies_share_every_element(data):
    for c in (copy.copy(data), data[:], list(data), data.copy(), [*data]):
        assert c == data
        assert c is not data
        assert all(x is y for x, y in zip(c, data, strict=True))
        # Shared state is exactly the mutable containers inside the elements.
        assert mutable_ids(c) - {id(c)} == mutable_ids(data) - {id(data)}


@settings(max_examples=40, deadline=None)
@given(st.lists(nested, max_size=5))
def test_deep_copy_shares_no_mutable_container(data):
    d = copy.deepcopy(data)
    assert d == data
    assert not mutable_ids(d) & mutable_ids(data)
    assert shared_containers(d, data) == []


@settings(max_examples=40, deadline=None)
@given(nested, nested)
def test_shared_containers_matches_the_recursive_walker(a, b):
    pair = [a, b]  # a and b reach the same containers through this outer list
    expected = mutable_ids(a) & mutable_ids(b)
    assert {id(x) for x in shared_containers(a, b)} == expected
    assert {id(x) for x in shared_containers(pair, a)} == mutable_ids(a)


def test_reachable_containers_handles_cycles():
    d = {"name": "loop"}
    d["self"] = d
    lst = [d, (d,)]
    found = reachable_containers(lst)
    assert set(found) == {id(lst), id(d), id(lst[1])}


def test_deepcopy_of_a_self_referencing_dict():
    d = {"v": [1]}
    d["self"] = d
    e = copy.deepcopy(d)
    assert e["self"] is e
    assert e is not d
    assert e["v"] is not d["v"]
    assert e["v"] == [1]


def test_shallow_copy_of_a_cycle_points_back_to_the_original():
    loop = [0]
    loop.append(loop)
    c = copy.copy(loop)
    assert c[1] is loop  # the element is the original list, not the copy
    assert c[1] is not c


def test_shared_references_stay_shared_inside_a_deep_copy():
    row = [0, 0]
    grid = [row, row, [0, 0]]
    g = copy.deepcopy(grid)
    assert g[0] is g[1]
    assert g[0] is not g[2]
    g[0][0] = 1
    assert g == [[1, 0], [1, 0], [0, 0]]
    assert grid == [[0, 0], [0, 0], [0, 0]]


def test_memo_records_every_copied_object():
    inner = [1]
    outer = {"a": inner, "b": (inner, 2)}
    memo = {}
    result = copy.deepcopy(outer, memo)
    assert memo[id(outer)] is result
    assert memo[id(inner)] is result["a"]
    assert result["b"][0] is result["a"]


def test_prefilled_memo_keeps_an_object_shared():
    # Saying "this object's copy is itself" stops deepcopy from copying it.
    config = {"lr": 0.1}
    model = {"config": config, "weights": [1.0, 2.0]}
    clone = copy.deepcopy(model, {id(config): config})
    assert clone["config"] is config
    assert clone["weights"] is not model["weights"]


def test_deepcopy_returns_immutable_atoms_and_tuples_of_atoms_as_is():
    for obj in (7, 2.5, "text", None, (1, "a", (2, 3))):
        assert copy.deepcopy(obj) is obj
    t = (1, [2])
    assert copy.deepcopy(t) is not t
    assert copy.copy(t) is t  # a shallow copy of an immutable is the object itself


def build_tree():
    root = Node("root")
    a, b = Node([1], parent=root), Node([2], parent=root)
    leaf = Node({"x": [3]}, parent=a)
    return root, a, b, leaf


def all_nodes(root):
    nodes, stack = [], [root]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.children)
    return nodes


def test_node_deepcopy_copies_the_whole_tree_once():
    root, a, _, leaf = build_tree()
    for n in all_nodes(root):
        n._cache["seen"] = True
    new_root = copy.deepcopy(root)
    old_ids = {id(n) for n in all_nodes(root)} | {id(n.value) for n in all_nodes(root)}
    new_nodes = all_nodes(new_root)
    assert len(new_nodes) == 4
    assert not {id(n) for n in new_nodes} & old_ids
    assert not {id(n.value) for n in new_nodes if not isinstance(n.value, str)} & old_ids
    for n in new_nodes:
        assert n._cache == {}
        for child in n.children:
            assert child.parent is n
    assert [c.value for c in new_root.children] == [[1], [2]]
    assert new_root.children[0].children[0].value == leaf.value
    assert a._cache == {"seen": True}
    # Not only the values themselves: nothing inside them is shared either (leaf's inner [3]).
    old_values, new_values = [n.value for n in all_nodes(root)], [n.value for n in new_nodes]
    assert shared_containers(old_values, new_values) == []
    new_root.children[0].children[0].value["x"].append(4)
    assert leaf.value == {"x": [3]}


def test_node_deepcopy_keeps_values_shared_between_nodes_shared():
    # One memo for the whole structure: a value that two nodes share, or a value that points
    # back into the tree, is copied once and still shared (or still points) in the copy.
    root = Node("root")
    shared = {"lr": [0.1]}
    a, b = Node(shared, parent=root), Node(shared, parent=root)
    c = Node(None, parent=root)
    c.value = [root]
    new_root = copy.deepcopy(root)
    new_a, new_b, new_c = new_root.children
    assert new_a.value is new_b.value
    assert new_a.value is not shared
    assert new_a.value == shared
    assert new_c.value[0] is new_root
    assert a.value is b.value is shared


def test_node_deepcopy_from_a_leaf_reaches_the_root():
    root, _, _, leaf = build_tree()
    new_leaf = copy.deepcopy(leaf)
    new_root = new_leaf.parent.parent
    assert new_root.parent is None
    assert new_root is not root
    assert new_leaf in new_root.children[0].children
    assert len(all_nodes(new_root)) == 4


def test_node_shallow_copy_shares_links():
    root, a, _, _ = build_tree()
    a._cache["k"] = 1
    s = copy.copy(a)
    assert s.parent is root
    assert s.children is a.children
    assert s.value is a.value
    assert s._cache == {}
    assert s not in root.children  # copying did not register a new child


def test_node_deepcopy_with_the_parent_in_the_memo():
    root, a, _, _ = build_tree()
    new_a = copy.deepcopy(a, {id(root): root})
    assert new_a.parent is root  # the parent was treated as already copied
    assert new_a.children[0].parent is new_a
    assert new_a not in root.children


@pytest.mark.parametrize(("rows", "cols"), [(2, 3), (3, 1), (4, 4)])
def test_multiplied_rows_are_one_object(rows, cols):
    bad = [[0] * cols] * rows
    good = [[0] * cols for _ in range(rows)]
    assert len({id(r) for r in bad}) == 1
    assert len({id(r) for r in good}) == rows
    bad[-1][0] = 9
    good[-1][0] = 9
    assert [r[0] for r in bad] == [9] * rows
    assert [r[0] for r in good] == [0] * (rows - 1) + [9]


def test_default_argument_is_evaluated_once():
    def buggy(item, bucket=[]):  # noqa: B006 (the trap under test)
        bucket.append(item)
        return bucket

    assert buggy(1) is buggy(2)
    assert buggy.__defaults__ == ([1, 2],)
    assert append_to(1) == [1]
    assert append_to(2) == [2]
    mine = [0]
    assert append_to(1, mine) is mine
    assert mine == [0, 1]


def test_tuple_item_augmented_assignment_raises_after_mutating():
    t = ([1], 2)
    with pytest.raises(TypeError, match="item assignment"):
        t[0] += [3]
    assert t[0] == [1, 3]


def test_tuple_item_plain_assignment_raises_without_mutating():
    t = ([1], 2)
    with pytest.raises(TypeError, match="item assignment"):
        t[0] = t[0] + [3]  # + builds a new list; the store then fails
    assert t[0] == [1]


def test_tuple_holding_a_list_is_unhashable():
    with pytest.raises(TypeError, match="unhashable"):
        hash(([1], 2))
    assert hash((1, (2, 3))) == hash((1, (2, 3)))


def test_augmented_assignment_on_immutables_rebinds():
    for start, extra in ((1000, 1), ("ab", "c"), ((1,), (2,))):
        x = y = start
        y += extra
        assert x is start
        assert y is not x
    x = y = frozenset({1})
    y |= {2}
    assert x == frozenset({1})
    assert y is not x
    x = y = [1]
    y += [2]
    assert y is x
    x = y = {1}
    y |= {2}
    assert y is x
    assert x == {1, 2}


@pytest.mark.parametrize(
    ("make", "is_view"),
    [
        (lambda a: a[1:3], True),
        (lambda a: a[::2], True),
        (lambda a: a.T, True),
        (lambda a: a.reshape(-1), True),
        (lambda a: a.ravel(), True),
        (lambda a: np.asarray(a), True),
        (lambda a: a[:, [0, 1]], False),
        (lambda a: a[a > 2], False),
        (lambda a: a.flatten(), False),
        (lambda a: a.copy(), False),
        (lambda a: np.array(a), False),
        (lambda a: a.astype(np.float64), False),
        (lambda a: copy.copy(a), False),
    ],
)
def test_numpy_view_or_copy(make, is_view):
    a = np.arange(12).reshape(4, 3)
    b = make(a)
    assert np.shares_memory(a, b) == is_view
    b[...] = -1
    assert (a == -1).any() == is_view
