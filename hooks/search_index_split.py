"""Split the search index: what lunr needs when search opens, the text readers see later.

Opening search downloads search_index.json. Up front the search worker needs only which
terms each section has and how often (lunr's term frequencies), not its text:
- `config.split.terms`: every term once, sorted, each line saying how much it shares with
  the line before (one character, chr(48 + n), n in UTF-16 units as JavaScript counts)
  and then the rest;
- `config.split.postings`: for each term in that order, the sections that have it (gaps
  between section numbers) and, after `!`, its count where above 1;
- each section's text goes to search/text/<hash>/<n>.json (`config.split.text`; the hash
  of all texts, so that an index cached from an older build never reads newer texts), which
  the query wrapper (overrides/assets/javascripts/workers/search-wrapper.js) fetches for
  the results it shows.
The terms are cut as Material's tokenizer cuts them (text between tags, split by the
search separator read as JavaScript reads it, lowercased), so lunr indexes the same terms
as before.

The offline build (file://, no fetch) keeps the whole index in one file.
"""

import hashlib
import json
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path

TAG = re.compile(r"<[^>]*>")
# Number digits: printable ASCII that JSON leaves alone, not space and not "!". A number is
# written most significant first; its last digit is one of the first half.
DIGITS = [chr(c) for c in range(0x23, 0x7F) if chr(c) != "\\"]
BASE = len(DIGITS) // 2
MAX_SHARED = 78  # chr(48 + 78) is "~"
# What JavaScript's \s and \d match (Python's also match \x1c-\x1f, \x85, other digits).
JS_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
JS_ESCAPES = {"\\s": JS_SPACE, "\\d": "0-9"}  # as they read inside a class [...]
JS_PARTS = re.compile(r"\[(?:\\.|[^\]\\])*\]|\\.")  # a class, or one escape outside one


def javascript_regex(pattern: str) -> re.Pattern:
    """The search separator, matching in Python what it matches in JavaScript."""

    def rewrite(match: re.Match) -> str:
        part = match.group()
        if part.startswith("["):
            escaped = re.sub(r"\\.", lambda e: JS_ESCAPES.get(e.group(), e.group()), part[1:-1])
            return f"[{escaped}]"
        return f"[{JS_ESCAPES[part]}]" if part in JS_ESCAPES else part

    return re.compile(JS_PARTS.sub(rewrite, pattern))


def terms(html: str, separator: re.Pattern) -> list[str]:
    """The terms Material's tokenizer indexes for one field, in order."""
    return [word.lower() for part in TAG.split(html) for word in separator.split(part) if word]


def number(value: int) -> str:
    digits = DIGITS[value % BASE]
    value //= BASE
    while value:
        value, digit = divmod(value, BASE)
        digits = DIGITS[BASE + digit] + digits
    return digits


def front_coded(vocabulary: list[str]) -> str:
    lines, previous = [], ""
    for term in vocabulary:
        shared = 0  # characters; JavaScript counts UTF-16 units (two for 𝑥)
        limit = min(len(term), len(previous))
        while (
            shared < limit
            and term[shared] == previous[shared]
            and utf16(term[: shared + 1]) <= MAX_SHARED
        ):
            shared += 1
        lines.append(chr(48 + utf16(term[:shared])) + term[shared:])
        previous = term
    return "\n".join(lines)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def postings(counts: list[Counter], vocabulary: list[str]) -> str:
    sections = defaultdict(list)
    for section, count in enumerate(counts):
        for term, times in count.items():
            sections[term].append((section, times))
    lists = []
    for term in vocabulary:
        entries, previous = [], 0
        for section, times in sections[term]:
            entries.append(number(section - previous) + (f"!{number(times)}" if times > 1 else ""))
            previous = section
        lists.append("".join(entries))
    return " ".join(lists)


def split(index: dict) -> tuple[dict, list[str]]:
    """The up-front index and the text of each section, by position."""
    separator = javascript_regex(index["config"]["separator"])
    counts = [Counter(terms(doc["text"], separator)) for doc in index["docs"]]
    vocabulary = sorted({term for count in counts for term in count})
    docs = [{key: value for key, value in doc.items() if key != "text"} for doc in index["docs"]]
    config = {
        **index["config"],
        "split": {
            "terms": front_coded(vocabulary),
            "postings": postings(counts, vocabulary),
            "text": "search/text/",
        },
    }
    texts = [doc["text"] for doc in index["docs"]]
    digest = hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode()).hexdigest()[:12]
    config["split"]["text"] = f"search/text/{digest}/"
    return {"config": config, "docs": docs}, texts


def whole(index: dict, site_dir: Path) -> dict:
    """A split index put back together with its text files (for `mkdocs serve`, whose
    rebuild of some pages takes the other pages' entries from the previous index)."""
    if "split" not in index["config"]:
        return index
    config = {key: value for key, value in index["config"].items() if key != "split"}
    folder = site_dir / index["config"]["split"]["text"]
    docs = [
        {**doc, "text": json.loads((folder / f"{n}.json").read_text("utf-8"))}
        for n, doc in enumerate(index["docs"])
    ]
    return {"config": config, "docs": docs}


def on_post_build(config) -> None:
    from hooks.offline_build import offline  # the repo root is on sys.path from on_config

    path = Path(config.site_dir) / "search" / "search_index.json"
    if offline(config) or not path.is_file():
        return
    index, texts = split(json.loads(path.read_text(encoding="utf-8")))
    shutil.rmtree(path.parent / "text", ignore_errors=True)  # an earlier build's
    folder = Path(config.site_dir) / index["config"]["split"]["text"]
    folder.mkdir(parents=True)
    for i, text in enumerate(texts):
        (folder / f"{i}.json").write_text(json.dumps(text, ensure_ascii=False), "utf-8")
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), "utf-8")
