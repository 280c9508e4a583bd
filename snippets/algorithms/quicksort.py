"""Quicksort with a random pivot and three-way (Dijkstra) partitioning, in place."""

# --8<-- [start:imports]
import random
from collections.abc import Callable, Sequence
from typing import Any

# --8<-- [end:imports]


# --8<-- [start:partition]
def partition3(a: list, lo: int, hi: int, p: int, key: Callable[[Any], Any]) -> tuple[int, int]:
    """Rearrange a[lo..hi] around key(a[p]) into  < | == | >  and return the bounds of ==."""
    a[lo], a[p] = a[p], a[lo]
    pivot = key(a[lo])
    lt, i, gt = lo, lo + 1, hi  # a[lo:lt] < pivot, a[lt:i] == pivot, a[gt+1:hi+1] > pivot
    while i <= gt:
        k = key(a[i])
        if k < pivot:
            a[lt], a[i] = a[i], a[lt]
            lt += 1
            i += 1
        elif pivot < k:
            a[i], a[gt] = a[gt], a[i]
            gt -= 1
        else:
            i += 1
    return lt, gt


# --8<-- [end:partition]


# --8<-- [start:quicksort]
def quicksort(
    items: Sequence,
    key: Callable[[Any], Any] | None = None,
    pivot: str = "random",
    seed: int | None = None,
) -> list:
    """A sorted copy of items. pivot is "random" (default) or "first" (for demonstrations)."""
    if key is None:
        key = _identity
    elif not callable(key):
        raise TypeError(f"key must be callable, got {type(key).__name__}")
    if pivot not in {"random", "first"}:
        raise ValueError(f"pivot must be 'random' or 'first', got {pivot!r}")
    rng = random.Random(seed)
    a = list(items)
    stack = [(0, len(a) - 1)]
    while stack:
        lo, hi = stack.pop()
        if lo >= hi:
            continue
        p = rng.randint(lo, hi) if pivot == "random" else lo
        lt, gt = partition3(a, lo, hi, p, key)
        # Push the larger part first so the smaller one is handled next: the stack
        # holds O(log n) ranges at any time.
        left, right = (lo, lt - 1), (gt + 1, hi)
        if lt - lo > hi - gt:  # pragma: no mutate (changes only the stack depth)
            stack += [left, right]
        else:
            stack += [right, left]
    return a


def _identity(x: Any) -> Any:
    return x


# --8<-- [end:quicksort]


if __name__ == "__main__":
    # --8<-- [start:demo]
    data = [5, 3, 8, 3, 1, 9, 3, 0]
    assert quicksort(data) == sorted(data)
    assert quicksort([]) == []
    assert quicksort(["pear", "fig", "apple"], key=len) == ["fig", "pear", "apple"]
    # Unstable: equal keys 1 ("a" then "b") come out as "b" then "a".
    records = [(1, "a"), (1, "b"), (0, "c")]
    assert quicksort(records, key=lambda r: r[0], pivot="first") == [(0, "c"), (1, "b"), (1, "a")]
    assert sorted(records, key=lambda r: r[0]) == [(0, "c"), (1, "a"), (1, "b")]  # stable
    # --8<-- [end:demo]
    print(quicksort(data))
