"""Scorecards: findings -> dimension scores, a 0-100 total and critical failures.

Each dimension starts at its ``base`` and items add or deduct points for the findings they
match, clamped to 0..100; the total is the weighted mean of the dimensions. A ``graded``
item moves its points times the finding's ``evidence.grade`` (0 to 1), so a customer who
leaves mildly unhappy costs less than one who leaves furious. A matching critical item
fails the call and caps the total at ``critical_score`` - but only on strong evidence (a
known speaker and every phrase match at ``critical_min_similarity`` or more); on weaker
evidence it deducts its points like any item and says so (``weak_evidence``). A failed call
also carries ``without_critical``: the total had the failing findings not been there.
What a rule could not evaluate never costs points: an item that adds points for a rule
listed as not evaluated is granted in full (entry ``not_evaluated: true``).
Every point that moves is listed in ``CallScore.items`` with the index of its finding.
One event costs an item once: findings of the same item on overlapping stretches of the same
speaker (a phrase rule and the call-act model both hearing one refusal) count as one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from qa_service.domain.llm_questions import QUESTION_CATEGORY
from qa_service.domain.results import CallScore, Finding
from qa_service.domain.rulepack import SEVERITIES, Scorecard, ScoreItem


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES) - 1


def item_matches(item: ScoreItem, finding: Finding) -> bool:
    if severity_rank(finding.severity) < severity_rank(item.min_severity):
        return False
    return finding.category in item.categories or finding.rule_id in item.rules


def finding_grade(finding: Finding) -> float:
    """How strongly a graded finding holds, 0 to 1 (1 when the check gives no grade)."""
    grade = finding.evidence.get("grade")
    if isinstance(grade, bool) or not isinstance(grade, int | float) or math.isnan(grade):
        return 1.0
    return min(1.0, max(0.0, float(grade)))


def _similarities(evidence: dict[str, Any]) -> Iterator[float]:
    """Every phrase-match similarity in the evidence, including a conditional's trigger."""
    for value in (evidence, *(v for v in evidence.values() if isinstance(v, dict))):
        similarity = value.get("similarity")
        if isinstance(similarity, int | float) and not isinstance(similarity, bool):
            yield float(similarity)


def strong_evidence(finding: Finding, min_similarity: float) -> bool:
    """Enough to fail a call: the speaker is known and no phrase matched only loosely."""
    if finding.evidence.get("role_unknown"):
        return False
    return all(s >= min_similarity for s in _similarities(finding.evidence))


def _same_event(finding: Finding, counted: Sequence[Finding]) -> bool:
    """Whether the finding covers a stretch of speech that a counted finding already covers."""
    if finding.start is None or finding.end is None:
        return False
    return any(
        other.role == finding.role
        and other.start is not None
        and other.end is not None
        and other.start < finding.end
        and finding.start < other.end
        for other in counted
    )


def distinct_events(matched: list[tuple[int, Finding]]) -> list[tuple[int, Finding]]:
    kept: list[tuple[int, Finding]] = []
    for k, finding in matched:
        if not _same_event(finding, [f for _, f in kept]):
            kept.append((k, finding))
    return kept


def _question_entries(item: ScoreItem, findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """A question item moves the points of its answer, listed even when they are 0."""
    for k, finding in enumerate(findings):
        if finding.rule_id == item.id and finding.category == QUESTION_CATEGORY:
            answer = str(finding.evidence.get("answer"))
            return [
                {
                    "item": item.id,
                    "dimension": item.dimension,
                    "points": round(item.answers.get(answer, 0.0), 2),
                    "critical": False,
                    "finding": k,
                    "rule_id": finding.rule_id,
                    "category": finding.category,
                    "start": None if finding.start is None else round(finding.start, 3),
                    "answer": answer,
                }
            ]
    return []


def _item_entries(item: ScoreItem, findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """The point movements of one item, each naming the finding that caused it."""
    if item.type == "question":
        return _question_entries(item, findings)
    matched = distinct_events([(k, f) for k, f in enumerate(findings) if item_matches(item, f)])
    if item.per == "call":
        matched = matched[:1]
    entries: list[dict[str, Any]] = []
    budget = item.max_points if item.max_points is not None else float("inf")
    for k, finding in matched:
        points = item.points * (finding_grade(finding) if item.graded else 1.0)
        if abs(points) > budget:
            points = math.copysign(budget, points)
        if round(points, 2) == 0 and not item.critical:
            if budget <= 0:
                break
            continue  # a graded finding of grade 0 moves nothing
        budget -= abs(points)
        fails = item.critical and strong_evidence(finding, item.critical_min_similarity)
        entry = {
            "item": item.id,
            "dimension": item.dimension,
            "points": round(points, 2),
            "critical": fails,
            "finding": k,
            "rule_id": finding.rule_id,
            "category": finding.category,
            "start": None if finding.start is None else round(finding.start, 3),
        }
        if item.critical and not fails:
            entry["weak_evidence"] = True
        entries.append(entry)
    return entries


def _dimensions(
    scorecard: Scorecard, entries: list[dict[str, Any]]
) -> tuple[dict[str, Any], float]:
    """Each dimension's score from its base and moved points, and the weighted total."""
    dimensions: dict[str, Any] = {}
    for dim in scorecard.dimensions:
        moved = [e["points"] for e in entries if e["dimension"] == dim.id]
        score = min(100.0, max(0.0, dim.base + sum(moved)))
        dimensions[dim.id] = {
            # A result names it in English (its contract's language), else as written; pages
            # name it in the viewer's language from the pack.
            "name": dim.name_in("en"),
            "weight": dim.weight,
            "score": round(score, 1),
            "lost": round(-sum(p for p in moved if p < 0), 2),
            "gained": round(sum(p for p in moved if p > 0), 2),
        }
    weights = sum(d.weight for d in scorecard.dimensions)
    total = sum(dimensions[d.id]["score"] * d.weight for d in scorecard.dimensions) / weights
    return dimensions, total


def _unmeasured_entries(
    scorecard: Scorecard, findings: Sequence[Finding], not_evaluated: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Items that add points, for rules that could not run: what was not measured costs nothing.

    A deduction not evaluated simply does not happen; an addition not evaluated is granted,
    so a call without sentiment is not marked down for the customer's unknown mood.
    """
    skipped_rules = {str(n.get("rule_id")) for n in not_evaluated}
    skipped_categories = {str(n.get("category")) for n in not_evaluated}
    entries = []
    for item in scorecard.items:
        if (
            item.type == "question"
            or item.points <= 0
            or any(item_matches(item, f) for f in findings)
        ):
            continue
        if skipped_rules & set(item.rules) or skipped_categories & set(item.categories):
            points = item.points if item.max_points is None else min(item.points, item.max_points)
            entries.append(
                {
                    "item": item.id,
                    "dimension": item.dimension,
                    "points": round(points, 2),
                    "critical": False,
                    "finding": None,
                    "not_evaluated": True,
                }
            )
    return entries


def score_call(
    findings: Sequence[Finding],
    scorecard: Scorecard,
    not_evaluated: Sequence[dict[str, Any]] = (),
) -> CallScore:
    """The score of a call; ``not_evaluated`` as in ``metrics.not_evaluated`` (rule, category)."""
    entries = [e for item in scorecard.items for e in _item_entries(item, findings)]
    entries += _unmeasured_entries(scorecard, findings, not_evaluated)
    dimensions, total = _dimensions(scorecard, entries)
    failing = [e for e in entries if e["critical"]]
    score = CallScore(
        total=round(total, 1),
        dimensions=dimensions,
        critical_failed=bool(failing),
        items=entries,
        scorecard=scorecard.scorecard,
    )
    if failing:
        # The breakdown keeps every deduction; only the total is capped.
        _, without = _dimensions(scorecard, [e for e in entries if not e["critical"]])
        score.total = round(min(total, scorecard.critical_score), 1)
        score.without_critical = round(without, 1)
        keys = ("item", "rule_id", "category", "finding", "start")
        score.critical_items = [{key: e[key] for key in keys} for e in failing]
    # Imported here: the explanation module builds on this one's matching rules.
    from qa_service.domain.score_explanation import explain_score

    score.explanation = explain_score(score, scorecard, findings)
    return score
