"""The split search index (hooks/search_index_split.py) answers as the whole index does.

The built site's search worker runs in Node (search_worker.mjs) twice: on the split index
as built, and on the whole index put back together from it (the offline build's form).
Every query of a sample of the query table must list the same pages in the same order,
each with the same sections and lunr scores.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .test_browser import search_cases

WORKER = Path(__file__).with_name("search_worker.mjs")
SAMPLE = 6  # every 6th query: about 110, two seconds of Node


def pages(results: list) -> list:
    """Per page: its sections (location, score to 9 digits: term order changes the sums
    in the last bit, and that may swap two sections of equal score)."""
    return [sorted((location, round(score, 9)) for location, score in group) for group in results]


def test_split_index_finds_what_the_whole_index_finds(built_site: Path):
    if not shutil.which("node"):
        pytest.fail("Node.js is needed to run the search worker")
    queries = list(dict.fromkeys(query for query, _ in search_cases()))[::SAMPLE]
    run = subprocess.run(
        ["node", str(WORKER), str(built_site)],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    answers = json.loads(run.stdout)
    assert len(answers["split"]) == len(queries)
    assert sum(map(len, answers["split"])) > 5 * len(queries)  # pages found, not nothing
    for query, split, whole in zip(queries, answers["split"], answers["whole"], strict=True):
        assert pages(split) == pages(whole), query
