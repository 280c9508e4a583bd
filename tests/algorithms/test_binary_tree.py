"""Binary-tree facts verified on trees that are actually built."""

import math

import pytest
from algorithms.binary_tree import (
    Node,
    ceil_log2,
    complete_tree,
    complete_tree_height,
    degree_counts,
    height,
    is_complete,
    is_full,
    is_perfect,
    level_counts,
    perfect_tree,
    random_tree,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.page_math import evaluate, page_formulas, right_hand_sides


@pytest.mark.parametrize("k", range(0, 11))
def test_full_tree_of_height_k_has_2_to_the_k_minus_1_nodes(k):
    tree = perfect_tree(k)
    assert height(tree) == k
    assert level_counts(tree) == [2 ** (i - 1) for i in range(1, k + 1)]
    assert sum(level_counts(tree)) == 2**k - 1


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 200), st.integers(0, 2**32))
def test_leaves_equal_degree_two_nodes_plus_one(n, seed):
    tree = random_tree(n, seed)
    n0, n1, n2 = degree_counts(tree)
    assert n0 + n1 + n2 == n
    if n > 0:
        assert n0 == n2 + 1
        assert n1 + 2 * n2 == n - 1  # every node but the root hangs on exactly one edge


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 200), st.integers(0, 2**32))
def test_level_i_holds_at_most_2_to_the_i_minus_1(n, seed):
    counts = level_counts(random_tree(n, seed))
    assert sum(counts) == n
    for i, c in enumerate(counts, start=1):
        assert 1 <= c <= 2 ** (i - 1)


def test_complete_tree_height_for_every_n_up_to_1000():
    notes_formula_wrong = []
    for n in range(1, 1001):
        h = height(complete_tree(n))
        assert h == math.ceil(math.log2(n + 1))
        assert h == math.floor(math.log2(n)) + 1
        assert 2 ** (h - 1) <= n <= 2**h - 1  # between a full tree of h - 1 levels + 1 node
        if math.floor(math.log2(n + 1)) != h:
            notes_formula_wrong.append(n)
    # floor(log2(N + 1)) is right only when N + 1 is a power of two (full trees).
    assert notes_formula_wrong[:5] == [2, 4, 5, 6, 8]
    assert all((n + 1) & n != 0 for n in notes_formula_wrong)
    assert len(notes_formula_wrong) == 1000 - 9  # the 9 full trees with N = 1, 3, ..., 511


def test_the_page_formula_is_the_measured_height():
    # Read from the page, not retyped: a floor in place of the ceiling there fails here.
    [formula, _] = page_formulas("algorithms/binary_tree.md", "## N 个节点的完全二叉树高度是多少？")
    sides = right_hand_sides(formula)
    assert len(sides) == 2
    for n in range(1, 1001):
        h = height(complete_tree(n))
        assert complete_tree_height(n) == h
        assert [evaluate(side, N=n) for side in sides] == [h, h], n


def test_complete_tree_height_is_exact_for_large_n():
    for k in (10, 53, 60, 200):  # float log2(2**k + 1) rounds to k from k = 53 on
        assert ceil_log2(2**k) == k
        assert ceil_log2(2**k + 1) == k + 1
        assert complete_tree_height(2**k - 1) == k  # a full tree
        assert complete_tree_height(2**k) == k + 1  # one node on a new level
    assert complete_tree_height(0) == 0
    assert ceil_log2(1) == 0


def test_node_keeps_the_children_it_is_given():
    a, b = Node(), Node()
    root = Node(a, right=b)
    assert (root.left, root.right) == (a, b)
    assert level_counts(root) == [1, 2]


def test_random_tree_depends_on_the_seed_only_and_branches():
    shapes = [level_counts(random_tree(30, seed)) for seed in range(10)]
    assert shapes == [level_counts(random_tree(30, seed)) for seed in range(10)]  # reproducible
    assert len({tuple(s) for s in shapes}) > 1  # and the seed matters
    # every free slot can be chosen, not only those of the last node: not a chain
    assert all(degree_counts(random_tree(30, seed))[2] > 0 for seed in range(10))


def test_complete_tree_is_complete():
    counts = level_counts(complete_tree(10))
    assert counts == [1, 2, 4, 3]  # all levels full except the last


def test_empty_and_single():
    assert height(None) == 0
    assert degree_counts(None) == (0, 0, 0)
    assert level_counts(complete_tree(1)) == [1]
    assert degree_counts(random_tree(1, 0)) == (1, 0, 0)


@pytest.mark.parametrize(
    ("func", "arg", "error"),
    [
        (complete_tree, -1, ValueError),
        (perfect_tree, -2, ValueError),
        (random_tree, 2.0, TypeError),
        (complete_tree, True, TypeError),
        (complete_tree_height, -1, ValueError),
        (ceil_log2, 0, ValueError),
        (ceil_log2, 1.0, TypeError),
    ],
)
def test_bad_input(func, arg, error):
    with pytest.raises(error, match=r"^(n|m|height) must"):
        func(arg)
    with pytest.raises(TypeError, match="must be an int, got float"):
        func(2.0)


def test_complete_tree_has_ceil_half_leaves():
    for n in range(1, 300):
        n0, n1, _ = degree_counts(complete_tree(n))
        assert n0 == math.ceil(n / 2)
        assert n1 == (1 if n % 2 == 0 else 0)  # at most one node with a single child


def all_shapes(n: int) -> list:
    """Every binary tree with n nodes (Catalan(n) of them), built from scratch."""
    if n == 0:
        return [None]
    return [
        Node(left, right)
        for k in range(n)
        for left in all_shapes(k)
        for right in all_shapes(n - 1 - k)
    ]


def same_shape(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return same_shape(a.left, b.left) and same_shape(a.right, b.right)


def full_by_definition(t) -> bool:
    return t is None or (
        (t.left is None) == (t.right is None)
        and full_by_definition(t.left)
        and full_by_definition(t.right)
    )


@pytest.mark.parametrize("n", range(0, 9))
def test_shape_predicates_on_every_tree_with_n_nodes(n):
    shapes = all_shapes(n)
    assert len(shapes) == math.comb(2 * n, n) // (n + 1)  # Catalan numbers
    for tree in shapes:
        assert is_full(tree) == full_by_definition(tree)
        assert is_complete(tree) == same_shape(tree, complete_tree(n))
        assert is_perfect(tree) == same_shape(tree, perfect_tree(height(tree)))
    # exactly one complete shape per n; a perfect one only when n = 2**k - 1
    assert sum(map(is_complete, shapes)) == 1
    assert sum(map(is_perfect, shapes)) == (1 if (n + 1) & n == 0 else 0)
    # full trees have an odd number of nodes, and Catalan(m) shapes for n = 2m + 1
    full = sum(map(is_full, shapes))
    m = (n - 1) // 2
    assert full == (math.comb(2 * m, m) // (m + 1) if n % 2 == 1 else int(n == 0))


def test_full_is_not_perfect():
    # the English "full binary tree" (0 or 2 children) is not 满二叉树 (perfect)
    lopsided = Node(Node(), Node(Node(), Node()))
    assert is_full(lopsided)
    assert not is_perfect(lopsided)
    assert not is_complete(lopsided)
    n0, n1, n2 = degree_counts(lopsided)
    assert (n0, n1, n2) == (3, 0, 2)  # n1 = 0, so n = 2 * n0 - 1
