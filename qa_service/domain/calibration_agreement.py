"""A calibration session's results: how the reviewers who answered the same calls' questions
blind agreed with each other and with the language model, question by question."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CallQuestion = tuple[int, str]  # (call id, question's rule id)


@dataclass(frozen=True, slots=True)
class BlindAnswer:
    call_id: int
    rule_id: str
    reviewer: str
    answer: str


@dataclass(slots=True)
class CalibrationResult:
    rule_id: str
    calls: int = 0  # calls at least two reviewers answered
    reviewer_pairs: int = 0
    reviewer_pairs_agreeing: int = 0
    reviewer_answers: int = 0  # on calls the model answered
    reviewer_answers_as_model: int = 0
    majority_calls: int = 0  # calls with a reviewers' majority and a model answer
    majority_as_model: int = 0
    per_reviewer: dict[str, list[int]] = field(default_factory=dict)  # [as model, answered]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "calls": self.calls,
            "reviewers_agreement": _share(self.reviewer_pairs_agreeing, self.reviewer_pairs),
            "reviewers_with_model": _share(self.reviewer_answers_as_model, self.reviewer_answers),
            "majority_with_model": _share(self.majority_as_model, self.majority_calls),
            "per_reviewer_with_model": {
                name: _share(same, answered)
                for name, (same, answered) in sorted(self.per_reviewer.items())
            },
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def majority(answers: list[str]) -> str | None:
    """The answer more reviewers gave than any other; None on a tie."""
    ranked = Counter(answers).most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def calibration_results(
    answers: Iterable[BlindAnswer], model: Mapping[CallQuestion, str]
) -> list[CalibrationResult]:
    """Per question: the share of reviewer pairs that gave one call the same answer, the share
    of reviewers' answers equal to the model's, and of calls where their majority is the
    model's answer; each reviewer's own share beside it."""
    grouped: dict[CallQuestion, dict[str, str]] = defaultdict(dict)
    for a in answers:
        grouped[(a.call_id, a.rule_id)][a.reviewer] = a.answer
    results: dict[str, CalibrationResult] = {}
    for (call_id, rule_id), given in sorted(grouped.items()):
        row = results.setdefault(rule_id, CalibrationResult(rule_id))
        values = list(given.values())
        if len(values) >= 2:
            row.calls += 1
            for x, y in itertools.combinations(values, 2):
                row.reviewer_pairs += 1
                row.reviewer_pairs_agreeing += x == y
        machine = model.get((call_id, rule_id))
        if machine is None:
            continue
        for reviewer, answer in given.items():
            tally = row.per_reviewer.setdefault(reviewer, [0, 0])
            tally[0] += answer == machine
            tally[1] += 1
            row.reviewer_answers += 1
            row.reviewer_answers_as_model += answer == machine
        agreed = majority(values)
        if agreed is not None:
            row.majority_calls += 1
            row.majority_as_model += agreed == machine
    return [results[k] for k in sorted(results)]
