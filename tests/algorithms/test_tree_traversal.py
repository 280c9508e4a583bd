"""Traversals: hand cases, the recursive definition, BST order, deep trees and bad input."""

import random

import pytest
from algorithms.tree_traversal import (
    TreeNode,
    build_tree,
    dfs_whiteboard,
    inorder,
    inorder_whiteboard,
    level_order,
    level_order_whiteboard,
    postorder,
    postorder_whiteboard,
    preorder,
    preorder_whiteboard,
)
from hypothesis import given, settings
from hypothesis import strategies as st

# Wikipedia's "Tree traversal" example tree
WIKI = ["F", "B", "G", "A", "D", None, "I", None, None, "C", "E", "H"]


def random_tree(n: int, seed: int) -> TreeNode | None:
    """n nodes valued 0..n-1, each hung at a random free child slot."""
    rng = random.Random(seed)
    if n == 0:
        return None
    root = TreeNode(0)
    free = [(root, "left"), (root, "right")]
    for val in range(1, n):
        parent, side = free.pop(rng.randrange(len(free)))
        child = TreeNode(val)
        setattr(parent, side, child)
        free += [(child, "left"), (child, "right")]
    return root


def by_definition(node, order):
    """Straight from the definitions, written independently of the snippet."""
    if node is None:
        return []
    left, right = by_definition(node.left, order), by_definition(node.right, order)
    return {
        "pre": [node.val, *left, *right],
        "in": [*left, node.val, *right],
        "post": [*left, *right, node.val],
    }[order]


def levels_by_depth(root):
    found = {}

    def walk(node, depth):
        if node is not None:
            found.setdefault(depth, []).append(node.val)
            walk(node.left, depth + 1)
            walk(node.right, depth + 1)

    walk(root, 0)
    return [found[d] for d in sorted(found)]


def test_hand_cases():
    tree = build_tree(WIKI)
    assert "".join(preorder(tree)) == "FBADCEGIH"
    assert "".join(inorder(tree)) == "ABCDEFGHI"
    assert "".join(postorder(tree)) == "ACEDBHIGF"
    assert ["".join(level) for level in level_order(tree)] == ["F", "BG", "ADI", "CEH"]
    # LeetCode 94 / 144 / 145: [1, null, 2, 3]
    small = build_tree([1, None, 2, 3])
    assert (preorder(small), inorder(small), postorder(small)) == ([1, 2, 3], [1, 3, 2], [3, 2, 1])
    for full in (preorder, inorder, postorder, level_order):
        assert full(None) == []
        assert full(TreeNode(7)) in ([7], [[7]])
    assert dfs_whiteboard(tree) == preorder(tree)  # order="pre" by default
    leaf = TreeNode()  # LeetCode's defaults: val 0, no children
    assert (leaf.val, leaf.left, leaf.right) == (0, None, None)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 40), st.integers(0, 2**32))
def test_full_and_whiteboard_versions_match_the_definitions(n, seed):
    tree = random_tree(n, seed)
    for order, full in (("pre", preorder), ("in", inorder), ("post", postorder)):
        expected = by_definition(tree, order)
        assert full(tree) == expected
        assert dfs_whiteboard(tree, order) == expected
    assert preorder_whiteboard(tree) == preorder(tree)
    assert inorder_whiteboard(tree) == inorder(tree)
    assert postorder_whiteboard(tree) == postorder(tree)
    assert level_order_whiteboard(tree) == level_order(tree) == levels_by_depth(tree)
    assert sorted(preorder(tree)) == list(range(n))  # each node exactly once


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-100, 100), unique=True, max_size=30))
def test_inorder_of_a_binary_search_tree_is_sorted(keys):
    root = None
    for key in keys:
        if root is None:
            root = TreeNode(key)
            continue
        node = root
        while True:
            side = "left" if key < node.val else "right"
            if getattr(node, side) is None:
                setattr(node, side, TreeNode(key))
                break
            node = getattr(node, side)
    assert inorder(root) == sorted(keys)
    assert inorder_whiteboard(root) == sorted(keys)


def test_build_tree_round_trips_with_level_order():
    for n in range(0, 20):
        tree = random_tree(n, seed=n)
        # serialise in LeetCode's format: level order with None for missing children
        values, queue = [], [tree] if tree else []
        while queue:
            node = queue.pop(0)
            values.append(None if node is None else node.val)
            if node is not None:
                queue += [node.left, node.right]
        while values and values[-1] is None:
            values.pop()
        rebuilt = build_tree(values)
        assert level_order(rebuilt) == level_order(tree)
        assert inorder(rebuilt) == inorder(tree)


def test_deep_trees_need_no_recursion():
    chain = None
    for val in range(20_000):  # a left chain far deeper than the recursion limit
        chain = TreeNode(val, left=chain)
    assert inorder(chain) == list(range(20_000))
    assert postorder(chain) == list(range(20_000))
    assert preorder(chain) == list(range(19_999, -1, -1))
    with pytest.raises(RecursionError):
        dfs_whiteboard(chain, "in")  # the recursive whiteboard version cannot


def test_bad_input():
    with pytest.raises(TypeError, match="TreeNode or None, got list"):
        preorder([1, 2])
    with pytest.raises(TypeError, match="got int"):
        inorder(TreeNode(1, left=2))
    loop = TreeNode(1)
    loop.left = loop
    for full in (preorder, inorder, postorder, level_order):
        with pytest.raises(ValueError, match="reached twice"):
            full(loop)
    shared = TreeNode(0)
    with pytest.raises(ValueError, match="reached twice"):
        postorder(TreeNode(1, shared, shared))
    with pytest.raises(TypeError, match=r"^values must be a list, got str$"):
        build_tree("1,2")
    with pytest.raises(ValueError, match="no parent"):
        build_tree([1, None, None, 2])
    with pytest.raises(ValueError, match=r"^values start with None but list more nodes$"):
        build_tree([None, 1])
    assert build_tree([]) is None
    assert build_tree([None]) is None  # an empty tree, as LeetCode writes it
    # trailing None's for the missing children of the last parents are allowed
    assert level_order(build_tree([1, None, None])) == [[1]]
