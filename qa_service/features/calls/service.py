"""Calls: the listing, one call with its analysis job, the stored result's parts, the
recording, rescoring and analysing again. Every read goes through ``features.access``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.engines.registry import Engines
from qa_service.errors import ConflictError, NotFoundError
from qa_service.features.access import PII_VIEW, get_visible_call, has_permission, visible_calls
from qa_service.features.calls.ingest import queue_analysis
from qa_service.features.calls.privacy import (
    call_spans,
    record_view,
    shown_findings,
    shown_result,
    shown_score_items,
)
from qa_service.features.calls.rescoring import rescore
from qa_service.features.calls.schemas import CallDetail, FindingPublic, JobPublic
from qa_service.features.calls.withheld import (
    detail_shown,
    listed_calls,
    result_shown,
    score_shown,
    visible_findings,
    withheld_ids,
)
from qa_service.features.pagination import paginate
from qa_service.features.question_calibrations.service import (
    refuse_if_withheld,
    withheld_on_call,
    withheld_questions,
)
from qa_service.store import audit
from qa_service.store.accounts import User
from qa_service.store.call_facts import effective_score
from qa_service.store.calls import (
    Call,
    CallStatus,
    FindingRecord,
    require_analysed,
    require_audio,
    require_transcript,
    result_score,
    result_transcript,
)
from qa_service.store.db import Database
from qa_service.store.jobs import Job, JobStatus
from qa_service.store.reviews import discard_reviews

if TYPE_CHECKING:
    from qa_service.features.packs.names import PackNames


class CallSort(StrEnum):
    newest = "newest"  # when the call happened (started, else received), latest first
    oldest = "oldest"
    score_low = "score_low"  # the effective score (reviewed, else machine), worst first
    score_high = "score_high"
    longest = "longest"


def _call_order(sort: CallSort) -> tuple[Any, ...]:
    """ORDER BY for ``sort``; calls without a score or duration go last; the id breaks ties,
    so pages never repeat or skip a call."""
    when = func.coalesce(Call.started_at, Call.created_at)
    score = effective_score()
    orders = {
        CallSort.newest: (when.desc(), Call.id.desc()),
        CallSort.oldest: (when.asc(), Call.id.asc()),
        CallSort.score_low: (score.is_(None), score.asc(), Call.id.desc()),
        CallSort.score_high: (score.is_(None), score.desc(), Call.id.desc()),
        CallSort.longest: (Call.duration_s.is_(None), Call.duration_s.desc(), Call.id.desc()),
    }
    return orders[sort]


def _search_clause(text: str) -> ColumnElement[bool]:
    """A call id, an agent id or an agent's name containing ``text`` (any case); ``%`` and
    ``_`` are matched as themselves."""
    needle = text.strip().lower()
    named = select(User.agent_id).where(
        User.agent_id.is_not(None), func.lower(User.full_name).contains(needle, autoescape=True)
    )
    return or_(
        func.lower(Call.call_id).contains(needle, autoescape=True),
        func.lower(Call.agent_id).contains(needle, autoescape=True),
        Call.agent_id.in_(named),
    )


def list_calls(
    session: Session,
    user: User,
    *,
    status: str | None = None,
    review_state: str | None = None,
    agent_id: str | None = None,
    team: str | None = None,
    queue: str | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    calibration_flag: bool | None = None,
    critical_failed: bool | None = None,
    search: str | None = None,
    sort: CallSort = CallSort.newest,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """The calls ``user`` may see, as a page in ``sort`` order (newest first by default);
    without the score where an open calibration session withholds answers from ``user``."""
    query = select(Call).where(visible_calls(user))
    filters = (
        (Call.status, status),
        (Call.review_state, review_state),
        (Call.agent_id, agent_id),
        (Call.team, team),
        (Call.queue, queue),
        (Call.calibration_flag, calibration_flag),
        (Call.critical_failed, critical_failed),
    )
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    if started_from is not None:
        query = query.where(Call.started_at >= started_from)
    if started_to is not None:
        query = query.where(Call.started_at < started_to)
    if search and search.strip():
        query = query.where(_search_clause(search))
    page = paginate(session, query, _call_order(sort), limit, offset)
    withheld = withheld_questions(session, user, [c.id for c in page["items"]])
    return {**page, "items": listed_calls(page["items"], withheld)}


def _latest_job(session: Session, call_id: int) -> Job | None:
    return session.scalar(
        select(Job).where(Job.call_id == call_id).order_by(Job.id.desc()).limit(1)
    )


def call_detail(session: Session, user: User, call_id: int) -> CallDetail:
    call = get_visible_call(session, user, call_id)
    detail = CallDetail.model_validate(call)
    job = _latest_job(session, call.id)
    detail.job = None if job is None else JobPublic.model_validate(job)
    return detail_shown(detail, withheld_on_call(session, user, call.id))


def analysed_call(session: Session, user: User, call_id: int) -> Call:
    """A call ``user`` may see that has a result (else 404 or 409)."""
    call = get_visible_call(session, user, call_id)
    require_analysed(call)
    return call


def call_with_transcript(session: Session, user: User, call_id: int) -> Call:
    """An analysed call whose transcript is still kept (else 404, 409 or 410)."""
    call = analysed_call(session, user, call_id)
    require_transcript(call)
    return call


def call_result(
    session: Session, user: User, call_id: int, db: Database | None = None
) -> dict[str, Any]:
    """``db``: where a view of personal data is audited (see ``privacy.record_view``)."""
    call = call_with_transcript(session, user, call_id)
    shown = shown_result(session, user, call, "result", db)
    return result_shown(shown, withheld_on_call(session, user, call.id))


def call_transcript(
    session: Session, user: User, call_id: int, db: Database | None = None
) -> dict[str, Any]:
    call = call_with_transcript(session, user, call_id)
    shown = shown_result(session, user, call, "transcript", db)
    return {**result_transcript(call), "utterances": shown.get("utterances") or []}


def call_findings(
    session: Session, user: User, call_id: int, db: Database | None = None
) -> list[FindingRecord] | list[dict[str, Any]]:
    call = analysed_call(session, user, call_id)
    shown = shown_findings(session, user, call, db)
    return visible_findings(shown, withheld_on_call(session, user, call.id))


@dataclass(frozen=True, slots=True)
class NamedFindings:
    findings: list[FindingPublic]
    # The questions whose answers were left out (``withheld.py``), sorted.
    withheld: list[str]


def named_findings(
    session: Session, user: User, call_id: int, names: PackNames, db: Database | None = None
) -> NamedFindings:
    """The call's findings as ``call_findings`` shows them, each with its rule's name."""
    call = analysed_call(session, user, call_id)
    withheld = withheld_on_call(session, user, call.id)
    shown = visible_findings(shown_findings(session, user, call, db), withheld)
    rows = [
        row.model_copy(update={"rule_name": names.rule(call.rule_pack, row.rule_id)})
        for row in map(FindingPublic.model_validate, shown)
    ]
    return NamedFindings(rows, withheld_ids(withheld))


def call_score(session: Session, user: User, call_id: int) -> dict[str, Any]:
    call = analysed_call(session, user, call_id)
    score = result_score(call)
    score = {**score, "items": shown_score_items(user, call, score["items"])}
    return score_shown(score, withheld_on_call(session, user, call.id))


@dataclass(frozen=True, slots=True)
class Recording:
    path: Path
    media_format: str
    filename: str
    sha256: str
    # What files derived from this audio (waveform peaks) are cached under: the content
    # hash, or the redacted copy's name (which starts with it, so retention finds it).
    cache_key: str = ""

    @property
    def key(self) -> str:
        return self.cache_key or self.sha256


def recording(db: Database, settings: Settings, user: User, call_id: int) -> Recording:
    """The stored recording of a call ``user`` may see. Authorised in a short reading
    session, closed before the caller streams or decodes the file: a client that stops
    reading must hold no transaction."""
    with db.session(write=False) as session:
        call = get_visible_call(session, user, call_id)
        if not call.has_audio:
            raise NotFoundError(f"call {call_id} is a text conversation: it has no audio")
        require_audio(call)
        found = Recording(
            Path(settings.data_dir) / call.media_path,
            call.media_format,
            call.filename,
            call.content_sha256,
        )
    if not found.path.is_file():
        raise NotFoundError(f"the recording of call {call_id} is missing on the server")
    return found


def served_recording(
    db: Database, settings: Settings, user: User, call_id: int, audited: bool = True
) -> Recording:
    """The recording as ``user`` may hear it: without ``pii:view``, a copy with the spans of
    personal data silenced; with it, the original (the view audited when it holds some,
    unless ``audited`` is false: the waveform drawn from it is no listening)."""
    from qa_service.engines.audio_redact import redacted_path, write_redacted

    found = recording(db, settings, user, call_id)
    with db.session(write=False) as session:
        call = get_visible_call(session, user, call_id)
        spans = call_spans(call)
        if spans and audited and has_permission(user, PII_VIEW):
            record_view(db, session, user, call, "audio", spans)
    if not spans or has_permission(user, PII_VIEW):
        return found
    times = [(s.start_s, s.end_s) for s in spans]
    target = redacted_path(Path(settings.data_dir), found.sha256, times)
    write_redacted(found.path, times, target, settings)
    stem = Path(found.filename).stem
    return Recording(target, "wav", f"{stem}.redacted.wav", found.sha256, target.stem)


def rescore_call(
    session: Session,
    settings: Settings,
    user: User,
    call_id: int,
    *,
    pack: str,
    dry_run: bool,
    engines: Engines,
) -> dict[str, Any]:
    """``engines``: the process's models (the app's), so a configured embedding model used by
    ``semantic`` rules is not loaded again for each rescore."""
    call = get_visible_call(session, user, call_id, lock=True)
    # A rescore shows the score and its items: not while the model's answers are withheld.
    refuse_if_withheld(session, user, call.id)
    return rescore(session, settings, call, user, pack, dry_run, engines)


def reanalyse(
    session: Session, settings: Settings, user: User, call_id: int
) -> tuple[CallDetail, int]:
    """Queue the call for analysis again (its reviews are discarded); committed here, so the
    caller may hand the returned job id to the workers at once."""
    call = get_visible_call(session, user, call_id, lock=True)
    require_audio(call)
    pending = session.scalar(
        select(Job.id).where(
            Job.call_id == call.id, Job.status.in_([JobStatus.queued, JobStatus.running])
        )
    )
    if pending is not None:
        raise ConflictError(f"call {call_id} is already queued for analysis")
    if call.disputes_open:
        raise ConflictError(f"call {call_id} has open disputes; settle them first")
    job = queue_analysis(session, settings, call)
    before = {"status": call.status, **call.score_snapshot()}
    discard_reviews(session, call)
    call.status, call.error = CallStatus.queued, None
    audit.record(
        session, user.id, "call.reanalyze", "call", call.id, before, {"status": call.status}
    )
    session.commit()
    detail = CallDetail.model_validate(call)
    detail.job = JobPublic.model_validate(job)
    return detail, job.id
