"""Personal names and street addresses: what libraries installable from PyPI, running on the
CPU without downloading a model, find in call sentences (issue 14). Not wired into the
detector; the figures decide whether one is.

    pip install -e '.[bench]'   # pyap; jieba is a dependency already
    python bench/pii_names.py [--show]

The set (bench/data/pii_names.json, 48 sentences written for this check, zh and en): names
and addresses as callers say them, and negatives holding place names, brands and words a
tagger may take for names. A label is found when a hit of its type overlaps it; a hit that
overlaps no label of its type is false.

- zh: jieba's part-of-speech tags (``nr`` person name; an address is a place name ``ns``
  and the nouns, numbers and measure words after it).
- en addresses: pyap (street addresses of the US, Canada and the UK, by pattern).
- en names: nothing on PyPI does it offline (spaCy's models and NLTK's chunker data are
  downloads; Presidio needs a spaCy model).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

SET = Path(__file__).resolve().parent / "data" / "pii_names.json"
# Tags that go on an address after its place name: nouns, numbers, measure words, letters.
_ADDRESS_TAIL = {"ns", "nr", "n", "m", "q", "nz", "s", "f", "eng", "nrt", "ng", "nt", "j"}

Hit = tuple[str, int, int]  # type, start, end


def jieba_hits(text: str) -> list[Hit]:
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(60)
    hits: list[Hit] = []
    pos, address = 0, None
    for word, flag in pseg.cut(text):
        start, end = pos, pos + len(word)
        pos = end
        if address is not None and (flag in _ADDRESS_TAIL or (word.isascii() and word.isalnum())):
            address = (address[0], end)
            continue
        if address is not None:
            hits.append(("ADDRESS", *address))
            address = None
        if flag == "ns":
            address = (start, end)
        elif flag in ("nr", "nrfg"):
            hits.append(("NAME", start, end))
    if address is not None:
        hits.append(("ADDRESS", *address))
    return hits


def pyap_hits(text: str) -> list[Hit]:
    import pyap

    hits: list[Hit] = []
    for country in ("US", "GB", "CA"):
        for address in pyap.parse(text, country=country):
            found = text.find(address.full_address)
            if found >= 0:
                hits.append(("ADDRESS", found, found + len(address.full_address)))
    return hits


def score(cases: list[dict], hits_of, show: bool) -> dict[str, Counter]:
    stats: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        text = case["text"]
        spans = []
        for label in case["labels"]:
            at = text.find(label["text"])
            spans.append((label["type"], at, at + len(label["text"])))
        hits = hits_of(text)
        for kind, s, e in spans:
            ok = any(h[0] == kind and h[1] < e and s < h[2] for h in hits)
            stats[kind]["labels"] += 1
            stats[kind]["found"] += ok
        for kind, s, e in hits:
            ok = any(k == kind and s < le and ls < e for k, ls, le in spans)
            stats[kind]["hits"] += 1
            stats[kind]["correct"] += ok
            if show and not ok:
                print("FALSE", kind, repr(text[s:e]), "in", repr(text))
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="print each false hit")
    args = parser.parse_args()
    cases = json.loads(SET.read_text("utf-8"))
    print("| language, library | type | labels | recall | hits | precision |")
    print("|---|---|---|---|---|---|")
    for language, name, hits_of in (("zh", "jieba", jieba_hits), ("en", "pyap", pyap_hits)):
        chosen = [c for c in cases if c["language"] == language]
        for kind, s in sorted(score(chosen, hits_of, args.show).items()):
            recall = s["found"] / s["labels"] if s["labels"] else float("nan")
            precision = s["correct"] / s["hits"] if s["hits"] else float("nan")
            print(
                f"| {language}, {name} | {kind} | {s['labels']} | {recall:.2f} | {s['hits']} "
                f"| {precision:.2f} |"
            )


if __name__ == "__main__":
    main()
