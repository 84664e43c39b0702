"""QA reviews: a verdict per finding, an optional score adjustment, a second reviewer for a
random share of reviewed calls; the agent's acknowledgement and self-assessment."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.errors import InputError
from qa_service.features.access import get_own_call, get_visible_call
from qa_service.features.calls.privacy import typed_text_masker
from qa_service.features.question_calibrations.service import (
    Withheld,
    refuse_if_withheld,
    withheld_on_call,
)
from qa_service.features.reviews.schemas import (
    AcknowledgeCreate,
    ReviewCreate,
    ReviewPublic,
    SelfAssessmentPublic,
    SelfAssessmentUpdate,
)
from qa_service.features.reviews.scores import (
    calibration,
    recompute_reviewed_score,
    update_calibration_flag,
)
from qa_service.store import audit
from qa_service.store.accounts import User
from qa_service.store.base import utcnow
from qa_service.store.calls import Call, ReviewState, Verdict, require_analysed
from qa_service.store.disputes import Dispute, DisputeStatus
from qa_service.store.reviews import FindingVerdict, Review, ReviewKind, SelfAssessment


def picked_for_second_review(rng: random.Random, rate: float) -> bool:
    return rng.random() < rate


def review_snapshot(call: Call) -> dict[str, Any]:
    return {
        **call.score_snapshot(),
        "review_state": call.review_state,
        "verdicts": {str(f.id): f.verdict for f in call.findings if f.verdict},
    }


def _review_kind(session: Session, call: Call, reviewer: User) -> str:
    if call.review_state != ReviewState.second_pending:
        return ReviewKind.primary
    primary = session.scalar(
        select(Review).where(
            Review.call_id == call.id, Review.kind == ReviewKind.primary, Review.current
        )
    )
    # The first reviewer may revise their review; only someone else gives the second one.
    if primary is not None and primary.reviewer_id == reviewer.id:
        return ReviewKind.primary
    return ReviewKind.second


def _settled_by_dispute(session: Session, call: Call) -> set[int]:
    """Findings a dispute ruling overturned: a later review does not bring them back."""
    return set(
        session.scalars(
            select(Dispute.finding_id).where(
                Dispute.call_id == call.id, Dispute.status == DisputeStatus.overturned
            )
        )
    )


def submit_review(
    session: Session,
    settings: Settings,
    rng: random.Random,
    call: Call,
    reviewer: User,
    body: ReviewCreate,
) -> Review:
    require_analysed(call)
    findings = {f.id: f for f in call.findings}
    unknown = [v.finding_id for v in body.verdicts if v.finding_id not in findings]
    if unknown:
        raise InputError(f"finding {unknown[0]} is not a finding of call {call.id}")
    kind = _review_kind(session, call, reviewer)
    first_review = call.review_state == ReviewState.none
    before = review_snapshot(call)
    given = {v.finding_id: v for v in body.verdicts}
    settled = _settled_by_dispute(session, call)
    review = Review(
        call_id=call.id,
        reviewer_id=reviewer.id,
        kind=kind,
        score_adjustment=body.score_adjustment,
        comment=body.comment,
    )
    session.execute(
        update(Review).where(Review.call_id == call.id, Review.kind == kind).values(current=False)
    )
    for finding in findings.values():
        verdict = given.get(finding.id)
        value = verdict.verdict if verdict else Verdict.confirmed
        reason = verdict.reason if verdict else ""
        review.verdicts.append(
            FindingVerdict(
                finding_id=finding.id, rule_id=finding.rule_id, verdict=value, reason=reason
            )
        )
        if finding.id not in settled:
            finding.verdict, finding.verdict_reason = value, reason
    session.add(review)
    call.score_adjustment = body.score_adjustment
    call.reviewer_id = reviewer.id
    call.reviewed_at = utcnow()
    if first_review and picked_for_second_review(rng, settings.second_review_rate):
        call.review_state = ReviewState.second_pending
        call.second_review_required = True
    elif kind == ReviewKind.primary and call.review_state == ReviewState.second_pending:
        pass  # the primary reviewer revised their review; the second one is still due
    else:
        call.review_state = ReviewState.reviewed
    recompute_reviewed_score(session, settings, call)
    review.total = call.reviewed_score
    update_calibration_flag(session, settings, call)
    session.flush()
    audit.record(
        session, reviewer.id, f"review.{kind}", "call", call.id, before, review_snapshot(call)
    )
    return review


def acknowledge(session: Session, call: Call, agent: User, body: AcknowledgeCreate) -> Call:
    require_analysed(call)
    before = {"acknowledged_at": call.acknowledged_at.isoformat() if call.acknowledged_at else None}
    call.acknowledged_at = utcnow()
    after = {"acknowledged_at": call.acknowledged_at.isoformat(), "comment": body.comment}
    audit.record(session, agent.id, "call.acknowledge", "call", call.id, before, after)
    return call


def self_assess(
    session: Session, settings: Settings, call: Call, agent: User, body: SelfAssessmentUpdate
) -> list[SelfAssessment]:
    require_analysed(call)
    dimensions = {d.dimension for d in call.dimensions}
    unknown = sorted(set(body.scores) - dimensions)
    if unknown:
        raise InputError(
            f"{unknown[0]} is not a dimension of this call's scorecard "
            f"({', '.join(sorted(dimensions))})"
        )
    current = {
        a.dimension: a
        for a in session.scalars(select(SelfAssessment).where(SelfAssessment.call_id == call.id))
    }
    before = {d: a.score for d, a in current.items()}
    for dimension, score in body.scores.items():
        row = current.get(dimension)
        if row is None:
            row = SelfAssessment(call_id=call.id, user_id=agent.id, dimension=dimension, score=0)
            session.add(row)
            current[dimension] = row
        row.score, row.comment, row.created_at = score, body.comment, utcnow()
    session.flush()
    update_calibration_flag(session, settings, call)
    after = {d: a.score for d, a in current.items()}
    audit.record(session, agent.id, "call.self_assess", "call", call.id, before or None, after)
    return sorted(current.values(), key=lambda a: a.dimension)


def review_call(
    session: Session,
    settings: Settings,
    rng: random.Random,
    user: User,
    call_id: int,
    body: ReviewCreate,
) -> dict[str, Any]:
    """A reviewer's verdicts on a call they may see; the outcome (``ReviewOutcome``)."""
    call = get_visible_call(session, user, call_id, lock=True)
    # A review rules on every finding (those left out are confirmed) and sets the score.
    refuse_if_withheld(session, user, call.id)
    review = submit_review(session, settings, rng, call, user, body)
    return {
        "review": review,
        "reviewed_score": call.reviewed_score,
        "second_review_required": call.second_review_required,
        "calibration_flag": call.calibration_flag,
    }


def review_views(
    session: Session, user: User, call: Call, withheld: Withheld | None
) -> list[dict[str, Any]]:
    """The call's reviews as public dicts, their comments and overturn reasons as ``user``
    may read them (see ``typed_text_masker``). ``withheld``: what an open calibration
    session holds back from ``user``: other reviewers' verdicts on those answers and the
    reviewed totals (they count the answers' points) are left out."""
    mask = typed_text_masker(user)
    rows = session.scalars(select(Review).where(Review.call_id == call.id).order_by(Review.id))
    hidden = withheld.rule_ids if withheld else frozenset()
    out = []
    for row in rows:
        view = ReviewPublic.model_validate(row).model_dump(mode="json")
        view["comment"] = mask(call, view["comment"])
        view["verdicts"] = [v for v in view["verdicts"] if v["rule_id"] not in hidden]
        for verdict in view["verdicts"]:
            verdict["reason"] = mask(call, verdict["reason"])
        if withheld:
            view["total"] = None
        out.append(view)
    return out


def list_reviews(session: Session, user: User, call_id: int) -> list[dict[str, Any]]:
    call = get_visible_call(session, user, call_id)
    return review_views(session, user, call, withheld_on_call(session, user, call.id))


def acknowledge_call(session: Session, user: User, call_id: int, body: AcknowledgeCreate) -> Call:
    return acknowledge(session, get_own_call(session, user, call_id), user, body)


def self_assess_call(
    session: Session, settings: Settings, user: User, call_id: int, body: SelfAssessmentUpdate
) -> list[SelfAssessment]:
    return self_assess(session, settings, get_own_call(session, user, call_id), user, body)


def self_assessment(session: Session, user: User, call_id: int) -> list[dict[str, Any]]:
    """The agent's own scores; their comments as ``user`` may read them."""
    call = get_visible_call(session, user, call_id)
    mask = typed_text_masker(user)
    rows = session.scalars(
        select(SelfAssessment)
        .where(SelfAssessment.call_id == call.id)
        .order_by(SelfAssessment.dimension)
    )
    out = []
    for row in rows:
        view = SelfAssessmentPublic.model_validate(row).model_dump(mode="json")
        view["comment"] = mask(call, view["comment"])
        out.append(view)
    return out


def calibration_report(
    session: Session, settings: Settings, user: User, call_id: int
) -> dict[str, Any]:
    """Self-assessment against the reviewer's score (``CalibrationPublic``)."""
    call = get_visible_call(session, user, call_id)
    flagged, table = calibration(session, settings, call)
    if withheld_on_call(session, user, call.id):
        table = {}  # the reviewer's dimension scores count the withheld answers' points
    return {
        "calibration_flag": flagged,
        "threshold_points": settings.calibration_threshold * 100,
        "dimensions": table,
    }
