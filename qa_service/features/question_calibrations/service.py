"""Calibration sessions for evaluation questions: QA picks calls, several reviewers answer
their questions blind (nobody sees the model's or another reviewer's answers while the
session is open), and once it is closed everyone sees how they agreed with each other and
with the model, question by question."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.domain.calibration_agreement import (
    BlindAnswer,
    CalibrationResult,
    calibration_results,
)
from qa_service.domain.llm_questions import QUESTION_CATEGORY
from qa_service.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from qa_service.features.access import is_staff
from qa_service.features.question_calibrations.schemas import CalibrationAnswers, CalibrationCreate
from qa_service.store import audit
from qa_service.store.accounts import AccountRole, User
from qa_service.store.base import utcnow
from qa_service.store.calls import Call, CallStatus, FindingRecord
from qa_service.store.question_calibrations import CalibrationAnswer, QuestionCalibration


def _model_answers(session: Session, call_ids: list[int]) -> dict[tuple[int, str], dict]:
    """The model's answer findings on ``call_ids``: (call, rule id) -> evidence."""
    rows = session.execute(
        select(FindingRecord.call_id, FindingRecord.rule_id, FindingRecord.evidence).where(
            FindingRecord.call_id.in_(call_ids), FindingRecord.category == QUESTION_CATEGORY
        )
    )
    return {(c, r): (e if isinstance(e, dict) else {}) for c, r, e in rows}


def create_calibration(
    session: Session, user: User, body: CalibrationCreate
) -> QuestionCalibration:
    call_ids = list(dict.fromkeys(body.call_ids))
    calls = session.scalars(select(Call).where(Call.id.in_(call_ids))).all()
    found = {c.id: c for c in calls}
    for call_id in call_ids:
        if call_id not in found:
            raise NotFoundError(f"call {call_id} not found")
        if found[call_id].status != CallStatus.analysed:
            raise ConflictError(f"call {call_id} is {found[call_id].status}, not analysed yet")
    asked = {rule for _call, rule in _model_answers(session, call_ids)}
    rule_ids = list(dict.fromkeys(body.rule_ids)) or sorted(asked)
    if not rule_ids:
        raise InputError("the model answered no question on these calls: nothing to calibrate")
    unknown = [r for r in rule_ids if r not in asked]
    if unknown:
        raise InputError(f"the model answered no question {unknown[0]!r} on these calls")
    calibration = QuestionCalibration(
        name=body.name, call_ids=call_ids, rule_ids=rule_ids, created_by=user.id
    )
    session.add(calibration)
    session.flush()
    after = {"name": body.name, "call_ids": call_ids, "rule_ids": rule_ids}
    audit.record(
        session, user.id, "calibration.create", "question_calibration", calibration.id, None, after
    )
    return calibration


def get_calibration(
    session: Session, calibration_id: int, lock: bool = False
) -> QuestionCalibration:
    found = session.get(QuestionCalibration, calibration_id, with_for_update=lock or None)
    if found is None:
        raise NotFoundError(f"calibration session {calibration_id} not found")
    return found


def answer_blind(
    session: Session, user: User, calibration_id: int, body: CalibrationAnswers
) -> QuestionCalibration:
    calibration = get_calibration(session, calibration_id, lock=True)
    if calibration.closed_at is not None:
        raise ConflictError(f"calibration session {calibration_id} is closed")
    mine = {(a.call_id, a.rule_id): a for a in calibration.answers if a.reviewer_id == user.id}
    for given in body.answers:
        if given.call_id not in calibration.call_ids or given.rule_id not in calibration.rule_ids:
            raise InputError(
                f"call {given.call_id} / question {given.rule_id!r} is not in this session"
            )
        existing = mine.get((given.call_id, given.rule_id))
        if existing is None:
            existing = CalibrationAnswer(
                call_id=given.call_id, rule_id=given.rule_id, reviewer_id=user.id
            )
            calibration.answers.append(existing)
            mine[(given.call_id, given.rule_id)] = existing
        existing.answer, existing.answered_at = given.answer, utcnow()
    return calibration


def close_calibration(session: Session, user: User, calibration_id: int) -> QuestionCalibration:
    calibration = get_calibration(session, calibration_id, lock=True)
    if not may_close(user, calibration):
        raise ForbiddenError("only the session's creator or an admin closes it")
    if calibration.closed_at is None:
        calibration.closed_at = utcnow()
        answers = len(calibration.answers)
        audit.record(
            session,
            user.id,
            "calibration.close",
            "question_calibration",
            calibration.id,
            None,
            {"answers": answers},
        )
    return calibration


def calibration_public(
    session: Session, user: User, calibration: QuestionCalibration
) -> dict[str, Any]:
    """The session as ``user`` may see it: while open, the questions and their own answers
    only; once closed, every reviewer's answers, the model's, and the agreement."""
    model = _model_answers(session, list(calibration.call_ids))
    questions = {rule: "" for rule in calibration.rule_ids}
    for (_call, rule), evidence in model.items():
        if rule in questions and not questions[rule]:
            questions[rule] = str(evidence.get("question") or "")
    reviewers = {
        u.id: u.username
        for u in session.scalars(
            select(User).where(User.id.in_({a.reviewer_id for a in calibration.answers}))
        )
    }
    public: dict[str, Any] = {
        "id": calibration.id,
        "name": calibration.name,
        "call_ids": list(calibration.call_ids),
        "questions": [{"rule_id": r, "question": q} for r, q in questions.items()],
        "created_at": calibration.created_at.isoformat(),
        "closed": calibration.closed_at is not None,
        "reviewers": sorted(set(reviewers.values())),
        "my_answers": [
            {"call_id": a.call_id, "rule_id": a.rule_id, "answer": a.answer}
            for a in calibration.answers
            if a.reviewer_id == user.id
        ],
    }
    if calibration.closed_at is None:
        return public
    blind = [
        BlindAnswer(
            a.call_id, a.rule_id, reviewers.get(a.reviewer_id, str(a.reviewer_id)), a.answer
        )
        for a in calibration.answers
    ]
    machine = {key: str(e.get("answer")) for key, e in model.items() if e.get("answer")}
    results = {r.rule_id: r.to_dict() for r in calibration_results(blind, machine)}
    public["results"] = [
        {
            "question": q["question"],
            # A question nobody answered in the session has empty results.
            **(results.get(q["rule_id"]) or CalibrationResult(q["rule_id"]).to_dict()),
        }
        for q in public["questions"]
    ]
    public["answers"] = [
        {"call_id": b.call_id, "rule_id": b.rule_id, "reviewer": b.reviewer, "answer": b.answer}
        for b in blind
    ]
    public["model_answers"] = [
        {"call_id": c, "rule_id": r, "answer": a}
        for (c, r), a in sorted(machine.items())
        if r in questions
    ]
    return public


def may_close(user: User, calibration: QuestionCalibration) -> bool:
    """Its creator or an admin closes a session."""
    return calibration.created_by == user.id or user.role == AccountRole.admin


def calibration_summary(calibration: QuestionCalibration) -> dict[str, Any]:
    """A line of the list of sessions."""
    return {
        "id": calibration.id,
        "name": calibration.name,
        "calls": len(calibration.call_ids),
        "questions": len(calibration.rule_ids),
        "closed": calibration.closed_at is not None,
    }


def list_calibrations(session: Session) -> list[QuestionCalibration]:
    return list(
        session.scalars(
            select(QuestionCalibration).order_by(QuestionCalibration.id.desc()).limit(100)
        )
    )


@dataclass(frozen=True, slots=True)
class WithheldIn:
    """One open session's questions on a call that the reader has not answered yet."""

    calibration_id: int
    name: str
    rule_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Withheld:
    """What open sessions hold back from one reader on one call: the model's answers to
    these questions, and (since a score includes their points) the call's score."""

    sessions: tuple[WithheldIn, ...]

    @property
    def rule_ids(self) -> frozenset[str]:
        return frozenset(r for s in self.sessions for r in s.rule_ids)

    def hides(self, category: str | None, rule_id: str | None) -> bool:
        """Whether a finding (or a score item) of this category and rule is withheld."""
        return category == QUESTION_CATEGORY and rule_id in self.rule_ids


def withheld_questions(
    session: Session, user: User, call_ids: Iterable[int]
) -> dict[int, Withheld]:
    """Per call of ``call_ids`` in an open session: the session's questions ``user`` has
    not answered there yet. Two queries whatever the number of calls.

    Only staff take part in sessions (the answers API is theirs): a supervisor or an agent
    is outside every session and sees the call as always. The creator is not held back:
    choosing the calls, they usually looked at the model's answers already, and hiding
    them would only stop their own reviewing. An admin who did not create the session is
    held back like any participant: being allowed to close it says nothing about having
    answered blind, and closing it (or answering) shows everything at once."""
    wanted = set(call_ids)
    if not wanted or not is_staff(user):
        return {}
    open_sessions = [
        c
        for c in session.scalars(
            select(QuestionCalibration).where(
                QuestionCalibration.closed_at.is_(None),
                QuestionCalibration.created_by != user.id,
            )
        )
        if wanted.intersection(c.call_ids)
    ]
    if not open_sessions:
        return {}
    rows = session.execute(
        select(
            CalibrationAnswer.calibration_id, CalibrationAnswer.call_id, CalibrationAnswer.rule_id
        ).where(
            CalibrationAnswer.reviewer_id == user.id,
            CalibrationAnswer.calibration_id.in_([c.id for c in open_sessions]),
        )
    )
    answered = {tuple(row) for row in rows}
    found: dict[int, list[WithheldIn]] = {}
    for calibration in open_sessions:
        for call_id in wanted.intersection(calibration.call_ids):
            rules = [
                r for r in calibration.rule_ids if (calibration.id, call_id, r) not in answered
            ]
            if rules:
                held = WithheldIn(calibration.id, calibration.name, tuple(rules))
                found.setdefault(call_id, []).append(held)
    return {call_id: Withheld(tuple(held)) for call_id, held in found.items()}


def withheld_on_call(session: Session, user: User, call_id: int) -> Withheld | None:
    """``withheld_questions`` for one call; None when nothing is held back."""
    return withheld_questions(session, user, [call_id]).get(call_id)


def refuse_if_withheld(
    session: Session, user: User, call_id: int, rule_id: str | None = None
) -> None:
    """409 while ``user`` may not see the model's answers on the call (to ``rule_id``, if
    given): a verdict on an answer one has not seen is no review, and a review or a rescore
    shows the score those answers are part of."""
    withheld = withheld_on_call(session, user, call_id)
    if withheld is None or (rule_id is not None and rule_id not in withheld.rule_ids):
        return
    first = withheld.sessions[0]
    raise ConflictError(
        f"the model's answers on call {call_id} are withheld from you until you answer "
        f"calibration session {first.calibration_id} ({first.name!r}) or it is closed"
    )
