"""Batch imports of a folder on the server (QA and admin), run in the background.

Only folders under ``QA_IMPORT_ROOT`` (default: ``data_dir/import``) may be named, so the
API cannot be used to read arbitrary files of the server.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from qa_service.api.deps import DbDep, SessionDep, SettingsDep, StaffUser
from qa_service.api.schemas.common import IdPath
from qa_service.config import Settings
from qa_service.errors import InputError
from qa_service.import_sources import MAX_PATTERN_LENGTH
from qa_service.importer import Importer, ImportRequest, batch_status
from qa_service.store.imports import ImportBatch

log = logging.getLogger(__name__)
router = APIRouter(prefix="/imports", tags=["imports"])


# A path with a NUL (or another control character) cannot name a file.
NO_CONTROL = r"^[^\x00-\x1f]+$"
ServerPath = Annotated[str, Field(min_length=1, max_length=1024, pattern=NO_CONTROL)]


class ImportCreate(BaseModel):
    folder: ServerPath = Field(description="A folder under the import root (relative or absolute).")
    manifest: ServerPath | None = Field(None, description="CSV manifest under the import root.")
    pattern: str | None = Field(
        None,
        max_length=MAX_PATTERN_LENGTH,
        description="File-name pattern, e.g. {agent_id}_{queue}_{started_at:%Y%m%d}.wav",
    )
    now: bool = Field(False, description="Analyse in the import thread instead of queueing.")


def import_root(settings: Settings) -> Path:
    return (settings.import_root or Path(settings.data_dir) / "import").resolve()


def inside_root(settings: Settings, given: str, what: str) -> Path:
    root = import_root(settings)
    path = (root / given).resolve()
    if not path.is_relative_to(root):
        raise InputError(f"the {what} must be under the import root {root}")
    if not path.exists():
        raise InputError(f"no such {what} under the import root: {given}")
    return path


def _run(importer: Importer, prepared) -> None:
    try:
        importer.process(prepared)
    except Exception:  # the batch stays open; its file rows say how far it got
        log.exception("import batch %s stopped", prepared.batch_id)


@router.post("", status_code=202, summary="Import a folder of recordings in the background")
def start_import(body: ImportCreate, user: StaffUser, db: DbDep, settings: SettingsDep) -> dict:
    request = ImportRequest(
        folder=inside_root(settings, body.folder, "folder"),
        manifest=inside_root(settings, body.manifest, "manifest") if body.manifest else None,
        pattern=body.pattern,
        now=body.now,
        username=user.username,
    )
    importer = Importer(db, settings)
    prepared = importer.open(request)
    threading.Thread(
        target=_run, args=(importer, prepared), name=f"import-{prepared.batch_id}", daemon=True
    ).start()
    return {"batch_id": prepared.batch_id, "total": len(prepared.files)}


@router.get("", summary="Import batches, newest first")
def list_imports(_user: StaffUser, session: SessionDep) -> list[dict]:
    ids = session.scalars(select(ImportBatch.id).order_by(ImportBatch.id.desc()).limit(100))
    return [batch_status(session, batch_id) for batch_id in ids]


@router.get("/{batch_id}", summary="How far a batch is: files per state, errors, calls")
def get_import(batch_id: IdPath, _user: StaffUser, session: SessionDep) -> dict:
    return batch_status(session, batch_id)
