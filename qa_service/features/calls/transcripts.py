"""Text calls: a transcript JSON (a chat log, another vendor's ASR) uploaded instead of audio.

It arrives as a ``.json`` file part of the usual multipart upload, or as the whole request
body with ``Content-Type: application/json``. Either way it is checked exactly as analysis
will read it, stored like a recording (by content hash) and analysed without ASR.
The body's ``call_id`` and ``language`` and its ``metadata`` object (the upload's metadata
fields) describe the call when no form fields do.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from qa_service.domain.transcript_json import transcript_from_dict
from qa_service.errors import InputError, TooLargeError
from qa_service.features.calls.json_limits import json_depth
from qa_service.features.calls.received import ReceivedFile, ReceivedForm
from qa_service.store.calls import TRANSCRIPT_FORMAT

JSON_CONTENT_TYPE = "application/json"
# Top-level keys of a transcript that describe the call rather than the conversation.
DESCRIBING_KEYS = ("call_id", "language")


MAX_TRANSCRIPT_DEPTH = 16


def read_transcript(path: Path, name: str) -> dict[str, Any]:
    """The uploaded transcript, parsed and validated as analysis will read it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not a valid transcript JSON ({exc})") from None
    # utterances -> words -> word, plus metadata: a transcript never needs more.
    if json_depth(text) > MAX_TRANSCRIPT_DEPTH:
        raise InputError(f"{name}: nested deeper than {MAX_TRANSCRIPT_DEPTH} levels")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not a valid transcript JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{name}: a transcript JSON is an object with 'utterances' or 'turns'")
    try:
        transcript_from_dict(data)
    except InputError as exc:
        raise InputError(f"{name}: {exc.message}") from None
    return data


def check_transcript(received: ReceivedFile) -> str:
    """Refuse what analysis could not read; returns the stored format."""
    if received.size == 0:
        raise InputError(f"{received.filename}: the file is empty")
    read_transcript(received.path, received.filename)
    return TRANSCRIPT_FORMAT


def is_json_body(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == JSON_CONTENT_TYPE


async def receive_json_body(
    body: AsyncIterator[bytes], spool: Path, max_bytes: int
) -> ReceivedForm:
    """A JSON request body as a one-file form; its describing keys become the metadata."""
    spool.mkdir(parents=True, exist_ok=True)
    path = spool / f"{uuid.uuid4().hex}.upload"
    hasher, size = hashlib.sha256(), 0
    try:
        with path.open("wb") as handle:
            async for chunk in body:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLargeError(
                        f"the transcript is larger than the limit of {max_bytes // 2**20} MiB"
                    )
                hasher.update(chunk)
                handle.write(chunk)
        received = ReceivedFile("files", "transcript.json", path, size, hasher.hexdigest())
        if size == 0:
            raise InputError("the request body is empty: send the transcript JSON")
        data = read_transcript(path, "the transcript")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return ReceivedForm(fields=_metadata_field(data), files=[received])


def _metadata_field(data: dict[str, Any]) -> dict[str, list[str]]:
    """Upload metadata from the transcript: known fields as such, other keys as ``extra``
    (still validated: scalars only, bounded count)."""
    from qa_service.features.calls.schemas import METADATA_FIELDS

    given = data.get("metadata") or {}
    if not isinstance(given, dict):
        raise InputError("the transcript's 'metadata' must be an object")
    known = set(METADATA_FIELDS)
    meta = {k: data[k] for k in DESCRIBING_KEYS if data.get(k) is not None}
    meta |= {k: v for k, v in given.items() if k in known}
    extra = {k: v for k, v in given.items() if k not in known and k != "extra"}
    if isinstance(given.get("extra"), dict):
        extra |= given["extra"]
    if extra:
        meta["extra"] = extra
    return {"metadata": [json.dumps(meta)]} if meta else {}
