"""Binary-tree counting facts, checked by building trees: nodes per level, n0 = n2 + 1, heights."""

# --8<-- [start:imports]
import random

# --8<-- [end:imports]


# --8<-- [start:node]
class Node:
    """A binary-tree node; only the shape matters here, so it carries no value."""

    __slots__ = ("left", "right")

    def __init__(self, left: "Node | None" = None, right: "Node | None" = None) -> None:
        self.left = left
        self.right = right


def _check_count(n: int, name: str, minimum: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")


# --8<-- [end:node]


# --8<-- [start:build]
def complete_tree(n: int) -> Node | None:
    """The complete binary tree with n nodes: levels filled left to right (heap layout)."""
    _check_count(n, "n", 0)
    nodes = [Node() for _ in range(n)]
    for i in range(n):  # in the array layout, node i has children 2i + 1 and 2i + 2
        if 2 * i + 1 < n:
            nodes[i].left = nodes[2 * i + 1]
        if 2 * i + 2 < n:
            nodes[i].right = nodes[2 * i + 2]
    return nodes[0] if nodes else None


def perfect_tree(height: int) -> Node | None:
    """The perfect binary tree (满二叉树) of the given height: every level completely filled."""
    _check_count(height, "height", 0)
    return complete_tree(2**height - 1)


def random_tree(n: int, seed: int | None = None) -> Node | None:
    """A random binary tree with n nodes: each new node hangs at a random free child slot."""
    _check_count(n, "n", 0)
    if n == 0:
        return None
    rng = random.Random(seed)
    root = Node()
    free = [(root, "left"), (root, "right")]
    for _ in range(n - 1):
        parent, side = free.pop(rng.randrange(len(free)))
        child = Node()
        setattr(parent, side, child)
        free += [(child, "left"), (child, "right")]
    return root


# --8<-- [end:build]


# --8<-- [start:measure]
def level_counts(root: Node | None) -> list[int]:
    """Number of nodes on level 1, 2, ... (the root is on level 1), by breadth-first search."""
    counts, level = [], [root] if root else []
    while level:
        counts.append(len(level))
        level = [c for node in level for c in (node.left, node.right) if c is not None]
    return counts


def height(root: Node | None) -> int:
    """Number of levels: 0 for the empty tree, 1 for a single node."""
    return len(level_counts(root))


def degree_counts(root: Node | None) -> tuple[int, int, int]:
    """(n0, n1, n2): how many nodes have 0, 1 and 2 children."""
    counts = [0, 0, 0]
    stack = [root] if root else []
    while stack:
        node = stack.pop()
        children = [c for c in (node.left, node.right) if c is not None]
        counts[len(children)] += 1
        stack += children
    return counts[0], counts[1], counts[2]


# --8<-- [end:measure]


# --8<-- [start:shapes]
def is_full(root: Node | None) -> bool:
    """English "full" (also proper, strictly binary): every node has 0 or 2 children."""
    return degree_counts(root)[1] == 0


def is_perfect(root: Node | None) -> bool:
    """Perfect (满二叉树): every level completely filled, so n = 2**height - 1."""
    counts = level_counts(root)
    return counts == [2**i for i in range(len(counts))]


def is_complete(root: Node | None) -> bool:
    """Complete (完全二叉树): in level order, no node comes after the first missing child."""
    queue, seen_gap = [root], False
    for node in queue:  # the list grows while we walk it: a breadth-first scan
        if node is None:
            seen_gap = True
        elif seen_gap:
            return False
        else:
            queue += [node.left, node.right]
    return True


# --8<-- [end:shapes]


# --8<-- [start:formula]
def ceil_log2(m: int) -> int:
    """⌈log2 m⌉ for an int m >= 1, exactly (floats round log2(2**60 + 1) down to 60)."""
    _check_count(m, "m", 1)
    return (m - 1).bit_length()


def complete_tree_height(n: int) -> int:
    """The closed form ⌈log2(N + 1)⌉: the height of the complete tree with n nodes."""
    _check_count(n, "n", 0)
    return ceil_log2(n + 1)


# --8<-- [end:formula]


if __name__ == "__main__":
    # --8<-- [start:demo]
    for k in range(1, 8):
        assert sum(level_counts(perfect_tree(k))) == 2**k - 1
    for seed in range(20):
        tree = random_tree(30, seed)
        n0, n1, n2 = degree_counts(tree)
        assert n0 == n2 + 1
        assert all(c <= 2 ** (i - 1) for i, c in enumerate(level_counts(tree), start=1))
    for n in range(1, 1001):
        h = height(complete_tree(n))
        assert h == complete_tree_height(n) == n.bit_length()  # = floor(log2 n) + 1
    assert height(complete_tree(2)) == 2  # floor(log2(2 + 1)) = 1 would be wrong
    # --8<-- [end:demo]

    # --8<-- [start:demo_shapes]
    def shape(tree: Node | None) -> tuple[bool, bool, bool]:
        return is_full(tree), is_perfect(tree), is_complete(tree)

    chain = Node(Node())  # a root with only a left child
    assert shape(chain) == (False, False, True)  # complete, not full
    lopsided = Node(Node(), Node(Node(), Node()))  # every node has 0 or 2 children
    assert shape(lopsided) == (True, False, False)  # full, not complete: level 3 gap on the left
    assert shape(complete_tree(5)) == (True, False, True)  # full and complete, still not perfect
    assert all(shape(perfect_tree(k)) == (True, True, True) for k in range(6))
    # --8<-- [end:demo_shapes]
    print("levels of the complete tree with 10 nodes:", level_counts(complete_tree(10)))
