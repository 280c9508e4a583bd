"""Chinese/English spacing and punctuation of pages, checked by autocorrect with the rules
in .autocorrectrc. `python -m tools.copywriting FILE...` is the pre-commit hook."""

import functools
import sys
from pathlib import Path

import autocorrect_py

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def load_rules() -> None:
    autocorrect_py.load_config((ROOT / ".autocorrectrc").read_text(encoding="utf-8"))


def problems(page: Path) -> list[str]:
    """One line per fix autocorrect would make: line number, old text, new text."""
    load_rules()
    result = autocorrect_py.lint_for(page.read_text(encoding="utf-8"), str(page))
    return [f"line {r.line}: {r.old.strip()!r} -> {r.new.strip()!r}" for r in result.lines]


def main(paths: list[str]) -> int:
    found = [f"{path}: {problem}" for path in paths for problem in problems(Path(path))]
    print("\n".join(found), end="\n" if found else "")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
