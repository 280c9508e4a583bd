"""Binary-tree traversals: pre-, in- and postorder (recursive and with a stack), level order."""

# --8<-- [start:imports]
from collections import deque
from collections.abc import Sequence
from typing import Any

# --8<-- [end:imports]


# --8<-- [start:node]
class TreeNode:
    """A binary-tree node with a value (the LeetCode layout)."""

    __slots__ = ("left", "right", "val")

    def __init__(
        self, val: Any = 0, left: "TreeNode | None" = None, right: "TreeNode | None" = None
    ):
        self.val = val
        self.left = left
        self.right = right


# --8<-- [end:node]


# --8<-- [start:whiteboard_recursive]
def dfs_whiteboard(root, order="pre"):
    """递归的前序、中序、后序遍历：三者只差「访问根」放在哪一行。"""
    out = []

    def visit(node):
        if node is None:
            return
        if order == "pre":
            out.append(node.val)
        visit(node.left)
        if order == "in":
            out.append(node.val)
        visit(node.right)
        if order == "post":
            out.append(node.val)

    visit(root)
    return out


# --8<-- [end:whiteboard_recursive]


# --8<-- [start:whiteboard_stack]
def preorder_whiteboard(root):
    """前序遍历（栈）：弹出即访问，先压右孩子再压左孩子。"""
    out, stack = [], [root] if root else []
    while stack:
        node = stack.pop()
        out.append(node.val)
        stack += [c for c in (node.right, node.left) if c]
    return out


def inorder_whiteboard(root):
    """中序遍历（栈）：一路向左压栈，弹出时访问，再转向右子树。"""
    out, stack, node = [], [], root
    while stack or node:
        while node:
            stack.append(node)
            node = node.left
        node = stack.pop()
        out.append(node.val)
        node = node.right
    return out


# --8<-- [end:whiteboard_stack]


# --8<-- [start:whiteboard_post_level]
def postorder_whiteboard(root):
    """后序遍历（栈）：按「根、右、左」的前序走一遍，再整体反转。"""
    out, stack = [], [root] if root else []
    while stack:
        node = stack.pop()
        out.append(node.val)
        stack += [c for c in (node.left, node.right) if c]
    return out[::-1]


def level_order_whiteboard(root):
    """层序遍历（队列）：每轮把当前一整层出队，返回每层的值。"""
    levels, queue = [], deque([root] if root else [])
    while queue:
        levels.append([node.val for node in queue])
        for _ in range(len(queue)):
            node = queue.popleft()
            queue += [c for c in (node.left, node.right) if c]
    return levels


# --8<-- [end:whiteboard_post_level]


# --8<-- [start:check]
def _check_tree(root: Any) -> None:
    """root is None or a TreeNode whose nodes are TreeNodes, each reached exactly once."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if not isinstance(node, TreeNode):
            raise TypeError(f"tree nodes must be TreeNode or None, got {type(node).__name__}")
        if id(node) in seen:
            raise ValueError(f"not a tree: node with val {node.val!r} is reached twice (cycle?)")
        seen.add(id(node))
        stack += [node.left, node.right]


# --8<-- [end:check]


# --8<-- [start:traversals]
def preorder(root: TreeNode | None) -> list:
    """Root, left subtree, right subtree. Iterative: no recursion limit on deep trees."""
    _check_tree(root)
    out, stack = [], [root] if root else []
    while stack:
        node = stack.pop()
        out.append(node.val)
        stack += [child for child in (node.right, node.left) if child is not None]
    return out


def inorder(root: TreeNode | None) -> list:
    """Left subtree, root, right subtree; for a binary search tree, the keys in sorted order."""
    _check_tree(root)
    out, stack, node = [], [], root
    while stack or node is not None:
        while node is not None:  # go left as far as possible, remembering the way back
            stack.append(node)
            node = node.left
        node = stack.pop()  # its left subtree is done
        out.append(node.val)
        node = node.right
    return out


def postorder(root: TreeNode | None) -> list:
    """Left subtree, right subtree, root: a node is visited when we come back from its right."""
    _check_tree(root)
    out, stack, node, last = [], [], root, None
    while stack or node is not None:
        while node is not None:
            stack.append(node)
            node = node.left
        top = stack[-1]
        if top.right is not None and top.right is not last:
            node = top.right  # the right subtree is not done yet: go there first
        else:
            out.append(top.val)
            last = stack.pop()
    return out


def level_order(root: TreeNode | None) -> list[list]:
    """The values level by level, left to right (LeetCode 102)."""
    _check_tree(root)
    levels, queue = [], deque([root] if root else [])
    while queue:
        levels.append([node.val for node in queue])
        for _ in range(len(queue)):
            node = queue.popleft()
            queue += [child for child in (node.left, node.right) if child is not None]
    return levels


# --8<-- [end:traversals]


# --8<-- [start:build]
def build_tree(values: Sequence) -> TreeNode | None:
    """Tree from LeetCode's level-order list, None marking a missing child: [1, None, 2, 3]."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise TypeError(f"values must be a list, got {type(values).__name__}")
    if not values or values[0] is None:
        if any(v is not None for v in values):
            raise ValueError("values start with None but list more nodes")
        return None
    root = TreeNode(values[0])
    parents, i = deque([root]), 1
    while i < len(values):
        if not parents:
            raise ValueError(f"values[{i}:] have no parent: too many values after the None's")
        parent = parents.popleft()
        for side in ("left", "right"):
            if i < len(values) and values[i] is not None:
                child = TreeNode(values[i])
                setattr(parent, side, child)
                parents.append(child)
            i += 1
    return root


# --8<-- [end:build]


if __name__ == "__main__":
    # --8<-- [start:demo]
    #         F
    #       /   \
    #      B     G
    #     / \     \
    #    A   D     I
    #       / \   /
    #      C   E H
    tree = build_tree(["F", "B", "G", "A", "D", None, "I", None, None, "C", "E", "H"])
    assert "".join(preorder(tree)) == "FBADCEGIH"
    assert "".join(inorder(tree)) == "ABCDEFGHI"
    assert "".join(postorder(tree)) == "ACEDBHIGF"
    assert level_order(tree) == [["F"], ["B", "G"], ["A", "D", "I"], ["C", "E", "H"]]
    for order, full in (("pre", preorder), ("in", inorder), ("post", postorder)):
        assert dfs_whiteboard(tree, order) == full(tree)
    assert preorder_whiteboard(tree) == preorder(tree)
    assert inorder_whiteboard(tree) == inorder(tree)
    assert postorder_whiteboard(tree) == postorder(tree)
    assert level_order_whiteboard(tree) == level_order(tree)
    # --8<-- [end:demo]
    print("preorder", "".join(preorder(tree)), "inorder", "".join(inorder(tree)))
