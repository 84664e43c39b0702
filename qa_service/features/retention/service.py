"""Retention purges and deletion requests, safe to interrupt at any point.

Each removal runs in three steps: mark the calls (``Call.purge_pending``, committed), delete
their files, then scrub the rows and stamp the date in one transaction. A process killed
between the steps leaves the mark; the next purge or request finishes the job (deleting a
file that is already gone is fine), so running anything twice gives the same end state.

KPIs: a purged or erased call stays an analysed call with its scores, findings' categories
and metrics, so every KPI and dashboard gives the same numbers before and after; what is
gone is the recording, the words and (on request) whatever names or quotes a person.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.errors import NotFoundError
from qa_service.features.retention.files import call_files, remove_files
from qa_service.features.retention.schemas import (
    MAX_LISTED,
    DeletionReport,
    DeletionRequest,
    PurgeReport,
)
from qa_service.features.retention.scrub import erased_ref, scrub_personal, scrub_transcript
from qa_service.store import audit
from qa_service.store.base import utcnow
from qa_service.store.calls import TRANSCRIPT_FORMAT, Call, CallStatus, PurgeReason, PurgeStep
from qa_service.store.db import Database
from qa_service.store.jobs import Job, JobStatus

log = logging.getLogger(__name__)

# Calls marked and finished per round: short transactions, bounded IN lists.
BATCH = 200
# Calls still being analysed keep their recording until the analysis ends.
SETTLED = (CallStatus.analysed, CallStatus.failed)


def _files_for(settings: Settings, call: Call, step: str) -> list[Path]:
    """A text call's stored file is its transcript; a recording goes with the audio."""
    goes = step == PurgeStep.request or (step == PurgeStep.audio) == call.has_audio
    return call_files(Path(settings.data_dir), call.media_path, call.content_sha256) if goes else []


def _finalise(session: Session, call: Call, step: str, now: datetime) -> None:
    if step in (PurgeStep.transcript, PurgeStep.request):
        scrub_transcript(session, call)
        call.transcript_purged_at = now
    if step == PurgeStep.request:
        scrub_personal(session, call)
    if step == PurgeStep.audio or (step == PurgeStep.request and call.has_audio):
        call.audio_purged_at = now
    call.purge_reason = PurgeReason.request if step == PurgeStep.request else PurgeReason.retention
    call.purge_pending = None


def finish(db: Database, settings: Settings, call_pk: int) -> int:
    """Complete the removal marked on one call; returns the files deleted. A no-op when
    nothing is marked (another process finished it)."""
    with db.session(write=False) as session:
        call = session.get(Call, call_pk)
        if call is None or call.purge_pending is None:
            return 0
        step = call.purge_pending
        paths = _files_for(settings, call, step)
    removed = remove_files(paths)
    with db.session() as session:
        call = session.get(Call, call_pk, with_for_update=True, populate_existing=True)
        # Changed meanwhile: finished by another process, or widened to a deletion request.
        if call is not None and call.purge_pending == step:
            _finalise(session, call, step, utcnow())
    return removed


def _finish_all(db: Database, settings: Settings, ids: list[int]) -> int:
    return sum(finish(db, settings, pk) for pk in ids)


def pending_calls(session: Session, after: int = 0, limit: int = BATCH) -> list[int]:
    query = select(Call.id).where(Call.purge_pending.is_not(None), Call.id > after)
    return list(session.scalars(query.order_by(Call.id).limit(limit)))


def finish_pending(db: Database, settings: Settings) -> tuple[int, int]:
    """Complete every removal a crash left half done: (calls, files deleted)."""
    calls = files = last = 0
    while True:
        with db.session(write=False) as session:
            ids = pending_calls(session, after=last)
        if not ids:
            return calls, files
        files += _finish_all(db, settings, ids)
        calls += len(ids)
        last = ids[-1]


# Retention ---------------------------------------------------------------------------


def _age_before(cutoff: datetime) -> ColumnElement[bool]:
    """Counted from the call's start, or its upload when the start is unknown."""
    return func.coalesce(Call.started_at, Call.created_at) < cutoff


def due(step: PurgeStep, days: int, now: datetime) -> list[ColumnElement[bool]] | None:
    """The conditions of calls whose ``step`` is due; None when that retention is off."""
    if days <= 0:
        return None
    conditions = [
        _age_before(now - timedelta(days=days)),
        Call.status.in_(SETTLED),
        Call.purge_pending.is_(None),
    ]
    if step == PurgeStep.audio:
        return [*conditions, Call.media_format != TRANSCRIPT_FORMAT, Call.audio_purged_at.is_(None)]
    return [*conditions, Call.transcript_purged_at.is_(None)]


def _mark(session: Session, ids: list[int], step: PurgeStep) -> list[int]:
    """Mark the unmarked ones of ``ids``; returns those this call marked."""
    marked = []
    for pk in ids:
        changed = session.execute(
            update(Call)
            .where(Call.id == pk, Call.purge_pending.is_(None))
            .values(purge_pending=step)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount == 1:
            marked.append(pk)
    return marked


def _purge_step(
    db: Database, settings: Settings, step: PurgeStep, where: list, listed: list[int]
) -> tuple[int, int]:
    calls = files = 0
    while True:
        with db.session() as session:
            query = select(Call.id).where(*where).order_by(Call.id).limit(BATCH)
            ids = list(session.scalars(query))
            marked = _mark(session, ids, step)
        if not ids:
            return calls, files
        files += _finish_all(db, settings, marked)
        calls += len(marked)
        listed.extend(marked[: MAX_LISTED - len(listed)])


def purge(
    db: Database, settings: Settings, *, dry_run: bool = False, now: datetime | None = None
) -> PurgeReport:
    """Apply ``QA_RETENTION_AUDIO_DAYS`` and ``QA_RETENTION_TRANSCRIPT_DAYS``, after
    finishing any removal left half done. ``dry_run``: count, change nothing."""
    now = now or utcnow()
    steps = [
        (step, where)
        for step, days in (
            (PurgeStep.audio, settings.retention_audio_days),
            (PurgeStep.transcript, settings.retention_transcript_days),
        )
        if (where := due(step, days, now)) is not None
    ]
    if dry_run:
        return _dry_run(db, steps)
    resumed, files = finish_pending(db, settings)
    counts: dict[PurgeStep, int] = {}
    listed: list[int] = []
    for step, where in steps:
        counts[step], removed = _purge_step(db, settings, step, where, listed)
        files += removed
    report = PurgeReport(
        dry_run=False,
        audio_calls=counts.get(PurgeStep.audio, 0),
        transcript_calls=counts.get(PurgeStep.transcript, 0),
        resumed=resumed,
        files_removed=files,
        call_ids=sorted(set(listed)),
    )
    if report.audio_calls or report.transcript_calls or resumed:
        log.info("retention purge: %s", report.model_dump(exclude={"call_ids"}))
    return report


def _dry_run(db: Database, steps: list) -> PurgeReport:
    counts: dict[PurgeStep, int] = {}
    listed: set[int] = set()
    with db.session(write=False) as session:
        resumed = len(pending_calls(session, limit=MAX_LISTED))
        for step, where in steps:
            counts[step] = session.scalar(select(func.count()).select_from(Call).where(*where))
            ids = session.scalars(select(Call.id).where(*where).order_by(Call.id).limit(MAX_LISTED))
            listed.update(ids)
    return PurgeReport(
        dry_run=True,
        audio_calls=counts.get(PurgeStep.audio, 0),
        transcript_calls=counts.get(PurgeStep.transcript, 0),
        resumed=resumed,
        files_removed=0,
        call_ids=sorted(listed)[:MAX_LISTED],
    )


# Deletion requests -------------------------------------------------------------------


def _targets(session: Session, request: DeletionRequest) -> list[Call]:
    if request.call_id is not None:
        call = session.get(Call, request.call_id, with_for_update=True)
        if call is None:
            raise NotFoundError(f"call {request.call_id} not found")
        return [call]
    query = select(Call).where(Call.customer_ref == request.customer_ref).order_by(Call.id)
    return list(session.scalars(query.with_for_update()))


def _cancel_analysis(session: Session, ids: list[int]) -> None:
    """A queued analysis of an erased call must not bring its transcript back."""
    session.execute(
        update(Job)
        .where(Job.call_id.in_(ids), Job.status == JobStatus.queued)
        .values(status=JobStatus.failed, last_error="the call was deleted on request")
        .execution_options(synchronize_session=False)
    )


def _take_request(
    session: Session, request: DeletionRequest, actor_id: int | None, via: dict
) -> tuple[int, list[int], list[int]]:
    """Mark the calls, replace the customer reference and audit it, in one transaction."""
    calls = _targets(session, request)
    done = [c.id for c in calls if c.purge_reason == PurgeReason.request and not c.purge_pending]
    todo = [c for c in calls if c.id not in done]
    stand_in = erased_ref()
    for call in todo:
        call.purge_pending = PurgeStep.request
        if call.customer_ref:
            # One customer's calls share the stand-in (repeat contacts still count); a single
            # erased call gets its own and no longer links to the customer's other calls.
            call.customer_ref = stand_in
        if call.status not in SETTLED:
            call.status, call.error = CallStatus.failed, "deleted on request"
    _cancel_analysis(session, [c.id for c in todo])
    entity = ("call", request.call_id) if request.call_id else ("customer", stand_in)
    entry = audit.record(
        session,
        actor_id,
        "personal_data.delete",
        *entity,
        None,
        {
            "reason": request.reason,
            "calls": [c.id for c in todo],
            "count": len(todo),
            "already_deleted": done,
            **via,
        },
    )
    session.flush()
    return entry.id, [c.id for c in todo], done


def request_deletion(
    db: Database,
    settings: Settings,
    request: DeletionRequest,
    actor_id: int | None,
    via: dict | None = None,
) -> DeletionReport:
    """Erase one call or one customer's calls: recording, transcript, derived files and
    personal fields; the audit entry says who, when, why and which calls (no personal
    data: the customer reference is not repeated in it). Running it again is harmless."""
    with db.session() as session:
        audit_id, ids, done = _take_request(session, request, actor_id, via or {})
    files = _finish_all(db, settings, ids)
    _, resumed_files = finish_pending(db, settings)
    return DeletionReport(
        audit_id=audit_id, calls=ids, already_deleted=done, files_removed=files + resumed_files
    )
