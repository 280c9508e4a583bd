"""The split search index (hooks/search_index_split.py) answers as the whole index does.

The built site's search worker runs in Node (search_worker.mjs) twice: on the split index
as built, and on the whole index put back together from it (the offline build's form).
Every query of a sample of the query table must list the same pages in the same order,
each with the same sections and lunr scores; and the split index must show, under the
titles of the first pages, the text Material shows there (the same excerpt, marked).
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .test_browser import search_cases

WORKER = Path(__file__).with_name("search_worker.mjs")
SAMPLE = 10  # every 10th query: about 70, two seconds of Node
SHOWN = 10  # pages whose best sections show their text (search-wrapper.js)


def pages(results: list) -> list:
    """Per page: its sections (location, score to 9 digits: term order changes the sums
    in the last bit, and that may swap two sections of equal score)."""
    return [sorted((item[0], round(item[1], 9)) for item in group) for group in results]


def teasers(results: list) -> dict[str, str]:
    """The texts Material shows (templates/search/index.tsx): under the best sections of a
    page (scored as its first item), or under the page's title when it is best and alone."""
    shown = {}
    for group in results[:SHOWN]:
        page = next(k for k, (location, _, _) in enumerate(group) if "#" not in location)
        best = [item for k, item in enumerate(group) if k != page and item[1] >= group[0][1]]
        for location, _, text in best or ([group[0]] if page == 0 else []):
            shown[location] = text
    return shown


def shown(results: list) -> dict[str, str]:
    return {location: text for group in results for location, _, text in group if text}


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
    marked = 0
    for query, split, whole in zip(queries, answers["split"], answers["whole"], strict=True):
        assert pages(split) == pages(whole), query
        expected = {location: text for location, text in teasers(whole).items() if text}
        assert shown(split) == expected, query
        marked += sum("<mark>" in text for text in expected.values())
    assert marked > len(queries)  # most teasers mark what the query found
