"""The pre-commit hooks: local, pinned to requirements.txt's versions, and the notebook
check they run holds for the notebooks in docs/."""

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
HOOKS = [hook for repo in CONFIG["repos"] for hook in repo["hooks"]]
NOTEBOOKS = sorted((ROOT / "docs").rglob("*.ipynb"))


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


PINS = {
    normalized(name): version
    for name, version in re.findall(
        r"^([A-Za-z0-9][A-Za-z0-9_.-]*)==(\S+)",
        (ROOT / "requirements.txt").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
}


def test_hooks_clone_no_repository():
    assert [repo["repo"] for repo in CONFIG["repos"]] == ["local"] * len(CONFIG["repos"])


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook["id"])
def test_hook_installs_the_version_requirements_txt_pins(hook: dict):
    if hook["language"] == "python":
        assert hook.get("additional_dependencies"), "a local python hook installs its package"
    else:
        assert hook["language"] == "pygrep", "only PyPI packages or nothing at all"
    for requirement in hook.get("additional_dependencies", []):
        name, _, version = requirement.partition("==")
        assert PINS.get(normalized(name)) == version, f"{requirement} vs requirements.txt"


def test_pre_commit_is_at_least_the_pinned_version():
    assert CONFIG["minimum_pre_commit_version"] == PINS["pre-commit"]


def has_outputs(notebook: bytes) -> bool:
    """What the notebook-outputs hook does (pre-commit's pygrep --multiline)."""
    [hook] = [hook for hook in HOOKS if hook["id"] == "notebook-outputs"]
    return re.search(hook["entry"].encode(), notebook, re.MULTILINE) is not None


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(notebook: Path):
    text = notebook.read_bytes()
    assert not has_outputs(text)
    # The same notebook as Jupyter saves it after a run: the check sees it.
    stored = json.loads(text)
    code = next(i for i, cell in enumerate(stored["cells"]) if cell["cell_type"] == "code")
    with_output, counted = copy.deepcopy(stored), copy.deepcopy(stored)
    with_output["cells"][code]["outputs"] = [{"output_type": "stream", "text": ["1\n"]}]
    counted["cells"][code]["execution_count"] = 3
    for saved in (with_output, counted):
        assert has_outputs(json.dumps(saved, indent=1).encode())
