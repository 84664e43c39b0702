"""The reviewed answers of evaluation questions: what the model answered and the verdict."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.domain.llm_questions import QUESTION_CATEGORY
from qa_service.domain.periods import Period
from qa_service.domain.question_agreement import ReviewedAnswer, yes_share
from qa_service.store.call_facts import utc
from qa_service.store.calls import Call, FindingRecord


def reviewed_answers(session: Session, period: Period) -> list[ReviewedAnswer]:
    """The answers on calls reviewed in ``period`` with their current verdict (a review's,
    or a dispute ruling's where one overturned it). A rescore replaces a call's answers and
    their verdicts with them: what counts is what reviewers said of the answers standing."""
    rows = session.execute(
        select(FindingRecord.rule_id, FindingRecord.evidence, FindingRecord.verdict)
        .join(Call, Call.id == FindingRecord.call_id)
        .where(
            FindingRecord.category == QUESTION_CATEGORY,
            FindingRecord.verdict.is_not(None),
            Call.reviewed_at >= utc(period.start),
            Call.reviewed_at < utc(period.end),
        )
    )
    found = []
    for rule_id, evidence, verdict in rows:
        evidence = evidence if isinstance(evidence, dict) else {}
        found.append(
            ReviewedAnswer(
                rule_id=rule_id,
                question=str(evidence.get("question") or ""),
                answer=str(evidence.get("answer") or ""),
                verdict=verdict,
                p_yes=yes_share(evidence),
            )
        )
    return found
