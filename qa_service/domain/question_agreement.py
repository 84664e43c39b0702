"""How often reviewers agree with the language model's answers, per evaluation question, and
the ``yes_threshold`` their verdicts point to.

A reviewer's verdict on an answer is a label: a confirmed "yes" was a yes, an overturned "yes"
a no. Questions are ranked by agreement, lowest first, and one under the centre's bar (with
enough reviews to say so) is flagged for rewording. Where the model's probability of "yes"
was recorded (the embedded backend), the verdicts also choose the cut on it that would have
agreed with the reviewers best: the same choice bench/llm_questions.py ``--calibrate`` makes
on labelled dialogues, made here on the centre's own calls.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from qa_service.domain.llm_questions import yes_share_of

# Below this many answers of each label, accuracy cannot place a cut: the cut keeps false
# alarms at FALSE_ALARM_RATE of the answers labelled "no" instead.
MIN_PER_LABEL = 10
FALSE_ALARM_RATE = 0.05


@dataclass(frozen=True, slots=True)
class ReviewedAnswer:
    """One answer of the model and the reviewer's verdict on it."""

    rule_id: str
    question: str
    answer: str
    verdict: str  # confirmed / overturned
    p_yes: float | None = None  # yes's share of yes + no where the backend read it


@dataclass(slots=True)
class QuestionAgreement:
    rule_id: str
    question: str
    confirmed: int = 0
    overturned: int = 0
    needs_rewording: bool = False
    suggested_threshold: dict[str, Any] | None = None
    pairs: list[tuple[int, float]] = field(default_factory=list, repr=False)

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.overturned

    @property
    def agreement(self) -> float | None:
        return self.confirmed / self.reviewed if self.reviewed else None

    def to_dict(self) -> dict[str, Any]:
        agreement = self.agreement
        return {
            "rule_id": self.rule_id,
            "question": self.question,
            "reviewed": self.reviewed,
            "confirmed": self.confirmed,
            "overturned": self.overturned,
            "agreement": None if agreement is None else round(agreement, 4),
            "needs_rewording": self.needs_rewording,
            "suggested_yes_threshold": self.suggested_threshold,
        }


def _accuracy_at(pairs: list[tuple[int, float]], cut: float) -> float:
    return sum((p >= cut) == bool(label) for label, p in pairs) / len(pairs)


def choose_threshold(pairs: list[tuple[int, float]]) -> dict[str, Any]:
    """A yes-threshold from (label 1 yes / 0 no, p(yes)) pairs, and how it was chosen.

    With at least ``MIN_PER_LABEL`` of each label: the cut with the best accuracy (midway
    between the two scores around it; among equally good cuts, the middle one). Otherwise
    the lowest cut that answers "yes" on at most ``FALSE_ALARM_RATE`` of the "no" ones.
    """
    yes = sorted(p for label, p in pairs if label)
    no = sorted(p for label, p in pairs if not label)
    if not no:
        return {"threshold": None, "how": "no answer labelled no"}
    if len(yes) >= MIN_PER_LABEL and len(no) >= MIN_PER_LABEL:
        scores = sorted({p for _, p in pairs})
        cuts = [(a + b) / 2 for a, b in itertools.pairwise(scores)] or scores
        best = max(_accuracy_at(pairs, c) for c in cuts)
        tied = [c for c in cuts if _accuracy_at(pairs, c) == best]
        cut = tied[len(tied) // 2]
        return {"threshold": round(cut, 3), "how": "best accuracy", "accuracy": round(best, 3)}
    allowed = int(FALSE_ALARM_RATE * len(no))
    # Above the (allowed + 1)-th highest "no": at most ``allowed`` of them reach the cut.
    cut = min(0.999, no[len(no) - 1 - allowed] + 0.001)
    return {
        "threshold": round(cut, 3),
        "how": f"false alarms on at most {FALSE_ALARM_RATE:.0%} of the 'no' labels",
        "accuracy": round(_accuracy_at(pairs, cut), 3),
    }


def yes_share(evidence: dict[str, Any] | None) -> float | None:
    """The model's probability of yes among yes and no in an answer's evidence, whatever it
    answered; None where the backend read no probabilities."""
    shares = (evidence or {}).get("probabilities")
    if not isinstance(shares, dict):
        return None
    yes, no = shares.get("yes"), shares.get("no")
    if not isinstance(yes, int | float) or not isinstance(no, int | float):
        return None
    share = yes_share_of({"yes": float(yes), "no": float(no)})
    return None if share is None else round(share, 4)


def reviewed_label(answer: str, verdict: str) -> int | None:
    """1 where the reviewers' answer was "yes", 0 where it was "no"; None where the verdict
    does not say (a not_applicable answer, overturned, could have been either)."""
    if answer not in ("yes", "no"):
        return None
    return int((answer == "yes") == (verdict == "confirmed"))


def question_agreement(
    answers: Iterable[ReviewedAnswer], *, min_agreement: float, min_reviews: int
) -> list[QuestionAgreement]:
    """Per question: verdicts counted, the flag, and a threshold where p(yes) was read;
    lowest agreement first (questions with too few reviews to judge last)."""
    found: dict[str, QuestionAgreement] = {}
    for a in answers:
        row = found.setdefault(a.rule_id, QuestionAgreement(a.rule_id, a.question))
        if a.verdict == "confirmed":
            row.confirmed += 1
        elif a.verdict == "overturned":
            row.overturned += 1
        label = reviewed_label(a.answer, a.verdict)
        if label is not None and a.p_yes is not None:
            row.pairs.append((label, a.p_yes))
    for row in found.values():
        enough = row.reviewed >= min_reviews
        row.needs_rewording = enough and (row.agreement or 0.0) < min_agreement
        if enough and row.pairs:
            row.suggested_threshold = choose_threshold(row.pairs) | {"answers": len(row.pairs)}
    return sorted(
        found.values(),
        key=lambda r: (r.reviewed < min_reviews, r.agreement or 0.0, r.rule_id),
    )
