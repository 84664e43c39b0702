"""Ingestion of received files: check the content, deduplicate by hash, store, queue analysis.

Uploads (the API streams them to the spool folder first) and batch imports both come here.
A request is all or nothing: if any file is refused, no file of it is kept and no call is
created, and the answer names the file and the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.datafiles import FILE_MODE, private_dir
from qa_service.errors import ConflictError, InputError
from qa_service.features.calls.json_limits import json_depth
from qa_service.features.calls.received import ReceivedFile, ReceivedForm
from qa_service.features.calls.schemas import METADATA_FIELDS, CallMetadata
from qa_service.features.calls.sniff import check_extension
from qa_service.features.calls.transcripts import check_transcript
from qa_service.features.packs.service import resolve_pack
from qa_service.jobs.queue import ANALYZE, enqueue
from qa_service.store import audit
from qa_service.store.accounts import User
from qa_service.store.calls import TRANSCRIPT_FORMAT, Call, call_id_taken, get_call_by_hash
from qa_service.store.db import Database
from qa_service.store.jobs import Job

METADATA_FIELD = "metadata"
# Form fields accepted one by one (for curl), applied to every file of the request.
SIMPLE_FIELDS = frozenset(METADATA_FIELDS)


def queue_analysis(session: Session, settings: Settings, call: Call) -> Job:
    """The call's analysis job, queued in the caller's transaction (a worker picks it up
    once that commits and the adapter dispatches the job id)."""
    return enqueue(session, ANALYZE, call.id, settings.job_max_attempts)


@dataclass
class Ingested:
    filename: str
    created: bool
    call: Call


def valid_metadata(values: dict[str, Any], label: str) -> CallMetadata:
    """``values`` as call metadata; the error names ``label`` (the file) and the field."""
    try:
        return CallMetadata.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{label}: metadata {where}: {first['msg']}") from None


# Metadata is a list of flat objects: three levels; anything deeper is refused before parsing
# (a JSON nested thousands deep would exhaust the parser's recursion).
MAX_METADATA_DEPTH = 3


def metadata_for(form: ReceivedForm) -> list[CallMetadata]:
    """One metadata object per file: the 'metadata' JSON (an object for all, or a list in
    file order) over the simple form fields."""
    defaults = {k: v[-1] for k, v in form.fields.items() if k in SIMPLE_FIELDS and v[-1] != ""}
    unknown = set(form.fields) - SIMPLE_FIELDS - {METADATA_FIELD}
    if unknown:
        raise InputError(f"unknown form field(s): {', '.join(sorted(unknown))}")
    per_file: list[dict] = [{} for _ in form.files]
    if METADATA_FIELD in form.fields:
        text = form.fields[METADATA_FIELD][-1]
        if json_depth(text) > MAX_METADATA_DEPTH:
            raise InputError(f"metadata: nested deeper than {MAX_METADATA_DEPTH} levels")
        try:
            given = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"metadata: not valid JSON ({exc})") from None
        if isinstance(given, dict):
            per_file = [dict(given) for _ in form.files]
        elif isinstance(given, list) and len(given) == len(form.files):
            per_file = given
        else:
            raise InputError("metadata: give one JSON object, or a list with one per file")
    out = []
    for received, extra in zip(form.files, per_file, strict=True):
        if not isinstance(extra, dict):
            raise InputError(f"{received.filename}: metadata must be a JSON object")
        out.append(valid_metadata({**defaults, **extra}, received.filename))
    named = [m.call_id for m in out if m.call_id]
    if len(named) != len(set(named)):
        raise InputError("metadata: two files of the upload have the same call_id")
    return out


def check_recording(received: ReceivedFile, settings: Settings) -> str:
    """Refuse what is not a whole recording in an allowed format, or a transcript JSON that
    analysis could not read; returns the format."""
    from qa_service.engines.audio import probe_audio, wav_missing_bytes

    if received.size == 0:
        raise InputError(f"{received.filename}: the file is empty")
    suffix = Path(received.filename).suffix.lower().lstrip(".")
    if suffix == TRANSCRIPT_FORMAT:
        return check_transcript(received)
    suffix = check_extension(received.filename, settings)
    try:
        probe_audio(received.path, settings)
    except InputError as exc:
        raise type(exc)(exc.message.replace(str(received.path), received.filename)) from None
    if missing := wav_missing_bytes(received.path):
        raise InputError(
            f"{received.filename}: the file is truncated: {missing} bytes of audio are missing"
        )
    return suffix


def media_path(sha256: str, suffix: str) -> Path:
    return Path("recordings") / sha256[:2] / f"{sha256}.{suffix}"


def _call_id(session: Session, meta: CallMetadata, received: ReceivedFile) -> str:
    if meta.call_id:
        if call_id_taken(session, meta.call_id):
            raise ConflictError(f"call id {meta.call_id!r} is already used by another recording")
        return meta.call_id
    stem = Path(received.filename).stem[:100] or "call"
    return stem if not call_id_taken(session, stem) else f"{stem}-{received.sha256[:8]}"


def _new_call(
    session: Session,
    settings: Settings,
    user: User,
    received: ReceivedFile,
    meta: CallMetadata,
    fmt: str,
) -> tuple[Call, int]:
    call = Call(
        call_id=_call_id(session, meta, received),
        content_sha256=received.sha256,
        filename=received.filename,
        media_path=str(media_path(received.sha256, fmt)),
        media_format=fmt,
        size_bytes=received.size,
        uploaded_by=user.id,
        agent_id=meta.agent_id,
        team=meta.team,
        queue=meta.queue,
        started_at=meta.started_at,
        direction=meta.direction,
        customer_ref=meta.customer_ref,
        roles=meta.channels or "agent,customer",
        language_hint=meta.language,
        pack_request=meta.pack,
        csat=meta.csat,
        nps=meta.nps,
        extra=meta.extra or None,
    )
    session.add(call)
    session.flush()
    job = queue_analysis(session, settings, call)
    described = meta.model_dump(mode="json", exclude_none=True, exclude={"call_id", "extra"})
    audit.record(
        session,
        user.id,
        "call.upload",
        "call",
        call.id,
        None,
        {
            "call_id": call.call_id,
            "filename": call.filename,
            "sha256": received.sha256,
            **described,
        },
    )
    return call, job.id


def _keep_file(settings: Settings, received: ReceivedFile, relative: str) -> Path | None:
    """Move the upload to its place; returns the path if this request put it there."""
    target = Path(settings.data_dir) / relative
    if target.exists():
        received.path.unlink(missing_ok=True)
        return None
    private_dir(target.parent)
    shutil.move(received.path, target)
    os.chmod(target, FILE_MODE)
    return target


def store(
    db: Database,
    settings: Settings,
    user: User,
    form: ReceivedForm,
    metas: list[CallMetadata],
    formats: list[str],
) -> tuple[list[Ingested], list[int]]:
    """Create the calls (or find the existing ones); returns them and the new jobs' ids."""
    placed: list[Path] = []
    try:
        with db.session() as session:
            for meta in metas:
                if meta.pack:
                    resolve_pack(session, settings, meta.pack)
            results: list[Ingested] = []
            by_hash: dict[str, Call] = {}
            job_ids: list[int] = []
            for received, meta, fmt in zip(form.files, metas, formats, strict=True):
                call = by_hash.get(received.sha256) or get_call_by_hash(session, received.sha256)
                created = call is None
                if created:
                    call, job_id = _new_call(session, settings, user, received, meta, fmt)
                    job_ids.append(job_id)
                    if (path := _keep_file(settings, received, call.media_path)) is not None:
                        placed.append(path)
                by_hash[received.sha256] = call
                results.append(Ingested(received.filename, created, call))
        return results, job_ids
    except IntegrityError:
        _remove(placed)
        raise ConflictError(
            "the same recording or call id was being uploaded at the same moment; send it again"
        ) from None
    except BaseException:
        _remove(placed)
        raise
    finally:
        form.discard()


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def ingest_form(
    db: Database, settings: Settings, user: User, form: ReceivedForm
) -> tuple[list[Ingested], list[int]]:
    """Every file of a received upload, or none: the calls and the new analysis jobs' ids,
    for the caller to hand to the workers once this returns (the rows are committed)."""
    try:
        metas = metadata_for(form)
        formats = [check_recording(f, settings) for f in form.files]
    except BaseException:
        form.discard()
        raise
    return store(db, settings, user, form, metas, formats)


def ingest_copy(
    db: Database,
    settings: Settings,
    user: User,
    source: Path,
    sha256: str,
    metadata: dict[str, Any],
    label: str,
) -> tuple[Ingested, list[int]]:
    """One file of the server's own (a batch import) through the same path as an upload:
    a copy goes to the spool folder, so the source is never moved or changed."""
    meta = valid_metadata(metadata, label)
    spool = Path(settings.data_dir) / "uploads"
    private_dir(spool)
    copy = spool / f"import-{uuid.uuid4().hex}{source.suffix.lower()}"
    shutil.copyfile(source, copy)
    received = ReceivedFile("files", source.name, copy, copy.stat().st_size, sha256)
    form = ReceivedForm(files=[received])
    try:
        fmt = check_recording(received, settings)
    except BaseException:
        form.discard()
        raise
    results, job_ids = store(db, settings, user, form, [meta], [fmt])
    return results[0], job_ids
