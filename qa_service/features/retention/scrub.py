"""What a purge removes from the database rows of a call, and what it keeps.

Kept, so dashboards and KPI exports give the same numbers before and after: the call's
columns (agent, team, queue, times, duration, scores, metrics, CSAT/NPS, flags), each
finding's rule, category, severity, role, times, points and verdict, the dimension scores,
disputes' and reviews' outcomes. Removed: the words (utterances, finding text and
evidence) and, on a deletion request, everything else that may name or quote a person.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from qa_service.store.audit import AuditEntry
from qa_service.store.calls import Call, FindingRecord
from qa_service.store.disputes import Dispute, DisputeStep
from qa_service.store.reviews import FindingVerdict, Review, SelfAssessment

# The parts of the result contract without words in them.
KEPT_RESULT_KEYS = ("call_id", "language", "duration_s", "channels", "score", "metrics")
KEPT_FINDING_KEYS = ("rule_id", "category", "severity", "role", "start", "end")
# Upload metadata the audit log copied that may identify the customer.
PERSONAL_AUDIT_KEYS = ("call_id", "filename", "customer_ref", "extra", "sha256")
ERASED_PREFIX = "erased-"


def erased_ref() -> str:
    """A random stand-in for a customer reference: the erased customer's calls keep one
    shared value (repeat-contact KPIs stay the same) that leads back to nobody."""
    return ERASED_PREFIX + secrets.token_hex(12)


def stripped_result(result: dict[str, Any] | None) -> dict[str, Any] | None:
    if result is None:
        return None
    kept = {k: result[k] for k in KEPT_RESULT_KEYS if k in result}
    kept["utterances"] = []
    kept["findings"] = [
        {k: f.get(k) for k in KEPT_FINDING_KEYS} | {"text": "", "evidence": {}}
        for f in result.get("findings") or []
    ]
    return kept


def scrub_transcript(session: Session, call: Call) -> None:
    """The words go: utterances, the findings' quoted text and evidence."""
    call.result = stripped_result(call.result)
    session.execute(
        update(FindingRecord)
        .where(FindingRecord.call_id == call.id)
        .values(text="", evidence=None)
        .execution_options(synchronize_session=False)
    )
    session.expire(call, ["findings"])


def _blank(session: Session, column: Any, where: Any, value: Any = "") -> None:
    session.execute(
        update(column.class_)
        .where(where)
        .values({column.key: value})
        .execution_options(synchronize_session=False)
    )


def scrub_personal(session: Session, call: Call) -> None:
    """Everything else that may name or quote the customer: call id and file name, free metadata,
    people's comments and reasons on this call, and the upload metadata in its audit entries.
    The customer reference was replaced when the request was taken (``erased_ref``)."""
    # The call id is the file name's stem unless the uploader gave one: it may hold a number.
    call.call_id = call.filename = f"{ERASED_PREFIX}{call.id}"
    if call.result is not None:
        call.result = {**call.result, "call_id": call.call_id}
    call.extra = None
    call.error = None
    review_ids = select(Review.id).where(Review.call_id == call.id)
    dispute_ids = select(Dispute.id).where(Dispute.call_id == call.id)
    _blank(session, FindingRecord.verdict_reason, FindingRecord.call_id == call.id, None)
    _blank(session, Review.comment, Review.call_id == call.id)
    _blank(session, FindingVerdict.reason, FindingVerdict.review_id.in_(review_ids))
    _blank(session, SelfAssessment.comment, SelfAssessment.call_id == call.id)
    _blank(session, Dispute.reason, Dispute.call_id == call.id)
    _blank(session, DisputeStep.comment, DisputeStep.dispute_id.in_(dispute_ids))
    _scrub_audit(session, call)


def _without_personal(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(values, dict):
        return values
    return {k: v for k, v in values.items() if k not in PERSONAL_AUDIT_KEYS}


def _scrub_audit(session: Session, call: Call) -> None:
    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "call",
            AuditEntry.entity_id == str(call.id),
            or_(AuditEntry.before.is_not(None), AuditEntry.after.is_not(None)),
        )
    )
    for entry in entries:
        entry.before = _without_personal(entry.before)
        entry.after = _without_personal(entry.after)
