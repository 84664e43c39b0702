"""What of a call's personal data a user is shown: the original with ``pii:view`` (each
view that shows some is audited), masked without it.

Detection runs on the stored result when it is read: the result keeps the original (rules
and rescoring need it), and a better detector applies to every stored call at once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from threading import Lock
from typing import Any

from sqlalchemy.orm import Session

from qa_service.domain.pii import PiiSpan, mask_strings, redact_result, result_spans, secrets_of
from qa_service.features.access import PII_VIEW, has_permission
from qa_service.features.calls.schemas import FindingPublic
from qa_service.store import audit
from qa_service.store.accounts import User
from qa_service.store.calls import Call, FindingRecord
from qa_service.store.db import Database

VIEW_ACTION = "pii.view"


def record_view(
    db: Database | None,
    session: Session,
    user: User,
    call: Call,
    what: str,
    spans: Sequence[PiiSpan],
) -> None:
    """Audit one view of the original. ``db``: a writing session of its own is opened (a
    page or a GET reads in a reading session); without it, the caller's session writes."""
    after = {"what": what, "types": sorted({s.kind.value for s in spans}), "spans": len(spans)}
    if db is None:
        audit.record(session, user.id, VIEW_ACTION, "call", call.id, None, after)
        session.flush()
        return
    with db.session() as writing:
        audit.record(writing, user.id, VIEW_ACTION, "call", call.id, None, after)


# Spans of recently read calls: a page, its transcript, findings and audio each need them,
# and detection over an hour-long call takes a noticeable share of a request.
_SPAN_CACHE: OrderedDict[tuple[int, str, int], list[PiiSpan]] = OrderedDict()
_SPAN_CACHE_SIZE = 64
_SPAN_LOCK = Lock()


def call_spans(call: Call) -> list[PiiSpan]:
    """The personal data in the call's stored result (cached while its analysis stands)."""
    if not call.result:
        return []
    utterances = call.result.get("utterances") or []
    key = (call.id, str(call.analysed_at), len(utterances))
    with _SPAN_LOCK:
        if key in _SPAN_CACHE:
            _SPAN_CACHE.move_to_end(key)
            return _SPAN_CACHE[key]
    spans = result_spans(call.result)
    with _SPAN_LOCK:
        _SPAN_CACHE[key] = spans
        while len(_SPAN_CACHE) > _SPAN_CACHE_SIZE:
            _SPAN_CACHE.popitem(last=False)
    return spans


def shown_result(
    session: Session, user: User, call: Call, what: str, db: Database | None = None
) -> dict[str, Any]:
    """The result contract as ``user`` may see it."""
    result = call.result or {}
    spans = call_spans(call)
    if not spans:
        return result
    if has_permission(user, PII_VIEW):
        record_view(db, session, user, call, what, spans)
        return result
    return redact_result(result, spans)


# The keys of a public finding that hold free text.
FINDING_TEXTS = ("text", "evidence", "verdict_reason")


def mask_finding_rows(
    rows: Sequence[dict[str, Any]], result: dict[str, Any], spans: Sequence[PiiSpan]
) -> list[dict[str, Any]]:
    """Public finding dicts with their quotes and evidence masked."""
    secrets = secrets_of(result.get("utterances") or [], spans)
    language = result.get("language")
    out = []
    for row in rows:
        masked = dict(row)
        for key in FINDING_TEXTS:
            masked[key] = mask_strings(row.get(key), secrets, language)
        out.append(masked)
    return out


def masked_findings(
    findings: Sequence[FindingRecord], result: dict[str, Any], spans: Sequence[PiiSpan]
) -> list[dict[str, Any]]:
    """Stored findings as public dicts, their quotes and evidence masked."""
    rows = [FindingPublic.model_validate(f).model_dump(mode="json") for f in findings]
    return mask_finding_rows(rows, result, spans)


def shown_score_items(user: User, call: Call, items: list[Any]) -> list[Any]:
    """A score's items (which may quote findings) as ``user`` may see them; not audited:
    the original quotes are audited where the findings are read."""
    spans = call_spans(call)
    if not spans or has_permission(user, PII_VIEW):
        return items
    result = call.result or {}
    return mask_strings(items, secrets_of(result.get("utterances") or [], spans), None)


def shown_findings(
    session: Session, user: User, call: Call, db: Database | None = None
) -> list[Any]:
    """The call's findings as ``user`` may see them."""
    spans = call_spans(call)
    if not spans:
        return list(call.findings)
    if has_permission(user, PII_VIEW):
        record_view(db, session, user, call, "findings", spans)
        return list(call.findings)
    return masked_findings(call.findings, call.result or {}, spans)


def typed_text_masker(user: User) -> Callable[[Call | None, Any], Any]:
    """What people type about a call (review comments and overturn reasons, dispute
    statements and rulings, self-assessment comments) as ``user`` may see it: as written
    with ``pii:view``; without, the call's personal data masked wherever it is quoted and
    anything detected in the text itself (a reviewer may copy a number from the original).
    Not audited: the typed text is not the recording's data."""
    if has_permission(user, PII_VIEW):
        return lambda _call, value: value
    known: dict[int, tuple[list, str | None]] = {}

    def mask(call: Call | None, value: Any) -> Any:
        if call is None:
            return mask_strings(value, [], None)
        if call.id not in known:
            result = call.result or {}
            secrets = secrets_of(result.get("utterances") or [], call_spans(call))
            known[call.id] = (secrets, result.get("language"))
        secrets, language = known[call.id]
        return mask_strings(value, secrets, language)

    return mask
