"""Mutation testing of snippets/ with mutmut: `make mutate [AREA=detection] [FILE=nms]`.

mutmut names a mutant after the path of its file, and its trampolines check that name
against the module the tests imported. Our tests import `detection.nms` (snippets/ is on
the path), so the mutants must come from `src/detection/nms.py`, mutmut's own convention
for a source root. This script lays out that copy in .mutation/ (snippets/ as src/, with
the tests, the pages and what the doc tests need), runs `mutmut run` there with
[tool.mutmut] from pyproject.toml, and writes a per-file score table to
.mutation/report.md. Survivors: `cd .mutation && ../.venv/bin/mutmut show NAME`.
"""

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutation"
COPIED = ["tests", "docs", "hooks", "includes", "overrides", "tools", "conftest.py", "mkdocs.yml"]
# Outcomes of `mutmut results --all true`. Timeouts count as killed, as mutmut counts them;
# a mutant no test reaches ("no tests") is as untested as a survivor. Equivalent mutants
# are not generated at all: their lines carry `# pragma: no mutate` and a reason.
KILLED = {"killed", "timeout", "caught by type check"}
SURVIVED = {"survived", "no tests"}
# Top-level functions not mutated, by name. plot_*: they only draw a figure out of tested
# functions; what a mutant changes there (a size, a colour, a label, a grid) is seen on the
# rendered page, not asserted. demo_*: they state facts about Python or numpy as asserts, so
# their only behaviour is not raising; a surviving mutant is just another true fact.
# *_reference: code of a framework the project does not install (TF1), shown for reading
# old code and never run, so no test can reach it.
NOT_MUTATED = ("plot_", "demo_")
NOT_RUN = ("_reference",)


def exclude_presentation(path: Path) -> None:
    """Wrap the NOT_MUTATED and NOT_RUN functions of one copied file in mutmut's start/end
    pragmas."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    body = ast.parse(source).body
    starts = [min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", [])]) for n in body]
    # The end pragma goes just before the next top-level statement, so that mutmut reads it
    # there and not inside the function (after a trailing comment in its body, say).
    for i in reversed(range(len(body))):
        node = body[i]
        named = isinstance(node, ast.FunctionDef) and node.name
        if named and (named.startswith(NOT_MUTATED) or named.endswith(NOT_RUN)):
            end = starts[i + 1] - 1 if i + 1 < len(body) else len(lines)
            lines.insert(end, "# pragma: no mutate end\n")
            lines.insert(starts[i] - 1, "# pragma: no mutate start (see tools/mutate.py)\n")
    path.write_text("".join(lines), encoding="utf-8")


def prepare(area: str | None, file: str | None) -> None:
    """.mutation/: src/ (the code to mutate), snippets/ (for the pages' --8<-- includes)."""
    WORK.mkdir(exist_ok=True)
    for name in ["src", "snippets", *COPIED]:
        target = WORK / name
        if target.is_dir():
            shutil.rmtree(target)
        source = ROOT / ("snippets" if name == "src" else name)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    for path in (WORK / "src").rglob("*.py"):
        exclude_presentation(path)
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config = config.replace('pythonpath = ["snippets", "."]', 'pythonpath = ["src", "."]')
    if area:
        tests = [f"tests/{area}"] + ([f"docs/{area}"] if (ROOT / "docs" / area).is_dir() else [])
        pattern = f"src/{area}/{file or '*'}" + (".py" if file else "")
        config = re.sub(
            r"^pytest_add_cli_args_test_selection = .*$",
            f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
            config,
            flags=re.M,
        )
        config = config.replace(
            "[tool.mutmut]\n", f"[tool.mutmut]\nonly_mutate = {json.dumps([pattern])}\n"
        )
    (WORK / "pyproject.toml").write_text(config, encoding="utf-8")
    if (WORK / "mutants").exists() and area:  # results of other areas stay; this one is redone
        shutil.rmtree(WORK / "mutants" / "src" / area, ignore_errors=True)
    # Which tests call which function: mutmut reuses this from the last run, which may not have
    # mutated (and so not traced) this file; every mutant would then count as "no tests".
    (WORK / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)


def results() -> dict[str, Counter]:
    """Outcome counts per snippet file, from mutmut's results."""
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=WORK,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    per_file: dict[str, Counter] = {}
    for line in out.splitlines():
        name, _, outcome = line.strip().partition(": ")
        if "__mutmut_" not in name:
            continue
        module = name.split(".x")[0].split(".xǁ")[0]
        per_file.setdefault(module.replace(".", "/") + ".py", Counter())[outcome] += 1
    return per_file


def report(per_file: dict[str, Counter]) -> str:
    rows = [
        "| 文件 | 变异体 | 杀死 | 存活 | 其他 | 得分 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    totals = Counter()
    for path, counts in sorted(per_file.items()):
        killed = sum(counts[k] for k in KILLED)
        survived = sum(counts[k] for k in SURVIVED)
        other = sum(counts.values()) - killed - survived
        totals.update(total=sum(counts.values()), killed=killed, survived=survived, other=other)
        score = f"{100 * killed / (killed + survived):.1f}%" if killed + survived else "–"
        rows.append(
            f"| {path} | {sum(counts.values())} | {killed} | {survived} | {other} | {score} |"
        )
    if totals["killed"] + totals["survived"]:
        score = 100 * totals["killed"] / (totals["killed"] + totals["survived"])
        rows.append(
            f"| 合计 | {totals['total']} | {totals['killed']} | {totals['survived']} "
            f"| {totals['other']} | {score:.1f}% |"
        )
    return "\n".join(rows) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--area", help="a folder of snippets/, e.g. detection")
    parser.add_argument("--file", help="one file of that folder, without .py, e.g. nms")
    parser.add_argument("--max-children", type=int, default=2)
    args = parser.parse_args()
    if args.file and not args.area:
        parser.error("--file needs --area")
    prepare(args.area, args.file)
    run = subprocess.run(
        [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children)],
        cwd=WORK,
        check=False,
    )
    table = report(results())
    (WORK / "report.md").write_text(table, encoding="utf-8")
    print(table)
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
