"""How bench/pii_listen.py scores a set before and after the second listen: masked recall
per type (a group of the label's type found and no digit of the call left), the whole-number
count, precision by type and negatives masked, as bench/pii_pool.py counts them; and the first
pass's ASR seconds, read from the set's generation log."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pii import left_digits, matches, predicted
from pii_pool import print_table

from qa_service.domain.pii import detect


def score(cases: list[dict], stats: dict[str, Counter], negatives: Counter, show: str) -> None:
    for case in cases:
        utterances = case["utterances"]
        preds = predicted(utterances, detect(utterances, case["language"]))
        kinds = {label["type"] for label in case["labels"]}
        left = left_digits(case, detect)
        for label in case["labels"]:
            found = any(p[0] == label["type"] for p in preds) and not left
            stats[label["type"]]["labels"] += 1
            stats[label["type"]]["found"] += found
            stats[label["type"]]["whole"] += any(matches(label, p) for p in preds)
            if show and not found:
                print(show, "LEAK", case["id"], label, left, [u["text"] for u in utterances])
        for kind, digits, _ in preds:
            stats[kind]["predicted"] += 1
            stats[kind]["correct"] += kind in kinds
            if show and kind not in kinds:
                print(show, "FALSE", case["id"], kind, digits, [u["text"] for u in utterances])
        if not case["labels"]:
            negatives["cases"] += 1
            negatives["masked"] += bool(preds)


def first_pass_asr_seconds(seed: int, lang: str = "zh") -> float | None:
    """The ASR seconds of the set's generation (its log's last line), if the log is kept
    (/tmp/gen_<seed>.log; English sets: /tmp/gen_en_<seed>.log)."""
    log = Path(f"/tmp/gen_{seed}.log" if lang == "zh" else f"/tmp/gen_{lang}_{seed}.log")
    if not log.exists():
        return None
    found = re.findall(r"ASR ([\d.]+) s for", log.read_text("utf-8", "replace"))
    return float(found[-1]) if found else None


def table(title: str, stats: dict[str, Counter], negatives: Counter) -> None:
    print(f"\n{title}")
    print_table(stats, negatives, whole=True)
