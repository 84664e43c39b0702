"""Scorecards: findings -> dimension scores, a 0-100 total and critical failures.

Each dimension starts at its ``base`` and items add or deduct points for the findings they
match, clamped to 0..100; the total is the weighted mean of the dimensions. A matching
critical item fails the call and caps the total at ``critical_score``. Every point that
moves is listed in ``CallScore.items`` with the index of the finding that moved it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qa_service.domain.results import CallScore, Finding
from qa_service.domain.rulepack import SEVERITIES, Scorecard, ScoreItem


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES) - 1


def item_matches(item: ScoreItem, finding: Finding) -> bool:
    if severity_rank(finding.severity) < severity_rank(item.min_severity):
        return False
    return finding.category in item.categories or finding.rule_id in item.rules


def _item_entries(item: ScoreItem, findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """The point movements of one item, each naming the finding that caused it."""
    matched = [(k, f) for k, f in enumerate(findings) if item_matches(item, f)]
    if item.per == "call":
        matched = matched[:1]
    entries: list[dict[str, Any]] = []
    budget = item.max_points if item.max_points is not None else float("inf")
    for k, finding in matched:
        points = item.points
        if abs(points) > budget:
            points = budget if points > 0 else -budget
        if points == 0 and not item.critical:
            break
        budget -= abs(points)
        entries.append(
            {
                "item": item.id,
                "dimension": item.dimension,
                "points": round(points, 2),
                "critical": item.critical,
                "finding": k,
                "rule_id": finding.rule_id,
                "category": finding.category,
                "start": None if finding.start is None else round(finding.start, 3),
            }
        )
    return entries


def score_call(findings: Sequence[Finding], scorecard: Scorecard) -> CallScore:
    entries = [e for item in scorecard.items for e in _item_entries(item, findings)]
    dimensions: dict[str, Any] = {}
    for dim in scorecard.dimensions:
        moved = [e["points"] for e in entries if e["dimension"] == dim.id]
        score = min(100.0, max(0.0, dim.base + sum(moved)))
        dimensions[dim.id] = {
            "name": dim.name or dim.id,
            "weight": dim.weight,
            "score": round(score, 1),
            "lost": round(-sum(p for p in moved if p < 0), 2),
            "gained": round(sum(p for p in moved if p > 0), 2),
        }
    weights = sum(d.weight for d in scorecard.dimensions)
    total = sum(dimensions[d.id]["score"] * d.weight for d in scorecard.dimensions) / weights
    critical = any(e["critical"] for e in entries)
    if critical:
        total = min(total, scorecard.critical_score)
    return CallScore(
        total=round(total, 1),
        dimensions=dimensions,
        critical_failed=critical,
        items=entries,
        scorecard=scorecard.scorecard,
    )
