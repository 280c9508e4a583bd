"""Let build-time code (markdown-exec fences, notebooks) import snippets and tools."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = [str(ROOT / "snippets"), str(ROOT)]


def on_config(config):
    for path in reversed(PATHS):
        if path not in sys.path:
            sys.path.insert(0, path)
    # Notebook kernels are separate processes: they find the same modules via PYTHONPATH.
    os.environ["PYTHONPATH"] = os.pathsep.join([*PATHS, os.environ.get("PYTHONPATH", "")])
    return config
