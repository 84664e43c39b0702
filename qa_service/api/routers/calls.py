"""Calls: upload, list, status, transcript, findings, score, audio, rescoring."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy import func, select

from qa_service.api.access import calls_visible_to, get_visible_call
from qa_service.api.deps import CurrentUser, DbDep, SessionDep, SettingsDep, StaffUser
from qa_service.api.errors import ERROR_SCHEMA, ConflictError
from qa_service.api.multipart import MAX_FIELD_BYTES
from qa_service.api.schemas.calls import (
    CallDetail,
    CallPublic,
    FindingPublic,
    JobPublic,
    RescoreRequest,
    RescoreResult,
    ScorePublic,
    TranscriptPublic,
    UploadedCall,
    UploadResult,
)
from qa_service.api.schemas.common import IdPath, Limit, MomentQuery, Offset, Page, ShortQuery
from qa_service.api.services import ingest
from qa_service.api.services.rescoring import rescore
from qa_service.api.services.reviews import require_analysed
from qa_service.errors import NotFoundError
from qa_service.jobs.queue import enqueue
from qa_service.jobs.tasks import ANALYZE
from qa_service.store import audit
from qa_service.store.calls import Call, CallStatus
from qa_service.store.jobs import Job, JobStatus
from qa_service.store.reviews import discard_reviews

router = APIRouter(prefix="/calls", tags=["calls"])

_errors = {"content": {"application/json": {"schema": ERROR_SCHEMA}}}
UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "One or more recordings (repeat the 'files' part).",
                        },
                        "metadata": {
                            "type": "string",
                            "maxLength": MAX_FIELD_BYTES,
                            "description": "JSON: one CallMetadata object for every file, or a "
                            "list with one per file in order.",
                        },
                        **{
                            name: {
                                "type": "string",
                                "maxLength": 128,
                                "description": "Same as in metadata.",
                            }
                            for name in sorted(ingest.SIMPLE_FIELDS)
                        },
                    },
                }
            }
        },
    },
    "responses": {
        str(code): {"description": why, **_errors}
        for code, why in (
            (409, "call id already used by another recording"),
            (413, "a file or the request is over the size limit"),
            (415, "not an accepted audio format"),
            (422, "empty, truncated or unreadable recording, bad metadata"),
        )
    },
}


@router.post(
    "",
    response_model=UploadResult,
    status_code=201,
    openapi_extra=UPLOAD_DOC,
    summary="Upload recordings with their metadata",
    description="Streams each file to disk. The same bytes uploaded again give the existing "
    "call (200, created=false). All or nothing: one bad file refuses the whole request.",
)
async def upload_calls(
    request: Request, response: Response, user: StaffUser, db: DbDep, settings: SettingsDep
) -> UploadResult:
    results = await ingest.ingest(request, db, settings, user)
    if not any(r.created for r in results):
        response.status_code = 200
    return UploadResult(
        calls=[
            UploadedCall(
                filename=r.filename, created=r.created, call=CallPublic.model_validate(r.call)
            )
            for r in results
        ]
    )


@router.get("", response_model=Page[CallPublic], summary="Calls you may see, newest first")
def list_calls(
    user: CurrentUser,
    session: SessionDep,
    status: CallStatus | None = None,
    review_state: ShortQuery = None,
    agent_id: ShortQuery = None,
    team: ShortQuery = None,
    queue: ShortQuery = None,
    started_from: MomentQuery = None,
    started_to: MomentQuery = None,
    calibration_flag: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    query = select(Call).where(calls_visible_to(user))
    filters = (
        (Call.status, status),
        (Call.review_state, review_state),
        (Call.agent_id, agent_id),
        (Call.team, team),
        (Call.queue, queue),
        (Call.calibration_flag, calibration_flag),
    )
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    if started_from is not None:
        query = query.where(Call.started_at >= started_from)
    if started_to is not None:
        query = query.where(Call.started_at < started_to)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Call.id.desc()).limit(limit).offset(offset)).all()
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _latest_job(session, call_id: int) -> Job | None:
    return session.scalar(
        select(Job).where(Job.call_id == call_id).order_by(Job.id.desc()).limit(1)
    )


@router.get("/{call_id}", response_model=CallDetail)
def get_call(call_id: IdPath, user: CurrentUser, session: SessionDep) -> CallDetail:
    call = get_visible_call(session, user, call_id)
    detail = CallDetail.model_validate(call)
    job = _latest_job(session, call.id)
    detail.job = None if job is None else JobPublic.model_validate(job)
    return detail


@router.get("/{call_id}/result", summary="The whole result contract (transcript included)")
def get_result(call_id: IdPath, user: CurrentUser, session: SessionDep) -> dict:
    call = get_visible_call(session, user, call_id)
    require_analysed(call)
    return call.result


@router.get("/{call_id}/transcript", response_model=TranscriptPublic)
def get_transcript(call_id: IdPath, user: CurrentUser, session: SessionDep) -> dict:
    call = get_visible_call(session, user, call_id)
    require_analysed(call)
    result = call.result
    return {
        "call_id": call.call_id,
        "language": result.get("language"),
        "duration_s": result.get("duration_s"),
        "channels": result.get("channels") or {},
        "utterances": result.get("utterances") or [],
    }


@router.get("/{call_id}/findings", response_model=list[FindingPublic])
def get_findings(call_id: IdPath, user: CurrentUser, session: SessionDep) -> list:
    call = get_visible_call(session, user, call_id)
    require_analysed(call)
    return call.findings


@router.get("/{call_id}/score", response_model=ScorePublic)
def get_score(call_id: IdPath, user: CurrentUser, session: SessionDep) -> dict:
    call = get_visible_call(session, user, call_id)
    require_analysed(call)
    score = call.result.get("score") or {}
    return {
        "rule_pack": call.rule_pack,
        "scorecard": call.scorecard,
        "total": call.score_total,
        "critical_failed": call.critical_failed,
        "reviewed_score": call.reviewed_score,
        "score_adjustment": call.score_adjustment,
        "dimensions": call.dimensions,
        "items": score.get("items") or [],
    }


@router.get(
    "/{call_id}/audio",
    response_class=FileResponse,
    summary="The recording as uploaded",
    responses={200: {"content": {"audio/*": {}}}},
)
def get_audio(call_id: IdPath, user: CurrentUser, db: DbDep, settings: SettingsDep):
    # Authorise and find the file in a short reading session, closed before the first byte
    # goes out: a client that stops reading must hold no transaction while the file streams.
    with db.session(write=False) as session:
        call = get_visible_call(session, user, call_id)
        if not call.has_audio:
            raise NotFoundError(f"call {call_id} is a text conversation: it has no audio")
        relative, media_format, filename = call.media_path, call.media_format, call.filename
    path = Path(settings.data_dir) / relative
    if not path.is_file():
        raise NotFoundError(f"the recording of call {call_id} is missing on the server")
    return FileResponse(path, media_type=f"audio/{media_format}", filename=filename)


@router.post("/{call_id}/rescore", response_model=RescoreResult)
def rescore_call(
    call_id: IdPath,
    body: RescoreRequest,
    user: StaffUser,
    session: SessionDep,
    settings: SettingsDep,
) -> dict:
    call = get_visible_call(session, user, call_id, lock=True)
    return rescore(session, settings, call, user, body.pack, body.dry_run)


@router.post(
    "/{call_id}/analyze",
    response_model=CallDetail,
    status_code=202,
    summary="Analyse again (after a failure, or with new models)",
)
def reanalyze_call(
    call_id: IdPath, request: Request, user: StaffUser, session: SessionDep, settings: SettingsDep
) -> CallDetail:
    call = get_visible_call(session, user, call_id, lock=True)
    pending = session.scalar(
        select(Job.id).where(
            Job.call_id == call.id, Job.status.in_([JobStatus.queued, JobStatus.running])
        )
    )
    if pending is not None:
        raise ConflictError(f"call {call_id} is already queued for analysis")
    if call.disputes_open:
        raise ConflictError(f"call {call_id} has open disputes; settle them first")
    job = enqueue(session, ANALYZE, call.id, settings.job_max_attempts)
    before = {"status": call.status, **call.score_snapshot()}
    discard_reviews(session, call)
    call.status, call.error = CallStatus.queued, None
    audit.record(
        session, user.id, "call.reanalyze", "call", call.id, before, {"status": call.status}
    )
    session.commit()
    request.app.state.dispatch(job.id)
    detail = CallDetail.model_validate(call)
    detail.job = JobPublic.model_validate(job)
    return detail
