"""Let build-time code (markdown-exec fences, notebooks) import snippets and tools, and see
their current code in every rebuild of `mkdocs serve`."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = [str(ROOT / "snippets"), str(ROOT)]
LOCAL = tuple(str(ROOT / top) + os.sep for top in ("snippets", "tools"))  # imported from here


def forget_local_modules() -> None:
    """Drop imported snippets and tools: the next import runs the file as it is now."""
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(LOCAL):
            del sys.modules[name]


def on_config(config):
    for path in reversed(PATHS):
        if path not in sys.path:
            sys.path.insert(0, path)
    # Notebook kernels are separate processes: they find the same modules via PYTHONPATH.
    os.environ["PYTHONPATH"] = os.pathsep.join([*PATHS, os.environ.get("PYTHONPATH", "")])
    forget_local_modules()
    return config
