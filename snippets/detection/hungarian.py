"""Minimum-cost assignment (the Hungarian problem) by shortest augmenting paths, in numpy.

`hungarian_match(cost)` behaves like scipy.optimize.linear_sum_assignment: for an N x M
matrix it returns (rows, cols) of a minimum-cost matching of min(N, M) pairs, rows sorted
ascending; +inf marks a forbidden pair; NaN, -inf or no feasible matching is a ValueError.
"""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def hungarian_whiteboard(cost):
    """n ≤ m 的有限代价矩阵：带势的最短增广路（O(n²m)），返回每一行匹配到的列。"""
    n, m = cost.shape
    u, v = np.zeros(n + 1), np.zeros(m + 1)  # 行、列的势（对偶变量）
    match = np.zeros(m + 1, dtype=int)  # match[j]：列 j 匹配的行（从 1 起，0 为未匹配）
    way = np.zeros(m + 1, dtype=int)  # 最短路树上列 j 的前一列
    for i in range(1, n + 1):
        match[0], j0 = i, 0  # 第 0 列是虚拟列，挂着新加入的第 i 行
        dist = np.full(m + 1, np.inf)  # 到每一列的最短约化路径长度
        used = np.zeros(m + 1, dtype=bool)
        while match[j0] != 0:  # 走到一个未匹配的列，增广路就找到了
            used[j0] = True
            reduced = cost[match[j0] - 1] - u[match[j0]] - v[1:]  # 约化代价，永远 >= 0
            better = ~used[1:] & (reduced < dist[1:])
            dist[1:][better], way[1:][better] = reduced[better], j0
            j0 = 1 + np.argmin(np.where(used[1:], np.inf, dist[1:]))
            delta = dist[j0]  # Dijkstra：取最近的未访问列，更新势
            u[match[used]] += delta
            v[used] -= delta
            dist[~used] -= delta
        while j0:  # 沿 way 回溯，翻转增广路上的匹配
            match[j0] = match[way[j0]]
            j0 = way[j0]
    return np.argsort(match[1:])[m - n :]  # 按匹配的行号 1..n 排列各列


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _check_cost(cost) -> np.ndarray:
    cost = np.asarray(cost)
    if cost.ndim != 2:
        raise ValueError(f"cost must be a 2-D matrix, got {cost.ndim} dimension(s)")
    if not (np.issubdtype(cost.dtype, np.number) or cost.dtype == bool):
        raise TypeError(f"cost must hold real numbers, got dtype {cost.dtype}")
    if np.iscomplexobj(cost):
        raise TypeError("cost must hold real numbers, got complex values")
    cost = cost.astype(np.float64)  # pragma: no mutate (numpy reads astype(None) as float64)
    if np.isnan(cost).any() or np.isneginf(cost).any():
        raise ValueError("cost must not contain NaN or -inf (+inf marks a forbidden pair)")
    return cost


# --8<-- [end:check]


# --8<-- [start:hungarian_match]
def hungarian_match(cost) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of a minimum-cost assignment (like scipy's linear_sum_assignment)."""
    cost = _check_cost(cost)
    transposed = cost.shape[0] > cost.shape[1]
    if transposed:  # the algorithm adds rows one at a time: it needs rows <= columns
        cost = cost.T
    n, m = cost.shape
    u, v = np.zeros(n + 1), np.zeros(m + 1)  # potentials: cost[i, j] - u[i] - v[j] >= 0
    match = np.zeros(m + 1, dtype=np.int64)  # match[j]: row (1-based) on column j, 0 = free
    way = np.zeros(m + 1, dtype=np.int64)
    for i in range(1, n + 1):
        # Dijkstra from row i over reduced costs, until it reaches a free column.
        match[0], j0 = i, 0
        dist = np.full(m + 1, np.inf)
        used = np.zeros(m + 1, dtype=bool)
        while match[j0] != 0:
            used[j0] = True
            i0 = match[j0]
            reduced = cost[i0 - 1] - u[i0] - v[1:]
            better = ~used[1:] & (reduced < dist[1:])
            dist[1:][better] = reduced[better]
            way[1:][better] = j0
            unvisited = np.where(used[1:], np.inf, dist[1:])
            j0 = 1 + int(np.argmin(unvisited))
            delta = unvisited[j0 - 1]
            if np.isinf(delta):  # every path to a free column uses a forbidden pair
                raise ValueError("cost matrix is infeasible: no assignment avoids +inf")
            u[match[used]] += delta
            v[used] -= delta
            dist[~used] -= delta
        while j0:  # flip the matching along the augmenting path
            match[j0] = match[way[j0]]
            j0 = way[j0]
    matched = np.flatnonzero(match[1:])  # every row is matched to one of these columns
    rows, cols = match[1:][matched] - 1, matched
    if transposed:
        rows, cols = cols, rows
    order = np.argsort(rows, kind="stable")  # pragma: no mutate (rows are distinct: no ties)
    return rows[order].astype(np.int64), cols[order].astype(np.int64)


# --8<-- [end:hungarian_match]


if __name__ == "__main__":
    demo = np.array([[4.0, 1.0, 3.0], [2.0, 0.0, 5.0], [3.0, 2.0, 2.0]])
    rows, cols = hungarian_match(demo)
    assert rows.tolist() == [0, 1, 2]
    assert cols.tolist() == [1, 0, 2]
    assert demo[rows, cols].sum() == 5.0
    assert hungarian_whiteboard(demo).tolist() == [1, 0, 2]
    # More rows than columns: every column is used; the joint optimum (unique here) decides
    # which row is left out: row 1, not row 2 whose smallest cost is the largest.
    rows, cols = hungarian_match(np.array([[0.0, 9.0], [1.0, 9.0], [5.0, 6.0]]))
    assert rows.tolist() == [0, 2]
    assert cols.tolist() == [0, 1]
    # +inf forbids a pair; a matrix with no finite assignment is an error.
    rows, cols = hungarian_match(np.array([[np.inf, 1.0], [1.0, np.inf]]))
    assert cols.tolist() == [1, 0]
    try:
        hungarian_match(np.array([[np.inf, np.inf], [1.0, 2.0]]))
    except ValueError as error:
        print("infeasible:", error)
    else:
        raise AssertionError("expected ValueError")
    print("rows", rows, "cols", cols)
