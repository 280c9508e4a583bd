"""Fibonacci numbers four ways: recursive, memoised, iterative and O(log n) fast doubling.

Convention: F(0) = 0, F(1) = 1, F(n) = F(n - 1) + F(n - 2).
"""

# --8<-- [start:imports]
import functools

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def fib(n):
    """迭代求 F(n)：只保留最近两个值，O(n) 次加法、O(1) 空间。"""
    a, b = 0, 1  # F(0), F(1)
    for _ in range(n):
        a, b = b, a + b
    return a


# --8<-- [end:whiteboard]


# --8<-- [start:whiteboard_doubling]
def fib_pair(n):
    """快速倍增：递归返回 (F(n), F(n+1))，O(log n) 次乘法。"""
    if n == 0:
        return 0, 1
    a, b = fib_pair(n // 2)  # F(k), F(k+1)，k = n // 2
    c = a * (2 * b - a)  # F(2k)
    d = a * a + b * b  # F(2k+1)
    return (d, c + d) if n % 2 else (c, d)


# --8<-- [end:whiteboard_doubling]


# --8<-- [start:check]
def _check_n(n: int) -> int:
    """n itself; TypeError unless an int (bool excluded), ValueError if negative."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return n


# --8<-- [end:check]


# --8<-- [start:recursive]
def fib_recursive(n: int) -> int:
    """Plain recursion: O(phi^n) calls, only for small n."""
    _check_n(n)
    if n < 2:
        return n
    return fib_recursive(n - 1) + fib_recursive(n - 2)


# --8<-- [end:recursive]


# --8<-- [start:memo]
def fib_memo(n: int) -> int:
    """Recursion with a cache: O(n) time and O(n) memory (and recursion depth n)."""
    _check_n(n)

    @functools.cache
    def f(k: int) -> int:
        return k if k < 2 else f(k - 1) + f(k - 2)

    return f(n)


# --8<-- [end:memo]


# --8<-- [start:iterative]
def fib_iterative(n: int) -> int:
    """Bottom-up loop keeping the last two values: O(n) time, O(1) memory."""
    _check_n(n)
    a, b = 0, 1  # F(0), F(1)
    for _ in range(n):
        a, b = b, a + b
    return a


# --8<-- [end:iterative]


# --8<-- [start:matrix]
Matrix = tuple[int, int, int, int]  # (a, b, c, d) stands for [[a, b], [c, d]]


def _matmul(x: Matrix, y: Matrix) -> Matrix:
    a, b, c, d = x
    e, f, g, h = y
    return (a * e + b * g, a * f + b * h, c * e + d * g, c * f + d * h)


def fib_matrix(n: int) -> int:
    """[[1, 1], [1, 0]]^n = [[F(n+1), F(n)], [F(n), F(n-1)]], by repeated squaring."""
    _check_n(n)
    result: Matrix = (1, 0, 0, 1)  # identity  # pragma: no mutate (only its top row is read)
    base: Matrix = (1, 1, 1, 0)
    while n:
        if n & 1:
            result = _matmul(result, base)
        base = _matmul(base, base)
        n >>= 1
    return result[1]  # pragma: no mutate (result is symmetric: result[2] is F(n) too)


# --8<-- [end:matrix]


# --8<-- [start:doubling]
def fib_fast_doubling(n: int) -> int:
    """F(2k) = F(k)(2F(k+1) - F(k)), F(2k+1) = F(k)^2 + F(k+1)^2: O(log n) steps."""
    _check_n(n)
    a, b = 0, 1  # F(k), F(k+1) for k = the bits of n read so far
    for bit in bin(n)[2:]:
        a, b = a * (2 * b - a), a * a + b * b  # k -> 2k
        if bit == "1":
            a, b = b, a + b  # 2k -> 2k + 1
    return a


# --8<-- [end:doubling]


if __name__ == "__main__":
    # --8<-- [start:demo]
    first = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55]
    for f in (fib_recursive, fib_memo, fib_iterative, fib_matrix, fib_fast_doubling):
        assert [f(n) for n in range(11)] == first
    # Python ints have arbitrary precision, so F(100) is exact.
    assert fib_fast_doubling(100) == fib_matrix(100) == fib_iterative(100)
    assert fib_iterative(100) == 354224848179261915075
    assert fib(100) == fib_pair(100)[0] == fib_iterative(100)
    # --8<-- [end:demo]
    for bad in (-1, 2.0, True):
        try:
            fib_iterative(bad)
        except (ValueError, TypeError):
            pass
        else:
            raise AssertionError(f"{bad!r} was accepted")
    print("F(100) =", fib_fast_doubling(100))
