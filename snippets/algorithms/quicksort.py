"""Quicksort with a random pivot and three-way (Dijkstra) partitioning, in place; and the
two-way Lomuto and Hoare partitions as written at a whiteboard."""

# --8<-- [start:imports]
import random
from collections.abc import Callable, Sequence
from typing import Any

# --8<-- [end:imports]


# --8<-- [start:whiteboard_lomuto]
def quicksort_lomuto(a, lo=0, hi=None):
    """原地快排，Lomuto 划分：随机元素换到末尾作主元，a[lo:i] < pivot <= a[i:j]。"""
    if hi is None:
        hi = len(a) - 1
    if lo >= hi:
        return a
    r = random.randint(lo, hi)
    a[r], a[hi] = a[hi], a[r]
    pivot, i = a[hi], lo
    for j in range(lo, hi):
        if a[j] < pivot:
            a[i], a[j] = a[j], a[i]
            i += 1
    a[i], a[hi] = a[hi], a[i]  # 主元归位，不再参与递归
    quicksort_lomuto(a, lo, i - 1)
    quicksort_lomuto(a, i + 1, hi)
    return a


# --8<-- [end:whiteboard_lomuto]


# --8<-- [start:whiteboard_hoare]
def quicksort_hoare(a, lo=0, hi=None):
    """原地快排，Hoare 划分：中间元素作主元，两个指针相向扫描，遇到等于主元的也停下交换。"""
    if hi is None:
        hi = len(a) - 1
    if lo >= hi:
        return a
    pivot = a[(lo + hi) // 2]  # 下取整：主元不是 a[hi]，j 一定停在 hi 之前
    i, j = lo - 1, hi + 1
    while True:
        i += 1
        while a[i] < pivot:
            i += 1
        j -= 1
        while a[j] > pivot:
            j -= 1
        if i >= j:
            break
        a[i], a[j] = a[j], a[i]
    quicksort_hoare(a, lo, j)  # 主元不一定在 j 上：两段 [lo, j] 和 [j+1, hi] 都要排
    quicksort_hoare(a, j + 1, hi)
    return a


# --8<-- [end:whiteboard_hoare]


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
    key = _check_arguments(key, pivot)
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


# --8<-- [end:quicksort]


# --8<-- [start:check]
def _check_arguments(key: Callable[[Any], Any] | None, pivot: str) -> Callable[[Any], Any]:
    """The key function to use (identity for None); TypeError or ValueError for bad arguments."""
    if key is not None and not callable(key):
        raise TypeError(f"key must be callable, got {type(key).__name__}")
    if pivot not in {"random", "first"}:
        raise ValueError(f"pivot must be 'random' or 'first', got {pivot!r}")
    return _identity if key is None else key


def _identity(x: Any) -> Any:
    return x


# --8<-- [end:check]


if __name__ == "__main__":
    # --8<-- [start:demo]
    data = [5, 3, 8, 3, 1, 9, 3, 0]
    assert quicksort(data) == sorted(data)
    assert quicksort([]) == []
    assert quicksort(["pear", "fig", "apple"], key=len) == ["fig", "pear", "apple"]
    assert quicksort_lomuto(list(data)) == quicksort_hoare(list(data)) == sorted(data)
    # Unstable: equal keys 1 ("a" then "b") come out as "b" then "a".
    records = [(1, "a"), (1, "b"), (0, "c")]
    assert quicksort(records, key=lambda r: r[0], pivot="first") == [(0, "c"), (1, "b"), (1, "a")]
    assert sorted(records, key=lambda r: r[0]) == [(0, "c"), (1, "a"), (1, "b")]  # stable
    # --8<-- [end:demo]
    print(quicksort(data))
