"""The default questions on STC-3 dialogues labelled by reading (issue 17's "100 dialogues").

``bench/data/stc3_question_labels.jsonl`` holds, for 100 dialogues of dev_zh.jsonl, a reader's
answer to each default question other than "problem resolved" (that one is measured against
the raters' A); ``bench/data/stc3_question_labels.md`` is the guideline the readers followed.
Each question is asked of each dialogue with the model, and the report gives, per question:
exact-answer accuracy against the labels, the majority-label baseline, how often the model
said each answer, and the AUC of its probability of "yes" on the dialogues labelled yes or no.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from llm_questions import SHARED, _cost, answer_score, ask, auc, chat_transcript, p_yes

# Label field -> the standard scorecard's question item.
LABELLED_QUESTIONS = {
    "correct_information": "q-correct-information",
    "deflection": "q-deflection",
    "empathy": "q-empathy",
    "risk_disclosure": "q-risk-disclosure",
    "rude_tone": "q-rude-tone",
}
ANSWERS = ("yes", "no", "not_applicable")


def load_labels(path: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        for field in LABELLED_QUESTIONS:
            if row.get(field) not in ANSWERS:
                raise SystemExit(f"{path}: dialogue {row.get('id')}: {field}={row.get(field)!r}")
    return rows


def dialogues_by_id(ids: set[str]) -> dict[str, dict[str, Any]]:
    found = {}
    with (SHARED / "dialogues" / "stc3" / "dev_zh.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            dialogue = json.loads(line)
            if str(dialogue["id"]) in ids:
                found[str(dialogue["id"])] = dialogue
    return found


def label_report(rows: list[tuple[str, dict[str, Any] | None]]) -> dict[str, Any]:
    """One question: ``rows`` are (the label, the answer's evidence or None if unanswered)."""
    answers = [e["answer"] if e else None for _, e in rows]
    right = sum(answer == label for (label, _), answer in zip(rows, answers, strict=True))
    labels = Counter(label for label, _ in rows)
    ranked = [(label, e) for label, e in rows if label != "not_applicable"]
    scored = [(int(label == "yes"), answer_score(e)) for label, e in ranked]
    scored = [(label, s) for label, s in scored if s is not None]
    return {
        "dialogues": len(rows),
        "labels": dict(labels),
        "accuracy": round(right / len(rows), 3) if rows else None,
        "majority_baseline": round(max(labels.values()) / len(rows), 3) if rows else None,
        "answers": dict(Counter(str(a) for a in answers)),
        "auc_probability_yes_vs_no": auc(scored),
    }


def bench_labelled(
    model, items, path: Path, window_chars: int, part: tuple[int, int] = (0, 1)
) -> dict[str, Any]:
    """Every labelled question on every labelled dialogue (``part``: the k-th of m slices)."""
    labelled = load_labels(path)
    labelled = labelled[part[0] :: part[1]]
    dialogues = dialogues_by_id({str(r["id"]) for r in labelled})
    asked = [i for i in items if i.id in LABELLED_QUESTIONS.values()]
    per_question: dict[str, list[tuple[str, dict[str, Any] | None]]] = {
        q: [] for q in LABELLED_QUESTIONS
    }
    usages, raw = [], []
    for row in labelled:
        answers, usage = ask(model, asked, chat_transcript(dialogues[str(row["id"])]), window_chars)
        usages.append(usage)
        for field, question in LABELLED_QUESTIONS.items():
            per_question[field].append((row[field], answers.get(question)))
        raw.append({"id": row["id"], **{q: _shown(answers.get(q)) for q in answers}})
        print(f"labelled {row['id']}: {raw[-1]} {usage}", file=sys.stderr, flush=True)
    return {
        "questions": {f: label_report(rows) for f, rows in per_question.items()},
        **_cost(usages),
        "answers": raw,
        "labels": [{"id": r["id"], **{f: r[f] for f in LABELLED_QUESTIONS}} for r in labelled],
    }


def _shown(evidence: dict[str, Any] | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    return {"answer": evidence.get("answer"), "p_yes": p_yes(evidence)}
