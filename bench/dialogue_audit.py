"""Blind audit of findings on STC-3 dialogues: draw, show with their lines, count judgements.

A record names a finding by dialogue id, language, rule, category and the utterances it
covers (transcript index and STC-3 ``[turn, message]``), with a short matched span only, so
a judged file can be kept in the repository without copying the dialogues. The judge
fills ``judgement`` (``correct`` or ``incorrect``) and ``why``; ``--audit-show`` prints each
record with its neighbour lines from the data, ``--audit-file`` the precision per category.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dialogue_quality import Scored

    from qa_service.domain.results import CallResult, Finding

SPAN_CHARS = 40
CONTEXT = 1  # neighbour utterances shown on each side
ANSWER_LINES = 2  # the other party's lines shown after the marked ones
LINE_CHARS = 240
JUDGEMENTS = ("correct", "incorrect")


def finding_utterances(result: CallResult, finding: Finding) -> tuple[int, int]:
    """First and last transcript utterance a finding covers."""
    index = finding.evidence.get("utterance")
    if isinstance(index, int):
        return index, index
    inside = [
        i
        for i, u in enumerate(result.transcript.utterances)
        if finding.start is not None
        and finding.end is not None
        and u.start >= finding.start - 1e-6
        and u.end <= finding.end + 1e-6
        and (finding.role is None or u.role == finding.role)
    ]
    return (inside[0], inside[-1]) if inside else (0, len(result.transcript.utterances) - 1)


def _span(finding: Finding) -> str:
    text = finding.evidence.get("matched") or finding.text
    return str(text)[:SPAN_CHARS]


def sample(scored: list[Scored], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` findings drawn uniformly from every finding of every dialogue."""
    return draw(pool(scored), n, seed)


def draw(everything: list[dict[str, Any]], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` records drawn uniformly from a pool, numbered in the order drawn.

    Pools written per language and read back in order give the same draw as one run over
    both languages (``--audit-pool`` then ``--audit-from``).
    """
    picked = random.Random(seed).sample(everything, min(n, len(everything)))
    return [{**record, "n": number} for number, record in enumerate(picked)]


def pool(scored: list[Scored]) -> list[dict[str, Any]]:
    """Every finding of every dialogue as an unjudged record, in dialogue order."""
    everything = [(row, k) for row in scored for k in range(len(row.result.findings))]
    records = []
    for row, k in everything:
        finding = row.result.findings[k]
        first, last = finding_utterances(row.result, finding)
        utts = row.result.transcript.utterances
        records.append(
            {
                "n": None,
                "dialogue": row.result.call_id,
                "lang": row.result.transcript.language,
                "rule_id": finding.rule_id,
                "category": finding.category,
                "severity": finding.severity,
                "role": finding.role,
                "utterances": [first, last],
                "turns": [utts[first].extra.get("turn"), utts[last].extra.get("turn")],
                "span": _span(finding),
                "judgement": None,
                "why": "",
            }
        )
    return records


def write_records(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_records(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def show(records: list[dict[str, Any]], data: Path) -> None:
    """Each record with the lines it covers and their neighbours, for the judge to read."""
    from dialogue_quality import to_transcript

    transcripts: dict[tuple[str, str], dict[str, Any]] = {}
    for language in sorted({r["lang"] for r in records}):
        wanted = {r["dialogue"] for r in records if r["lang"] == language}
        with (data / f"dev_{language}.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                dialogue = json.loads(line)
                if str(dialogue["id"]) in wanted:
                    key = (language, str(dialogue["id"]))
                    transcripts[key] = to_transcript(dialogue, language)
    for record in records:
        utts = transcripts[(record["lang"], record["dialogue"])]["utterances"]
        first, last = record["utterances"]
        print(
            f"#{record['n']} {record['lang']} {record['dialogue']} {record['category']} "
            f"({record['rule_id']}, {record['role']}) span={record['span']!r}"
        )
        for i in range(max(0, first - CONTEXT), _context_end(utts, last)):
            marked = first <= i <= last
            # A judge must read the whole of a marked line: v25's judges had to rule on two
            # English findings from the part before the cut (a line runs to 500 characters).
            text = utts[i]["text"] if marked else utts[i]["text"][:LINE_CHARS]
            print(f"  {'>' if marked else ' '}{i:>2} {utts[i]['role']:<8} {text}")
        print()


def _context_end(utts: list[dict[str, Any]], last: int) -> int:
    """One line past the marked ones, and on until the other party has said two lines.

    A finding about a missing answer (empathy after a complaint) is judged by the answer: the
    judge must see the other party's next lines, however many messages the customer adds.
    """
    role = utts[last]["role"]
    end, answers = last + 1, 0
    while end < len(utts) and (end <= last + CONTEXT or answers < ANSWER_LINES):
        answers += utts[end]["role"] != role
        end += 1
    return end


def precision(records: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Per category: (correct, judged); unjudged records are left out."""
    judged = [r for r in records if r.get("judgement") in JUDGEMENTS]
    totals = Counter(r["category"] for r in judged)
    correct = Counter(r["category"] for r in judged if r["judgement"] == "correct")
    return {category: (correct[category], totals[category]) for category in totals}


def print_precision(records: list[dict[str, Any]]) -> None:
    table = precision(records)
    unjudged = sum(1 for r in records if r.get("judgement") not in JUDGEMENTS)
    print(f"{'category':<26} {'judged':>6} {'correct':>7} {'precision':>9}")
    for category, (correct, total) in sorted(table.items(), key=lambda kv: -kv[1][1]):
        print(f"{category:<26} {total:6d} {correct:7d} {correct / total:9.2f}")
    judged = sum(total for _, total in table.values())
    right = sum(correct for correct, _ in table.values())
    if judged:
        print(f"{'all':<26} {judged:6d} {right:7d} {right / judged:9.2f}")
    if unjudged:
        print(f"({unjudged} records not judged yet)")
