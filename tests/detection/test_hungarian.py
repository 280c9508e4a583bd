"""Hungarian matching against scipy's linear_sum_assignment and brute-force enumeration."""

import itertools

import numpy as np
import pytest
from detection.hungarian import hungarian_match, hungarian_whiteboard
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

scipy_optimize = pytest.importorskip("scipy.optimize", reason="scipy is the reference")


def brute_force_cost(cost: np.ndarray) -> float:
    """Minimum total over every way of matching min(N, M) rows and columns one to one."""
    n, m = cost.shape
    if n > m:
        cost, (n, m) = cost.T, (m, n)
    best = np.inf
    for cols in itertools.permutations(range(m), n):
        best = min(best, cost[np.arange(n), list(cols)].sum())
    return best


def assert_valid(cost: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> None:
    n, m = cost.shape
    assert rows.dtype == cols.dtype == np.int64
    assert len(rows) == len(cols) == min(n, m)
    assert (np.diff(rows) > 0).all()  # rows sorted ascending, each used once
    assert len(set(cols.tolist())) == len(cols)
    assert ((rows >= 0) & (rows < n)).all()
    assert ((cols >= 0) & (cols < m)).all()


def greedy_picks(cost: np.ndarray) -> list[tuple[int, int]]:
    """Take the smallest remaining entry, strike out its row and column, repeat."""
    picks, rows, cols = [], set(range(cost.shape[0])), set(range(cost.shape[1]))
    while rows and cols:
        i, j = min(((i, j) for i in rows for j in cols), key=lambda ij: cost[ij])
        picks.append((i, j))
        rows.discard(i)
        cols.discard(j)
    return picks


def test_hand_case():
    cost = np.array([[4.0, 1.0, 3.0], [2.0, 0.0, 5.0], [3.0, 2.0, 2.0]])
    rows, cols = hungarian_match(cost)
    # Greedy takes (1, 1) = 0, then (2, 2) = 2, then (0, 0) = 4: 6; the optimum is 1 + 2 + 2 = 5.
    picks = greedy_picks(cost)
    assert picks == [(1, 1), (2, 2), (0, 0)]
    assert sum(cost[ij] for ij in picks) == 6.0
    assert rows.tolist() == [0, 1, 2]
    assert cols.tolist() == [1, 0, 2]
    assert cost[rows, cols].sum() == 5.0
    int_rows, int_cols = hungarian_match(cost.astype(np.int64))  # integer costs, as in scipy
    assert int_rows.tolist() == [0, 1, 2]
    assert int_cols.tolist() == [1, 0, 2]


def test_left_out_row_is_decided_by_the_unique_optimum():
    cost = np.array([[0.0, 9.0], [1.0, 9.0], [5.0, 6.0]])
    totals = sorted(cost[list(r), [0, 1]].sum() for r in itertools.permutations(range(3), 2))
    assert totals[0] < totals[1]  # no tie: the answer does not depend on tie-breaking
    rows, cols = hungarian_match(cost)
    assert rows.tolist() == [0, 2]  # row 1 is left out, not row 2 (the largest row minimum)
    assert cols.tolist() == [0, 1]
    assert cost[rows, cols].sum() == totals[0]
    # The page's old 3 x 2 example had two optimal row sets: a tie, unfit for a hand check.
    old = np.array([[4.0, 1.0], [2.0, 0.0], [3.0, 2.0]])
    old_totals = sorted(old[list(r), [0, 1]].sum() for r in itertools.permutations(range(3), 2))
    assert old_totals[0] == old_totals[1] == 3.0


def test_rectangular_hand_cases():
    cost = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    rows, cols = hungarian_match(cost)  # 4 x 3: every column is used, row 1 is left out
    assert rows.tolist() == [0, 2, 3]
    assert cost[rows, cols].sum() == 2.0  # 1 + 1 + 0
    rows, cols = hungarian_match(cost.T)  # 3 x 4: every row is used
    assert rows.tolist() == [0, 1, 2]
    assert cost.T[rows, cols].sum() == 2.0


def test_empty_matrices():
    for shape in [(0, 0), (0, 3), (3, 0)]:
        rows, cols = hungarian_match(np.zeros(shape))
        assert rows.shape == cols.shape == (0,)
        assert rows.dtype == cols.dtype == np.int64


def test_forbidden_pairs_and_infeasible():
    cost = np.array([[np.inf, 1.0, 5.0], [2.0, np.inf, np.inf]])
    _, cols = hungarian_match(cost)
    assert cols.tolist() == [1, 0]
    with pytest.raises(ValueError, match="infeasible"):
        hungarian_match(np.array([[np.inf, np.inf], [1.0, 2.0]]))
    with pytest.raises(ValueError, match="infeasible"):  # one column, both rows need it
        hungarian_match(np.array([[1.0, np.inf], [2.0, np.inf]]))
    with pytest.raises(ValueError, match="infeasible"):
        hungarian_match(np.full((2, 3), np.inf))


@pytest.mark.parametrize(
    ("cost", "error"),
    [
        (np.array([[np.nan, 1.0], [1.0, 2.0]]), ValueError),
        (np.array([[-np.inf, 1.0], [1.0, 2.0]]), ValueError),
        (np.array([1.0, 2.0]), ValueError),  # not a matrix
        (np.zeros((2, 2, 2)), ValueError),
        (np.array([["a", "b"]]), TypeError),
        (np.array([[1 + 1j]]), TypeError),
    ],
)
def test_bad_input(cost, error):
    with pytest.raises(error, match="cost"):
        hungarian_match(cost)


def test_error_messages_in_full():
    with pytest.raises(TypeError, match=r"^cost must hold real numbers, got complex values$"):
        hungarian_match(np.array([[1 + 1j]]))
    with pytest.raises(
        ValueError, match=r"^cost must not contain NaN or -inf \(\+inf marks a forbidden pair\)$"
    ):
        hungarian_match(np.array([[-np.inf, 1.0]]))
    with pytest.raises(
        ValueError, match=r"^cost matrix is infeasible: no assignment avoids \+inf$"
    ):
        hungarian_match(np.array([[np.inf, np.inf], [1.0, 2.0]]))


def test_scipy_rejects_the_same_matrices():
    cases = [
        (np.array([[np.nan, 1.0]]), "invalid numeric entries", "NaN"),
        (np.array([[np.inf, np.inf], [1.0, 2.0]]), "infeasible", "infeasible"),
    ]
    for cost, scipy_message, our_message in cases:
        with pytest.raises(ValueError, match=scipy_message):
            scipy_optimize.linear_sum_assignment(cost)
        with pytest.raises(ValueError, match=our_message):
            hungarian_match(cost)


def test_random_rectangular_against_scipy():
    rng = np.random.default_rng(0)
    for trial in range(300):
        n, m = rng.integers(1, 12, size=2)
        if trial % 2:
            cost = rng.integers(0, 4, size=(n, m)).astype(float)  # many ties
        else:
            cost = rng.normal(size=(n, m)) * 10.0 ** rng.integers(-3, 4)
        if trial % 3 == 0:
            cost[rng.random((n, m)) < 0.3] = np.inf
        try:
            ref_rows, ref_cols = scipy_optimize.linear_sum_assignment(cost)
        except ValueError:
            with pytest.raises(ValueError, match="infeasible"):
                hungarian_match(cost)
            continue
        rows, cols = hungarian_match(cost)
        assert_valid(cost, rows, cols)
        expected = cost[ref_rows, ref_cols].sum()
        assert cost[rows, cols].sum() == pytest.approx(expected, rel=1e-9, abs=1e-9)


small_matrices = st.tuples(st.integers(1, 5), st.integers(1, 5)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=st.integers(-3, 3).map(float))
)


@settings(max_examples=60, deadline=None)
@given(small_matrices)
def test_tiny_matrices_against_brute_force(cost):
    rows, cols = hungarian_match(cost)
    assert_valid(cost, rows, cols)
    assert cost[rows, cols].sum() == brute_force_cost(cost)


@settings(max_examples=40, deadline=None)
@given(
    st.tuples(st.integers(1, 6), st.integers(0, 3)).flatmap(
        lambda nk: arrays(
            np.float64, (nk[0], nk[0] + nk[1]), elements=st.floats(-100, 100, width=32)
        )
    )
)
def test_whiteboard_matches_full_version(cost):
    # The whiteboard version: finite costs, rows <= columns; one column per row.
    cols = hungarian_whiteboard(cost)
    n = cost.shape[0]
    assert len(set(cols.tolist())) == n
    rows, full_cols = hungarian_match(cost)
    assert cost[np.arange(n), cols].sum() == pytest.approx(cost[rows, full_cols].sum(), abs=1e-9)


def test_whiteboard_matches_full_version_on_random_matrices():
    rng = np.random.default_rng(1)
    for trial in range(200):
        n = int(rng.integers(1, 9))
        m = n + int(rng.integers(0, 4))
        cost = rng.normal(size=(n, m)) if trial % 2 else rng.integers(0, 10, (n, m)) * 1.0
        rows, cols = hungarian_match(cost)
        board = hungarian_whiteboard(cost)
        assert cost[np.arange(n), board].sum() == pytest.approx(cost[rows, cols].sum())


def test_phase_i_scans_at_most_i_columns(monkeypatch):
    # Phase i adds row i: each step of its Dijkstra reaches a free column (done) or one of the
    # i - 1 matched ones, so at most i steps of O(m) each: O(n² m) in all, not O(n m²).
    steps = []
    argmin = np.argmin
    monkeypatch.setattr(
        np, "argmin", lambda a, *args, **kw: steps.append(1) or argmin(a, *args, **kw)
    )
    n, m = 6, 60
    for cost in (np.random.default_rng(3).integers(0, 3, size=(n, m)) * 1.0, np.zeros((n, m))):
        steps.clear()
        hungarian_match(cost)
        assert 0 < len(steps) <= n * (n + 1) // 2 < n * m
    assert (
        len(steps) == n * (n + 1) // 2
    )  # all ties: every phase walks through every matched column
