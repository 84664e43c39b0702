"""Answers read from the model's probabilities alone, and yes-thresholds chosen from labels.

``ProbeOnlyModel`` wraps a backend that reads next-token probabilities (the embedded one): its
reply is the answer the model would write first (or the one the schema holds it to, as a
``yes_threshold`` does), with no justification generated. The answers and probabilities are
those of a full reply (both are read where the reply writes its answer), at the cost of
reading the prompt only, so a labelled set can be scored for choosing thresholds in minutes
instead of hours. Its justification is a placeholder: never use it for anything but a bench.
A question whose answer rests on its cited lines (``cited_check``) needs the lines a real
reply cites: its questions (``full_replies``, their texts) are answered by the wrapped model.

``thresholds_from_reports`` picks each question's ``yes_threshold`` from the reports' (label,
p(yes)) pairs with ``domain.question_agreement.choose_threshold``, as the product does from
reviewers' verdicts.
"""

from __future__ import annotations

import json
import time
from typing import Any

from qa_service.domain.question_agreement import choose_threshold
from qa_service.engines.llm import Completion

PROBE_JUSTIFICATION = "(probe: answer read from the model's probabilities, no reply written)"


class ProbeOnlyModel:
    parallel_requests = 1  # it reads the wrapped model's probabilities, one call at a time

    def __init__(self, model: Any, full_replies: frozenset[str] = frozenset()) -> None:
        self.model = model
        self.name = f"{model.name} (probe only)"
        self.full_replies = full_replies

    def choice_probabilities(
        self, messages: list[dict[str, str]], field: str, options: list[str]
    ) -> dict[str, float] | None:
        return self.model.choice_probabilities(messages, field, options)

    def answer(self, messages, json_schema=None, *, max_tokens: int = 256) -> Completion:
        if json_schema is None:
            raise ValueError("the probe answers schema-held questions only")
        asked = messages[-1]["content"] if messages else ""
        if any(f"Question: {q}\n" in asked for q in self.full_replies):
            return self.model.answer(messages, json_schema, max_tokens=max_tokens)
        options = json_schema["properties"]["answer"]["enum"]
        started = time.perf_counter()
        shares = self.model.choice_probabilities(messages, "answer", list(options))
        if shares is None:
            raise ValueError(f"{self.model.name} reads no probabilities: nothing to probe")
        answer = options[0] if len(options) == 1 else max(options, key=lambda o: shares[o])
        cited = json_schema["properties"]["cited"]["items"]["enum"][:1]
        text = json.dumps({"answer": answer, "justification": PROBE_JUSTIFICATION, "cited": cited})
        seconds = time.perf_counter() - started
        probabilities = {"answer": shares} if len(options) > 1 else {}
        return Completion(text, 0, 0, seconds, self.name, probabilities=probabilities)


def labelled_pairs(reports: list[dict[str, Any]]) -> dict[str, list[tuple[int, float]]]:
    """(label, p(yes)) per question from bench reports: the STC-3 resolution sample (label:
    the raters' A), the dialogues labelled by reading (yes/no labels only) and the tuning
    calls (``--tuning-calls``; the shared calls' section is the test, never read here)."""
    from llm_labelled import LABELLED_QUESTIONS
    from llm_questions import RESOLVED

    pairs: dict[str, list[tuple[int, float]]] = {}
    seen: set[tuple[str, str]] = set()  # a dialogue drawn by two samples counts once
    for report in reports:
        for row in (report.get("stc3_dev_zh") or {}).get("raw", []):
            if row["p_yes"] is not None and (RESOLVED, str(row["id"])) not in seen:
                seen.add((RESOLVED, str(row["id"])))
                pairs.setdefault(RESOLVED, []).append((row["label"], row["p_yes"]))
        for row in (report.get("tuning_calls") or {}).get("raw", []):
            if row["p_yes"] is not None:
                pairs.setdefault(row["question"], []).append((row["label"], row["p_yes"]))
        labelled = report.get("stc3_labelled") or {}
        labels = {str(r["id"]): r for r in labelled.get("labels", [])}
        for row in labelled.get("answers", []):
            for field, question in LABELLED_QUESTIONS.items():
                label, shown = labels[str(row["id"])][field], row.get(question)
                if label in ("yes", "no") and shown and shown["p_yes"] is not None:
                    pairs.setdefault(question, []).append((int(label == "yes"), shown["p_yes"]))
    return pairs


def thresholds_from_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        question: {"dialogues": len(rows), "labelled_yes": sum(label for label, _ in rows)}
        | choose_threshold(rows)
        for question, rows in sorted(labelled_pairs(reports).items())
    }
