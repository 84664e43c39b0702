"""The reviewed score: the scorecard applied to the findings people did not overturn,
plus the reviewer's adjustment; and the calibration flag that compares it with the agent's
own assessment."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.domain.results import CallResult
from qa_service.domain.scoring import score_call
from qa_service.features.packs.service import resolve_pack
from qa_service.store.calls import Call, ReviewState, Verdict
from qa_service.store.reviews import SelfAssessment


def recompute_reviewed_score(session: Session, settings: Settings, call: Call) -> None:
    result = CallResult.from_dict(call.result or {})
    findings = sorted(call.findings, key=lambda f: f.position)
    kept = [result.findings[f.position] for f in findings if f.verdict != Verdict.overturned]
    scorecard = resolve_pack(session, settings, call.rule_pack).pack.scorecard
    score = score_call(kept, scorecard, result.metrics.get("not_evaluated") or [])
    for dim in call.dimensions:
        moved = score.dimensions.get(dim.dimension)
        dim.reviewed_score = None if moved is None else moved["score"]
    total = (score.total or 0.0) + (call.score_adjustment or 0.0)
    call.reviewed_score = round(min(100.0, max(0.0, total)), 1)
    call.overturned_count = sum(1 for f in findings if f.verdict == Verdict.overturned)


def calibration(
    session: Session, settings: Settings, call: Call
) -> tuple[bool, dict[str, dict[str, float | None]]]:
    """Per dimension: the agent's score, the reviewer's, and whether they are too far apart."""
    own = {
        a.dimension: a.score
        for a in session.scalars(select(SelfAssessment).where(SelfAssessment.call_id == call.id))
    }
    reviewed = call.review_state != ReviewState.none
    limit = settings.calibration_threshold * 100.0
    table: dict[str, dict[str, float | None]] = {}
    flagged = False
    for dim in call.dimensions:
        mine = own.get(dim.dimension)
        theirs = dim.reviewed_score if reviewed else None
        gap = None if mine is None or theirs is None else round(abs(mine - theirs), 1)
        flagged = flagged or (gap is not None and gap > limit)
        table[dim.dimension] = {"self": mine, "reviewer": theirs, "gap": gap}
    return flagged, table


def update_calibration_flag(session: Session, settings: Settings, call: Call) -> bool:
    call.calibration_flag, _ = calibration(session, settings, call)
    return call.calibration_flag
