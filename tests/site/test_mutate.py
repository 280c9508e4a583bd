"""tools/mutate.py: which functions of a snippet mutmut leaves alone."""

import re

from tools.mutate import exclude_presentation

SNIPPET = """import numpy as np


def loss(x):
    return np.mean(x)


def plot_loss(ax):  # draws only
    ax.plot([1, 2])


@staticmethod
def demo_copy():
    assert [1] == [1]


def tf1_reference():
    import tensorflow as tf  # never run


def reference_loss(x):
    return x
"""


def test_figure_demo_and_never_run_code_is_wrapped_in_pragmas(tmp_path):
    path = tmp_path / "snippet.py"
    path.write_text(SNIPPET, encoding="utf-8")
    exclude_presentation(path)
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"# pragma: no mutate start.*?\n(.*?)# pragma: no mutate end\n", text, re.S)
    assert [re.findall(r"^def (\w+)", block, re.M) for block in blocks] == [
        ["plot_loss"],
        ["demo_copy"],  # its decorator inside too
        ["tf1_reference"],
    ]
    assert blocks[1].startswith("@staticmethod")
    outside = re.sub(r"# pragma: no mutate start.*?# pragma: no mutate end\n", "", text, flags=re.S)
    assert re.findall(r"^def (\w+)", outside, re.M) == ["loss", "reference_loss"]
