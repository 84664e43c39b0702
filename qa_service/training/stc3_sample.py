"""Which STC-3 messages to label for training the call-act model, drawn reproducibly.

The benches draw dialogues from the same files (``bench/dialogue_quality.py``: the first
``--limit`` of a seeded shuffle). Messages to train on come only from dialogues outside the
first ``BENCH_RESERVE`` of that shuffle in either language and outside the held-out split, so
no bench figure is measured on a dialogue the model learnt from. Run as
``python -m qa_service.training.stc3_sample OUT.json`` to write the draw (texts included:
keep it outside the repository), label it by reading (``key<TAB>acts`` lines, acts comma-
separated or ``-``), then ``... --labels LABELS.txt [...] train_stc3.jsonl`` writes the
references that training reads (no text: it stays in ../shared).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path

from qa_service.domain.checks.acts import CALL_ACTS
from qa_service.errors import InputError
from qa_service.training.acts_data import DATA_DIR, HELDOUT_STC3, NONE_MARK

BENCH_SEED = 1
BENCH_RESERVE = 1000  # dialogues per language kept for benches (--limit up to this)


def shuffled_positions(count: int, seed: int) -> list[int]:
    """The order in which the benches draw a file's dialogues."""
    positions = list(range(count))
    random.Random(seed).shuffle(positions)
    return positions


def read_dialogues(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def reserved_ids(stc3_dir: Path) -> set[str]:
    """Dialogues a bench may draw or the held-out split holds: never trained on."""
    ids: set[str] = set()
    for lang in ("zh", "en"):
        rows = read_dialogues(stc3_dir / f"dev_{lang}.jsonl")
        ids.update(rows[k]["id"] for k in shuffled_positions(len(rows), BENCH_SEED)[:BENCH_RESERVE])
    heldout = (DATA_DIR / HELDOUT_STC3).read_text(encoding="utf-8").splitlines()
    ids.update(json.loads(line)["dialogue"] for line in heldout if line.strip())
    return ids


def draw(stc3_dir: Path, count: int, seed: int) -> list[dict]:
    """``count`` zh messages of the trainable dialogues, weighted towards the ones that matter.

    Customers' messages count twice (moods and complaints are theirs), badly rated dialogues
    1.6 times (the rarer acts live there), and dialogues with an English translation 1.5 times
    (their labels serve both languages).
    """
    reserved = reserved_ids(stc3_dir)
    translated = {d["id"] for d in read_dialogues(stc3_dir / "dev_en.jsonl")}
    items = [
        (d, t, u, turn["sender"], text)
        for d in read_dialogues(stc3_dir / "dev_zh.jsonl")
        if d["id"] not in reserved
        for t, turn in enumerate(d["turns"])
        for u, text in enumerate(turn["utterances"])
        if text.strip()
    ]
    weights = [_weight(d, sender, translated) for d, _, _, sender, _ in items]
    rng = random.Random(seed)
    chosen: set[int] = set()
    while len(chosen) < min(count, len(items)):
        chosen.add(rng.choices(range(len(items)), weights)[0])
    order = sorted(chosen, key=lambda _: rng.random())
    return [
        {"key": n, "dialogue": items[k][0]["id"], "turn": items[k][1], "utterance": items[k][2],
         "sender": items[k][3], "text": items[k][4]}
        for n, k in enumerate(order)
    ]  # fmt: skip


def places(drawn: Sequence[dict]) -> set[tuple[str, int, int]]:
    """(dialogue, turn, utterance) of each drawn message."""
    return {(d["dialogue"], d["turn"], d["utterance"]) for d in drawn}


def keyed_in_order(items: list[dict], seed: int) -> list[dict]:
    """``items`` shuffled by ``seed``, each with its key (its place in that order)."""
    random.Random(seed).shuffle(items)
    return [{**item, "key": n} for n, item in enumerate(items)]


def draw_english(stc3_dir: Path, seed: int, zh_drawn: Sequence[dict]) -> list[dict]:
    """Every English message of the trainable dialogues that the zh draw does not cover.

    Translation changes tone (blunt, literal wording), so English labels read from the
    English text teach what the copied zh labels cannot; the pool is small enough to take whole.
    """
    reserved = reserved_ids(stc3_dir)
    covered = places(zh_drawn)
    items = [
        {"dialogue": d["id"], "turn": t, "utterance": u, "sender": turn["sender"], "text": text}
        for d in read_dialogues(stc3_dir / "dev_en.jsonl")
        if d["id"] not in reserved
        for t, turn in enumerate(d["turns"])
        for u, text in enumerate(turn["utterances"])
        if text.strip() and (d["id"], t, u) not in covered
    ]
    return keyed_in_order(items, seed)


def draw_ends(stc3_dir: Path, seed: int, zh_drawn: Sequence[dict]) -> list[dict]:
    """The customer's last zh message of every trainable dialogue the zh draw does not cover.

    How the customer leaves carries most of the score, and a calm last report read as a
    complaint is the audits' commonest wrong finding: these are the messages that decide it.
    """
    reserved = reserved_ids(stc3_dir)
    covered = places(zh_drawn)
    items = []
    for d in read_dialogues(stc3_dir / "dev_zh.jsonl"):
        said = [
            (t, u, text)
            for t, turn in enumerate(d["turns"])
            if turn["sender"] == "customer"
            for u, text in enumerate(turn["utterances"])
            if text.strip()
        ]
        if d["id"] in reserved or not said or (d["id"], *said[-1][:2]) in covered:
            continue
        t, u, text = said[-1]
        items.append(
            {"dialogue": d["id"], "turn": t, "utterance": u, "sender": "customer", "text": text}
        )
    return keyed_in_order(items, seed)


def _weight(dialogue: dict, sender: str, translated: set[str]) -> float:
    badly_rated = dialogue["quality_mean"]["S"] <= -0.5
    return (
        (2.0 if sender == "customer" else 1.0)
        * (1.6 if badly_rated else 1.0)
        * (1.5 if dialogue["id"] in translated else 1.0)
    )


def label_refs(
    drawn: Sequence[dict], labels: dict[int, list[str]], translated: set[str], langs: Sequence[str]
) -> list:
    """Training references: each labelled message in ``langs`` (its translation when there)."""
    rows = []
    for item in drawn:
        if item["key"] not in labels:
            continue
        for lang in langs:
            if lang == "en" and item["dialogue"] not in translated:
                continue
            rows.append(
                {"lang": lang, "dialogue": item["dialogue"], "turn": item["turn"],
                 "utterance": item["utterance"], "acts": labels[item["key"]]}
            )  # fmt: skip
    return sorted(rows, key=lambda r: (r["lang"], r["dialogue"], r["turn"], r["utterance"]))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--stc3", type=Path, default=Path("../shared/data/dialogues/stc3"))
    parser.add_argument("--count", type=int, default=1600)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--labels", type=Path, nargs="*", help="label files: write references")
    parser.add_argument(
        "--english", type=int, metavar="SEED",
        help="draw the English messages the zh draw leaves (labelled from the English text)",
    )  # fmt: skip
    parser.add_argument(
        "--ends", type=int, metavar="SEED",
        help="draw the customers' last zh messages the zh draw leaves (zh labels only)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    drawn = draw(args.stc3, args.count, args.seed)
    langs = ("zh", "en")
    if args.english is not None:
        drawn, langs = draw_english(args.stc3, args.english, drawn), ("en",)
    elif args.ends is not None:
        drawn, langs = draw_ends(args.stc3, args.ends, drawn), ("zh",)
    if not args.labels:
        args.out.write_text(json.dumps(drawn, ensure_ascii=False))
        print(f"{len(drawn)} messages written to {args.out}")
        return
    labels = {k: v for path in args.labels for k, v in read_labels(path).items()}
    translated = {d["id"] for d in read_dialogues(args.stc3 / "dev_en.jsonl")}
    refs = label_refs(drawn, labels, translated, langs)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in refs))
    print(f"{len(refs)} labelled references written to {args.out}")


def read_labels(path: Path) -> dict[int, list[str]]:
    """``key<TAB>acts`` lines -> acts in the model's order; unknown acts are an error."""
    labels: dict[int, list[str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        key, _, acts = line.partition("\t")
        named = set() if acts.strip() == NONE_MARK else {a.strip() for a in acts.split(",")}
        if unknown := named - set(CALL_ACTS):
            raise InputError(f"{path.name}:{number}: unknown act(s) {sorted(unknown)}")
        labels[int(key)] = [a for a in CALL_ACTS if a in named]
    return labels


if __name__ == "__main__":
    main()
