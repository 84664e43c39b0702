"""A call as a participant of an open calibration session may see it: without the model's
answers to the session's questions they have not answered yet, and without the score, which
counts those answers' points (``question_calibrations.service.withheld_questions``).

Hiding only the answers' lines of a score would still leave their points in the total and the
dimensions, so the whole score is held back until the reader answered or the session closed.

Reports over many calls (the KPIs, the question agreement and their CSV/XLSX exports) are
not filtered: they quote no call's answer, and leaving some calls out for some readers would
give QA different figures for the same period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qa_service.features.calls.schemas import CallDetail, CallPublic
from qa_service.features.question_calibrations.service import Withheld

# A call's score as the columns and the result hold it: all withheld together.
SCORE_FIELDS = ("score_total", "reviewed_score", "critical_failed")


def _get(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def visible_findings(rows: Sequence[Any], withheld: Withheld | None) -> list[Any]:
    """Findings (stored rows or public dicts) less the withheld answers."""
    if withheld is None:
        return list(rows)
    return [r for r in rows if not withheld.hides(_get(r, "category"), _get(r, "rule_id"))]


def withheld_ids(withheld: Withheld | None) -> list[str]:
    """The withheld questions' ids, as the API's responses list them."""
    return sorted(withheld.rule_ids) if withheld is not None else []


def detail_shown(detail: CallDetail, withheld: Withheld | None) -> CallDetail:
    if withheld is None:
        return detail
    update: dict[str, Any] = dict.fromkeys(SCORE_FIELDS)
    return detail.model_copy(update={**update, "withheld_questions": withheld_ids(withheld)})


def listed_calls(calls: Sequence[Any], withheld: Mapping[int, Withheld]) -> list[Any]:
    """A page of calls, those with answers withheld without their score (public copies:
    the stored calls are never changed)."""
    if not withheld:
        return list(calls)
    blank = dict.fromkeys(SCORE_FIELDS)
    public = [CallPublic.model_validate(c) for c in calls]
    return [c.model_copy(update=blank) if c.id in withheld else c for c in public]


def score_shown(score: dict[str, Any], withheld: Withheld | None) -> dict[str, Any]:
    """The score part of the API (``ScorePublic``), empty while answers are withheld."""
    if withheld is None:
        return score
    return {
        "rule_pack": score.get("rule_pack"),
        "scorecard": score.get("scorecard"),
        "total": None,
        "critical_failed": None,
        "reviewed_score": None,
        "score_adjustment": None,
        "dimensions": [],
        "items": [],
        "explanation": None,
        "withheld_questions": withheld_ids(withheld),
    }


def result_shown(result: dict[str, Any], withheld: Withheld | None) -> dict[str, Any]:
    """The result contract less the withheld answers and the score, with the questions
    withheld named. The findings left keep their order; their score items go with the
    score, so no index points at a finding taken out."""
    if withheld is None:
        return result
    return {
        **result,
        "findings": visible_findings(result.get("findings") or [], withheld),
        "score": None,
        "withheld_questions": withheld_ids(withheld),
    }
