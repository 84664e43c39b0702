"""Rescoring a stored transcript with another rule pack: no audio, no ASR, milliseconds."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.domain.results import CallResult
from qa_service.engines.registry import Engines
from qa_service.errors import ConflictError
from qa_service.features.calls.analyse import inspect_result
from qa_service.store import audit
from qa_service.store.accounts import User
from qa_service.store.calls import Call, apply_result, require_analysed, require_transcript
from qa_service.store.reviews import discard_reviews


def rescore(
    session: Session,
    settings: Settings,
    call: Call,
    user: User,
    pack: str,
    dry_run: bool,
    engines: Engines,
) -> dict[str, Any]:
    require_analysed(call)
    require_transcript(call)  # a purged transcript would score as a silent call
    if call.disputes_open and not dry_run:
        raise ConflictError(f"call {call.id} has open disputes; settle them before rescoring")
    before = call.score_snapshot()
    stored = CallResult.from_dict(call.result)
    result = inspect_result(session, settings, stored, pack, engines, call.id)
    data = result.to_dict()
    if not dry_run:
        apply_result(session, call, data)
        discard_reviews(session, call)
        audit.record(
            session, user.id, "call.rescore", "call", call.id, before, call.score_snapshot()
        )
    return {
        "stored": not dry_run,
        "rule_pack": data["metrics"]["rule_pack"],
        "before": before,
        "score": data["score"],
        "findings": data["findings"],
    }
