"""A stored call's score explanation, for the pages and the API.

Results scored since the explanation exists carry it (``score.explanation``); for older
ones it is worked out again from the stored findings and the scorecard of the pack that
scored the call, so every call page can answer "why is my score 0?".
"""

from __future__ import annotations

from typing import Any

from qa_service.domain.results import CallScore, Finding
from qa_service.domain.rulepack import RulePack
from qa_service.domain.score_explanation import explain_score


def call_explanation(result: dict[str, Any] | None, pack: RulePack | None) -> dict[str, Any] | None:
    """The stored explanation, else one from the stored findings and ``pack``'s scorecard;
    None for a call without a score or whose pack is gone."""
    score = (result or {}).get("score") or {}
    if score.get("explanation"):
        return score["explanation"]
    if score.get("total") is None or pack is None:
        return None
    findings = [Finding.from_dict(f) for f in (result or {}).get("findings") or []]
    return explain_score(CallScore.from_dict(score), pack.scorecard, findings)
