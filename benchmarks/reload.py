"""Seconds from saving a file to the changed page being served by `make serve`.

Runs `mkdocs serve --dirty` (what `make serve` runs; `--full` for plain `mkdocs serve`)
on a temporary copy of the project on a free loopback port, then edits, RUNS times each:
a page (docs/detection/nms.md), the snippet it includes (snippets/detection/nms.py), and
a snippet whose page also draws a figure from it (snippets/training/lr_schedules.py).
Each time is from the save to the first served page with the new text, polled every 20 ms:
the server holds requests while it rebuilds, so that is when a browser reloaded at the end
of the rebuild shows the change. The server notices a save within its 0.5 s polling.

Then checks that the served pages and search index equal those of a full `mkdocs build` of
the same files (`--no-check` skips it). Prints one JSON line.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.live_server import as_built, copy_project, fetch, serving, wait_for_text

# (case, file edited, line after which a marker line goes, how the marker is written, page)
CASES = [
    ("page", "docs/detection/nms.md", None, "\n{marker}\n", "detection/nms/"),
    (
        "snippet",
        "snippets/detection/nms.py",
        "# --8<-- [start:nms]",
        "# {marker}",
        "detection/nms/",
    ),
    (
        "figure_snippet",
        "snippets/training/lr_schedules.py",
        "# --8<-- [start:plot]",
        "# {marker}",
        "training/lr_schedules/",
    ),
]


def with_marker(original: str, after: str | None, line: str) -> str:
    if after is None:
        return original + line
    lines = original.split("\n")
    index = next(i for i, text in enumerate(lines) if text.strip() == after)
    return "\n".join([*lines[: index + 1], line, *lines[index + 1 :]])


def check_against_full_build(project: Path, url: str, pages: list[str]) -> list[str]:
    """What differs between the served pages (and search index) and a full build."""
    config = project / "mkdocs.yml"
    site = project.parent / "full-build"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", site],
        cwd=project,
        check=True,
    )
    problems = []
    for page in pages:
        if as_built(fetch(url + page), url, config) != (site / page / "index.html").read_text():
            problems.append(page)
    served = json.loads(fetch(url + "search/search_index.json"))
    built = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    if served != built:
        problems.append("search/search_index.json")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="plain `mkdocs serve`, no --dirty")
    parser.add_argument("--no-check", action="store_true", help="skip the full-build check")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="reload-benchmark-") as tmp:
        project = Path(tmp) / "project"
        config = copy_project(project)
        start = time.monotonic()
        with serving(config, *([] if args.full else ["--dirty"])) as url:
            first_build = time.monotonic() - start
            seconds: dict[str, list[float]] = {case[0]: [] for case in CASES}
            originals = {case[1]: (project / case[1]).read_text(encoding="utf-8") for case in CASES}
            for run in range(args.runs):
                for case, name, after, line, page in CASES:
                    marker = f"reload_mark_{case}_{run}"
                    text = with_marker(originals[name], after, line.format(marker=marker))
                    saved = time.monotonic()
                    (project / name).write_text(text, encoding="utf-8")
                    seen = wait_for_text(url + page, marker, timeout=120)
                    seconds[case].append(round(seen - saved, 2))
            problems = (
                []
                if args.no_check
                else check_against_full_build(project, url, sorted({case[4] for case in CASES}))
            )
    result = {
        "serve": "mkdocs serve" + ("" if args.full else " --dirty"),
        "first_build_s": round(first_build, 1),
        **{f"{case}_edit_s": times for case, times in seconds.items()},
        **{f"{case}_edit_median_s": statistics.median(t) for case, t in seconds.items()},
        "equals_full_build": None if args.no_check else not problems,
    }
    if problems:
        result["differs_from_full_build"] = problems
    print(json.dumps(result))
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
