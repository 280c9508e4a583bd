"""Heapsort in place: build a max-heap bottom-up, then move the maximum to the end n - 1 times."""

# --8<-- [start:imports]
from collections.abc import Callable, Sequence
from typing import Any

# --8<-- [end:imports]


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
    if key is None:
        key = _identity
    elif not callable(key):
        raise TypeError(f"key must be callable, got {type(key).__name__}")
    a = list(items)
    build_max_heap(a, key)
    for end in range(len(a) - 1, 0, -1):
        a[0], a[end] = a[end], a[0]  # the maximum goes to its final place
        sift_down(a, 0, end, key)  # the heap shrinks to a[0:end]
    return a


def _identity(x: Any) -> Any:
    return x


# --8<-- [end:heapsort]


if __name__ == "__main__":
    # --8<-- [start:demo]
    data = [5, 3, 8, 3, 1, 9, 3, 0]
    heap = list(data)
    build_max_heap(heap, _identity)
    assert all(heap[(i - 1) // 2] >= heap[i] for i in range(1, len(heap)))  # parent >= child
    assert heapsort(data) == sorted(data)
    assert heapsort([]) == []
    # Unstable: the two records with key 1 swap their order.
    records = [(1, "a"), (1, "b")]
    assert heapsort(records, key=lambda r: r[0]) == [(1, "b"), (1, "a")]
    # --8<-- [end:demo]
    print(heapsort(data))
