"""Batch imports started by QA and admins: a folder on the server, imported in a background
thread; the batches and their progress.

Only folders under ``QA_IMPORT_ROOT`` (default: ``data_dir/import``) may be named, so a
caller cannot have the service read arbitrary files of the server.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.errors import InputError
from qa_service.features.imports.importer import (
    AnalysisJobs,
    Importer,
    ImportRequest,
    PreparedImport,
    batch_status,
)
from qa_service.features.imports.schemas import ImportCreate
from qa_service.store.accounts import User
from qa_service.store.db import Database
from qa_service.store.imports import ImportBatch

log = logging.getLogger(__name__)
# The listing shows the newest batches only.
MAX_LISTED = 100


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


def _run(importer: Importer, prepared: PreparedImport) -> None:
    try:
        importer.process(prepared)
    except Exception:  # the batch stays open; its file rows say how far it got
        log.exception("import batch %s stopped", prepared.batch_id)


def start_import(
    db: Database, settings: Settings, user: User, body: ImportCreate, jobs: AnalysisJobs
) -> dict[str, int]:
    """Open the batch here (a bad folder or manifest is refused at once), import it in a
    background thread; returns the batch id and how many files it has."""
    request = ImportRequest(
        folder=inside_root(settings, body.folder, "folder"),
        manifest=inside_root(settings, body.manifest, "manifest") if body.manifest else None,
        pattern=body.pattern,
        now=body.now,
        username=user.username,
    )
    importer = Importer(db, settings, jobs)
    prepared = importer.open(request)
    threading.Thread(
        target=_run, args=(importer, prepared), name=f"import-{prepared.batch_id}", daemon=True
    ).start()
    return {"batch_id": prepared.batch_id, "total": len(prepared.files)}


def list_imports(session: Session) -> list[dict[str, Any]]:
    """Import batches, newest first, with their progress."""
    ids = session.scalars(select(ImportBatch.id).order_by(ImportBatch.id.desc()).limit(MAX_LISTED))
    return [batch_status(session, batch_id) for batch_id in ids]
