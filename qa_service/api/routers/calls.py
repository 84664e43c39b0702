"""Calls: upload, list, status, transcript, findings, score, audio, rescoring."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from qa_service.api.errors import ERROR_SCHEMA
from qa_service.api.multipart import MAX_FIELD_BYTES
from qa_service.api.schemas.common import IdPath, Limit, MomentQuery, Offset, ShortQuery
from qa_service.api.uploads import ingest_upload
from qa_service.features.calls import service
from qa_service.features.calls.ingest import SIMPLE_FIELDS
from qa_service.features.calls.schemas import (
    WITHHELD_DOC,
    CallDetail,
    CallPublic,
    FindingPublic,
    RescoreRequest,
    RescoreResult,
    ScorePublic,
    TranscriptPublic,
    UploadedCall,
    UploadResult,
)
from qa_service.features.packs.names import PackNames
from qa_service.features.schemas import Page
from qa_service.http.deps import CurrentUser, DbDep, EnginesDep, SessionDep, SettingsDep, StaffUser
from qa_service.http.language import request_language
from qa_service.store.calls import CallStatus

router = APIRouter(prefix="/calls", tags=["calls"])

_errors = {"content": {"application/json": {"schema": ERROR_SCHEMA}}}
WITHHELD_HEADER = "Withheld-Questions"
_withheld = {"description": "Comma-separated: " + WITHHELD_DOC[0].lower() + WITHHELD_DOC[1:]}
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
                            for name in sorted(SIMPLE_FIELDS)
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
    results = await ingest_upload(request, db, settings, user)
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
    critical_failed: bool | None = None,
    search: ShortQuery = None,
    sort: service.CallSort = service.CallSort.newest,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    """``search``: part of a call id, an agent id or an agent's name; ``sort``: newest
    (when the call happened), oldest, score_low, score_high or longest."""
    return service.list_calls(
        session,
        user,
        status=status,
        review_state=review_state,
        agent_id=agent_id,
        team=team,
        queue=queue,
        started_from=started_from,
        started_to=started_to,
        calibration_flag=calibration_flag,
        critical_failed=critical_failed,
        search=search,
        sort=sort,
        limit=limit,
        offset=offset,
    )


@router.get("/{call_id}", response_model=CallDetail)
def get_call(call_id: IdPath, user: CurrentUser, session: SessionDep) -> CallDetail:
    return service.call_detail(session, user, call_id)


@router.get("/{call_id}/result", summary="The whole result contract (transcript included)")
def get_result(call_id: IdPath, user: CurrentUser, session: SessionDep, db: DbDep) -> dict:
    """While an open calibration session withholds the model's answers to some questions
    from you, their findings are left out, ``score`` is null and ``withheld_questions``
    names them."""
    return service.call_result(session, user, call_id, db)


@router.get("/{call_id}/transcript", response_model=TranscriptPublic)
def get_transcript(call_id: IdPath, user: CurrentUser, session: SessionDep, db: DbDep) -> dict:
    return service.call_transcript(session, user, call_id, db)


@router.get(
    "/{call_id}/findings",
    response_model=list[FindingPublic],
    responses={200: {"headers": {WITHHELD_HEADER: {"schema": {"type": "string"}, **_withheld}}}},
)
def get_findings(
    call_id: IdPath,
    request: Request,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    db: DbDep,
) -> list:
    """``rule_name``: the rule's (or question's) name in the reader's language (the
    ``qa_lang`` cookie, else Accept-Language), "" when its pack is gone. The answers to
    questions withheld by an open calibration session are left out and named in the
    ``Withheld-Questions`` header."""
    names = PackNames(session, settings, request_language(request))
    shown = service.named_findings(session, user, call_id, names, db)
    if shown.withheld:
        response.headers[WITHHELD_HEADER] = ",".join(shown.withheld)
    return shown.findings


@router.get("/{call_id}/score", response_model=ScorePublic)
def get_score(call_id: IdPath, user: CurrentUser, session: SessionDep) -> dict:
    return service.call_score(session, user, call_id)


@router.get(
    "/{call_id}/audio",
    response_class=FileResponse,
    summary="The recording as uploaded; silenced where personal data was said without pii:view",
    responses={200: {"content": {"audio/*": {}}}},
)
def get_audio(call_id: IdPath, user: CurrentUser, db: DbDep, settings: SettingsDep):
    found = service.served_recording(db, settings, user, call_id)
    return FileResponse(
        found.path, media_type=f"audio/{found.media_format}", filename=found.filename
    )


@router.post("/{call_id}/rescore", response_model=RescoreResult)
def rescore_call(
    call_id: IdPath,
    body: RescoreRequest,
    user: StaffUser,
    session: SessionDep,
    settings: SettingsDep,
    engines: EnginesDep,
) -> dict:
    return service.rescore_call(
        session, settings, user, call_id, pack=body.pack, dry_run=body.dry_run, engines=engines
    )


@router.post(
    "/{call_id}/analyze",
    response_model=CallDetail,
    status_code=202,
    summary="Analyse again (after a failure, or with new models)",
)
def reanalyze_call(
    call_id: IdPath, request: Request, user: StaffUser, session: SessionDep, settings: SettingsDep
) -> CallDetail:
    detail, job_id = service.reanalyse(session, settings, user, call_id)
    request.app.state.dispatch(job_id)
    return detail
