"""Receiving an upload over HTTP: the request body streamed to the spool folder (multipart
parts, or one transcript as a JSON body), then handed to the calls feature to ingest."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from qa_service.api.multipart import StreamingForm, sweep_partials
from qa_service.config import Settings
from qa_service.errors import InputError, TooLargeError
from qa_service.features.calls.ingest import Ingested, ingest_form
from qa_service.features.calls.received import ReceivedForm
from qa_service.features.calls.sniff import check_head
from qa_service.features.calls.transcripts import is_json_body, receive_json_body
from qa_service.store.accounts import User
from qa_service.store.db import Database

# Room for the multipart framing and form fields around the files themselves.
FORM_OVERHEAD_BYTES = 2 * 1024 * 1024


async def receive(request: Request, settings: Settings) -> ReceivedForm:
    declared = request.headers.get("content-length")
    limit = settings.upload_max_bytes * settings.upload_max_files + FORM_OVERHEAD_BYTES
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLargeError(f"the upload is larger than the limit of {limit // 2**20} MiB")
    spool = Path(settings.data_dir) / "uploads"
    sweep_partials(spool)
    if is_json_body(request.headers.get("content-type", "")):
        return await receive_json_body(request.stream(), spool, settings.upload_max_bytes)
    parser = StreamingForm(
        spool,
        settings.upload_max_bytes,
        settings.upload_max_files,
        check_head=lambda name, head: check_head(name, head, settings),
    )
    form = await parser.parse(request.headers.get("content-type", ""), request.stream())
    if not form.files:
        raise InputError(
            "no file in the upload: send each recording (or transcript .json) as a 'files' "
            "part, or one transcript as an application/json body"
        )
    return form


async def ingest_upload(
    request: Request, db: Database, settings: Settings, user: User
) -> list[Ingested]:
    """Receive, ingest off the event loop, then wake the workers for the new jobs."""
    form = await receive(request, settings)
    results, job_ids = await run_in_threadpool(ingest_form, db, settings, user, form)
    for job_id in job_ids:
        request.app.state.dispatch(job_id)
    return results
