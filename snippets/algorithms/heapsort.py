"""Heapsort in place: build a max-heap bottom-up, then move the maximum to the end n - 1 times."""

# --8<-- [start:imports]
from collections.abc import Callable, Sequence
from typing import Any

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def heapsort_whiteboard(a):
    """原地堆排序：自底向上建大顶堆，再把堆顶依次换到末尾、对新堆顶下沉。"""

    def sift_down(i, n):  # 堆是 a[0:n]
        while 2 * i + 1 < n:
            c = 2 * i + 1
            if c + 1 < n and a[c + 1] > a[c]:
                c += 1  # 较大的孩子
            if a[i] >= a[c]:
                return
            a[i], a[c] = a[c], a[i]
            i = c

    n = len(a)
    for i in range(n // 2 - 1, -1, -1):  # 最后一个内部节点倒着往前
        sift_down(i, n)
    for end in range(n - 1, 0, -1):
        a[0], a[end] = a[end], a[0]  # 最大值归位
        sift_down(0, end)
    return a


# --8<-- [end:whiteboard]


# --8<-- [start:sift_down]
def sift_down(a: list, start: int, end: int, key: Callable[[Any], Any]) -> None:
    """Restore the max-heap property below a[start]; the heap is a[0:end]."""
    root = start
    while (child := 2 * root + 1) < end:  # left child; the right child is child + 1
        if child + 1 < end and key(a[child]) < key(a[child + 1]):
            child += 1  # the larger child
        if not key(a[root]) < key(a[child]):
            return  # the root is >= both children: done
        a[root], a[child] = a[child], a[root]
        root = child


# --8<-- [end:sift_down]


# --8<-- [start:heapsort]
def build_max_heap(a: list, key: Callable[[Any], Any]) -> None:
    """Floyd's bottom-up construction: sift down every internal node, last one first. O(n)."""
    for start in range(len(a) // 2 - 1, -1, -1):
        sift_down(a, start, len(a), key)


def heapsort(items: Sequence, key: Callable[[Any], Any] | None = None) -> list:
    """A sorted copy of items (ascending), using O(1) extra memory on that copy."""
    key = _check_key(key)
    a = list(items)
    build_max_heap(a, key)
    for end in range(len(a) - 1, 0, -1):
        a[0], a[end] = a[end], a[0]  # the maximum goes to its final place
        sift_down(a, 0, end, key)  # the heap shrinks to a[0:end]
    return a


# --8<-- [end:heapsort]


# --8<-- [start:check]
def _check_key(key: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """The key function to use (identity for None); TypeError if key is not callable."""
    if key is not None and not callable(key):
        raise TypeError(f"key must be callable, got {type(key).__name__}")
    return _identity if key is None else key


def _identity(x: Any) -> Any:
    return x


# --8<-- [end:check]


if __name__ == "__main__":
    # --8<-- [start:demo]
    data = [5, 3, 8, 3, 1, 9, 3, 0]
    heap = list(data)
    build_max_heap(heap, _identity)
    assert all(heap[(i - 1) // 2] >= heap[i] for i in range(1, len(heap)))  # parent >= child
    assert heapsort(data) == sorted(data)
    assert heapsort([]) == []
    assert heapsort_whiteboard(list(data)) == sorted(data)
    # Unstable: the two records with key 1 swap their order.
    records = [(1, "a"), (1, "b")]
    assert heapsort(records, key=lambda r: r[0]) == [(1, "b"), (1, "a")]
    # --8<-- [end:demo]
    print(heapsort(data))
