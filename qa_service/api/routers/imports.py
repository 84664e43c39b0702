"""Batch imports of a folder on the server (QA and admin), run in the background."""

from __future__ import annotations

from fastapi import APIRouter

from qa_service.api.schemas.common import IdPath
from qa_service.features.imports import service
from qa_service.features.imports.importer import batch_status
from qa_service.features.imports.schemas import ImportCreate
from qa_service.http.deps import DbDep, SessionDep, SettingsDep, StaffUser
from qa_service.jobs.runner import JobRunner

router = APIRouter(prefix="/imports", tags=["imports"])


@router.post("", status_code=202, summary="Import a folder of recordings in the background")
def start_import(body: ImportCreate, user: StaffUser, db: DbDep, settings: SettingsDep) -> dict:
    return service.start_import(db, settings, user, body, JobRunner(db, settings))


@router.get("", summary="Import batches, newest first")
def list_imports(_user: StaffUser, session: SessionDep) -> list[dict]:
    return service.list_imports(session)


@router.get("/{batch_id}", summary="How far a batch is: files per state, errors, calls")
def get_import(batch_id: IdPath, _user: StaffUser, session: SessionDep) -> dict:
    return batch_status(session, batch_id)
