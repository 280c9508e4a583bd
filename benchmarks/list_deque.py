"""Time one operation at the front of a list and a deque, and `in`, as the container grows.

    .venv/bin/python benchmarks/list_deque.py

For n = 1,000, 10,000 and 100,000 items, the median over 5 runs of the time of one operation
(averaged over a loop of 1,000), in microseconds. Insert and pop are paired so that the size
stays n; `in` looks for a value that is absent (a full scan). Prints one JSON line per n.
"""

import json
import timeit

CASES = {
    "list.insert(0, x) + list.pop(0)": "c.insert(0, -1); c.pop(0)",
    "deque.appendleft(x) + deque.popleft()": "d.appendleft(-1); d.popleft()",
    "list.append(x) + list.pop()": "c.append(-1); c.pop()",
    "-1 in list": "-1 in c",
    "-1 in set": "-1 in s",
}
LOOPS, REPEATS = 1_000, 5


def main() -> None:
    for n in (1_000, 10_000, 100_000):
        setup = f"from collections import deque; c = list(range({n})); d = deque(c); s = set(c)"
        result = {"n": n}
        for name, statement in CASES.items():
            runs = timeit.repeat(statement, setup, number=LOOPS, repeat=REPEATS)
            result[name] = round(sorted(runs)[REPEATS // 2] / LOOPS * 1e6, 3)
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
