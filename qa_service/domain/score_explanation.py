"""Why a call scored what it did: the arithmetic behind a ``CallScore``, as data.

A failed call shows 0 while its dimensions show 60/95/100/5, a dimension's findings add up
to more than it has, and a critical finding can count 0 points because its item's cap was
reached. The explanation states each step: every dimension's base + the points moved =
its raw value, kept within 0..100; the weighted mean of the dimensions; the critical cap
("critical item failed -> 0, 56.8 without it"); and each finding that counted less than
its item's points, with the reason (the item's ``max_points`` reached, counted once per
call, the same event as a counted finding, a graded finding of grade 0).

The result is plain data stored with the score (``score.explanation``), so pages, reports
and exports explain in their own language; ``explanation_lines`` words it in English for
the command line and for exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qa_service.domain.results import CallScore, Finding
from qa_service.domain.rulepack import Scorecard, ScoreItem
from qa_service.domain.scoring import distinct_events, finding_grade, item_matches

SCORE_MIN, SCORE_MAX = 0.0, 100.0


def _dimensions(score: CallScore, scorecard: Scorecard) -> list[dict[str, Any]]:
    out = []
    for dim in scorecard.dimensions:
        moved = sum(e["points"] for e in score.items if e.get("dimension") == dim.id)
        raw = round(dim.base + moved, 2)
        shown = (score.dimensions.get(dim.id) or {}).get("score")
        out.append(
            {
                "id": dim.id,
                "name": dim.name_in("en"),
                "weight": dim.weight,
                "base": dim.base,
                "moved": round(moved, 2),
                "raw": raw,
                "score": shown,
                "clamped": not SCORE_MIN <= raw <= SCORE_MAX,
            }
        )
    return out


def _weighted(dimensions: list[dict[str, Any]]) -> float | None:
    weights = sum(d["weight"] for d in dimensions)
    if not weights or any(d["score"] is None for d in dimensions):
        return None
    return round(sum(d["score"] * d["weight"] for d in dimensions) / weights, 1)


def _why_uncounted(
    item: ScoreItem, k: int, distinct: list[int], counted_points: float, finding: Finding
) -> str:
    if k not in distinct:
        return "same_event"
    if item.per == "call" and distinct and k != distinct[0]:
        return "per_call"
    if item.max_points is not None and counted_points >= item.max_points - 1e-9:
        return "max_points"
    if item.graded and finding_grade(finding) == 0:
        return "grade_zero"
    return "max_points"


def _item_limits(
    item: ScoreItem, findings: Sequence[Finding], entries: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The findings of one item that counted fewer points than the item gives, and why."""
    matched = [(k, f) for k, f in enumerate(findings) if item_matches(item, f)]
    distinct = [k for k, _f in distinct_events(matched)]
    counted = {e["finding"]: e["points"] for e in entries if e.get("finding") is not None}
    used = 0.0
    out = []
    for k, finding in matched:
        full = round(item.points * (finding_grade(finding) if item.graded else 1.0), 2)
        points = counted.get(k)
        if points is None or (points == 0 and full != 0):
            reason = _why_uncounted(item, k, distinct, used, finding)
            out.append(_limit(item, k, finding, 0.0, full, reason))
        elif abs(points) < abs(full) - 1e-9:
            out.append(_limit(item, k, finding, points, full, "max_points"))
        used += abs(points or 0.0)
    return out


def _limit(
    item: ScoreItem, k: int, finding: Finding, points: float, full: float, reason: str
) -> dict[str, Any]:
    return {
        "finding": k,
        "rule_id": finding.rule_id,
        "item": item.id,
        "dimension": item.dimension,
        "points": points,
        "full_points": full,
        "reason": reason,
        "max_points": item.max_points,
        "critical": item.critical,
    }


def explain_score(
    score: CallScore, scorecard: Scorecard, findings: Sequence[Finding]
) -> dict[str, Any]:
    """The steps from ``findings`` to ``score.total`` under ``scorecard`` (see the module)."""
    dimensions = _dimensions(score, scorecard)
    limits = []
    for item in scorecard.items:
        entries = [e for e in score.items if e.get("item") == item.id]
        limits += _item_limits(item, findings, entries)
    explanation: dict[str, Any] = {
        "dimensions": dimensions,
        "weighted_total": _weighted(dimensions),
        "total": score.total,
        "critical": None,
        "limited_findings": sorted(limits, key=lambda x: x["finding"]),
    }
    if score.critical_failed:
        explanation["critical"] = {
            "cap": scorecard.critical_score,
            "without_critical": score.without_critical,
            "items": [dict(c) for c in score.critical_items],
        }
    return explanation


REASON_TEXT = {
    "max_points": "the item's cap of {max_points:g} points was reached",
    "per_call": "the item counts once per call",
    "same_event": "the same event as a finding already counted",
    "grade_zero": "graded 0",
}


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def explanation_lines(explanation: dict[str, Any] | None) -> list[str]:
    """The explanation in English sentences: the command line's and the exports' wording."""
    if not explanation:
        return []
    lines = []
    critical = explanation.get("critical")
    if critical:
        failed = ", ".join(str(c.get("rule_id") or c.get("item")) for c in critical["items"])
        lines.append(
            f"critical item failed ({failed}) -> {_number(explanation['total'])} "
            f"({_number(critical['without_critical'])} without it)"
        )
    dims = explanation["dimensions"]
    parts = [f"{d['name']} {_number(d['score'])} x {_number(d['weight'])}" for d in dims]
    lines.append(
        f"weighted mean of the dimensions: {_number(explanation['weighted_total'])} "
        f"= ({' + '.join(parts)}) / {_number(sum(d['weight'] for d in dims))}"
    )
    for d in explanation["dimensions"]:
        if d["clamped"]:
            lines.append(
                f"{d['name']}: {_number(d['base'])} {'+' if d['moved'] >= 0 else '-'} "
                f"{_number(abs(d['moved']))} = {_number(d['raw'])}, kept within 0-100: "
                f"{_number(d['score'])}"
            )
    for limit in explanation.get("limited_findings") or []:
        why = REASON_TEXT.get(limit["reason"], limit["reason"]).format(
            max_points=limit.get("max_points") or 0
        )
        lines.append(
            f"finding {limit['finding'] + 1} ({limit['rule_id']}): {_number(limit['points'])} "
            f"of {_number(limit['full_points'])} points counted, {why}"
        )
    return lines
