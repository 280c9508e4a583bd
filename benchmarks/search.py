"""Search in Chromium: bytes fetched when search opens, time from a keystroke to the first
results, and recall@1/@3 over a query table (`query,page` CSVs).

Usage: python benchmarks/search.py SITE_DIR [--queries CSV ...] [--every N] [--pagefind]
(after `make build`). Without --queries, every tests/*/search_queries*.csv. With a split
index (hooks/search_index_split.py) a query also fetches the text of the sections it shows:
every Nth query (default 10) is also typed first in a fresh tab, and the bytes of search
opening plus that query are reported (median, p90, max). --pagefind measures Pagefind instead,
on an index built into SITE_DIR/pagefind (`npx pagefind@1.6.0 --site SITE_DIR`, extended
build for Chinese): bytes for the first query (its index is chunked) and per-query time.
Prints JSON lines; asserts nothing.
"""

import argparse
import contextlib
import csv
import gzip
import json
import statistics
import sys
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.browser import launch, serve

ROOT = Path(__file__).resolve().parent.parent

READY = """() => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const meta = document.querySelector(".md-search-result__meta");
  return meta.textContent.trim() === config.translations["search.result.placeholder"];
}"""

# Material: a query typed the way the browser test types it; time until result links show.
MATERIAL_QUERIES = """async (queries) => {
  const box = document.querySelector("input.md-search__input");
  const links = () => [...document.querySelectorAll(
    ".md-search-result__item > a.md-search-result__link")].map(a => a.href);
  const frame = () => new Promise(resolve => setTimeout(resolve, 1));
  const type = (text) => {
    box.value = text;
    box.dispatchEvent(new KeyboardEvent("keyup", { key: "End", bubbles: true }));
  };
  const out = [];
  for (const query of queries) {
    type("");
    for (let i = 0; i < 500 && links().length; i++) await frame();
    const start = performance.now();
    type(query);
    for (let i = 0; i < 5000 && !links().length; i++) await frame();
    out.push({ query, ms: performance.now() - start, top: links().slice(0, 15) });
  }
  return out;
}"""

# Pagefind: its JS API, as a search box would use it; time until the top 3 results' data.
PAGEFIND_QUERIES = """async ([base, queries]) => {
  const pagefind = await import(base + "pagefind/pagefind.js");
  await pagefind.options({ excerptLength: 20 });
  const out = [];
  for (const query of queries) {
    const start = performance.now();
    const search = await pagefind.search(query);
    const data = await Promise.all(search.results.slice(0, 5).map(r => r.data()));
    out.push({ query, ms: performance.now() - start, top: data.map(d => d.url) });
  }
  return out;
}"""


def read_tables(paths: list[Path]) -> list[tuple[str, str]]:
    cases = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            cases += [(row["query"], row["page"]) for row in csv.DictReader(handle)]
    return cases


def page_path(src: str) -> str:
    stem = src.rsplit(".", 1)[0]
    if stem == "index":
        return "/"
    return "/" + (stem[: -len("index")] if stem.endswith("/index") else stem + "/")


def normal(url: str) -> str:
    path = urlparse(url).path
    return path.removesuffix("index.html")


def weigh(requests) -> dict:
    bodies = {}
    for request in requests:
        response = request.response()
        if response is not None:
            bodies[request.url] = response.body()
    return {
        "requests": len(bodies),
        "raw_bytes": sum(len(body) for body in bodies.values()),
        "gzip_bytes": sum(len(gzip.compress(body, 6)) for body in bodies.values()),
        "files": {u.rsplit("/", 1)[-1]: len(gzip.compress(b, 6)) for u, b in bodies.items()},
    }


def recall(results: list[dict], cases: list[tuple[str, str]]) -> dict:
    top = {r["query"]: list(dict.fromkeys(normal(url) for url in r["top"])) for r in results}
    ranks = [(top[q] + [page_path(p)]).index(page_path(p)) for q, p in cases]
    misses = [(q, p, top[q][:3]) for (q, p), rank in zip(cases, ranks, strict=True) if rank >= 3]
    return {
        "queries": len(cases),
        "recall@1": round(sum(rank < 1 for rank in ranks) / len(ranks), 4),
        "recall@3": round(sum(rank < 3 for rank in ranks) / len(ranks), 4),
        "misses@3": misses,
    }


def timing(results: list[dict]) -> dict:
    times = sorted(result["ms"] for result in results)
    return {
        "first_ms": round(results[0]["ms"], 1),
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(0.9 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
    }


def report(engine: str, results: list[dict], cases) -> None:
    print(json.dumps({"engine": engine, **timing(results)}))
    print(json.dumps({"engine": engine, **recall(results, cases)}, ensure_ascii=False))


@contextlib.contextmanager
def search_opened(browser, base: str):
    """A fresh tab on a page with search opened and ready: (tab, its finished requests)."""
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    tab.goto(base + "detection/nms/", wait_until="networkidle")
    finished = []
    tab.on("requestfinished", lambda request: finished.append(request))
    tab.locator("input.md-search__input").click()
    tab.wait_for_function(READY, timeout=60_000)
    try:
        yield tab, finished
    finally:
        context.close()


def material(browser, base: str, cases) -> None:
    with search_opened(browser, base) as (tab, finished):
        opened = weigh(finished)
        queries = list(dict.fromkeys(q for q, _ in cases))
        results = tab.evaluate(MATERIAL_QUERIES, queries)
    print(json.dumps({"engine": "material", "search_opens": opened}, ensure_ascii=False))
    report("material", results, cases)


def first_queries(browser, base: str, queries: list[str]) -> None:
    """Bytes of opening search and typing one query, each query first in a fresh tab."""
    totals = []
    for query in queries:
        with search_opened(browser, base) as (tab, finished):
            tab.evaluate(MATERIAL_QUERIES, [query])
            tab.wait_for_load_state("networkidle")
            weight = weigh(finished)
        texts = sum(1 for url in weight["files"] if url.endswith(".json")) - 1
        totals.append((weight["gzip_bytes"], texts, query))
    totals.sort()
    sizes = [total for total, _, _ in totals]
    print(
        json.dumps(
            {
                "engine": "material",
                "first_query_gzip_bytes": {
                    "queries": len(sizes),
                    "median": int(statistics.median(sizes)),
                    "p90": sizes[int(0.9 * (len(sizes) - 1))],
                    "max": sizes[-1],
                    "largest": {"query": totals[-1][2], "texts": totals[-1][1]},
                },
            },
            ensure_ascii=False,
        )
    )


def pagefind(browser, base: str, cases) -> None:
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    tab.goto(base + "detection/nms/", wait_until="networkidle")
    finished = []
    tab.on("requestfinished", lambda request: finished.append(request))
    queries = list(dict.fromkeys(q for q, _ in cases))
    first = tab.evaluate(PAGEFIND_QUERIES, [base, queries[:1]])
    print(json.dumps({"engine": "pagefind", "first_query": weigh(finished)}, ensure_ascii=False))
    results = first + tab.evaluate(PAGEFIND_QUERIES, [base, queries[1:]])
    context.close()
    report("pagefind", results, cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("--queries", type=Path, nargs="+")
    parser.add_argument("--pagefind", action="store_true")
    parser.add_argument("--every", type=int, default=10)
    args = parser.parse_args()
    cases = read_tables(args.queries or sorted((ROOT / "tests").rglob("search_queries*.csv")))
    split = (args.site_dir / "search" / "text").is_dir()
    with serve(args.site_dir) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        (pagefind if args.pagefind else material)(browser, base, cases)
        if split and not args.pagefind:
            queries = list(dict.fromkeys(q for q, _ in cases))[:: args.every]
            first_queries(browser, base, queries)
        browser.close()


if __name__ == "__main__":
    main()
